package main

import (
	"testing"

	"github.com/tenantgate/tenantgate/examples/internal/testpki"
)

// pki is the examples' shared test certificate authority.
type pki = testpki.CA

func newPKI(t testing.TB) *pki { return testpki.New(t) }

var writePEM = testpki.WritePEM

package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/tenantgate/tenantgate/classify"
)

// verifier checks a message's DKIM signatures itself: the milter never trusts
// Authentication-Results written by anyone else (docs/threat-model.md#threat-18, unlike
// ExOTA-Milter).
type verifier struct {
	resolver *net.Resolver
	timeout  time.Duration
	maxSigs  int
	maxBody  int
}

const (
	defaultMaxBodyBytes  = 10 << 20
	defaultMaxSignatures = 5
	defaultDKIMTimeout   = 5 * time.Second
)

func newVerifier(o DKIMOptions) *verifier {
	v := &verifier{resolver: net.DefaultResolver, timeout: o.Timeout.Or(defaultDKIMTimeout), maxSigs: o.MaxSignatures, maxBody: o.MaxBodyBytes}
	if o.DNSServer != "" {
		server := o.DNSServer
		v.resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, server)
		}}
	}
	if v.maxSigs <= 0 {
		v.maxSigs = defaultMaxSignatures
	}
	if v.maxBody <= 0 {
		v.maxBody = defaultMaxBodyBytes
	}
	return v
}

// verify returns one result per signature: the signing domain and "pass", "fail" or
// "temperror"/"permerror" as go-msgauth classifies the failure. A key lookup that times out or
// gets SERVFAIL is "temperror" (go-msgauth: a temporary net.Error); the filter turns a refusal
// that rests on one into 451 4.7.5 (dkimUnknown).
func (v *verifier) verify(header, body []byte) []classify.DKIMResult {
	// Header and body are read in place: no copy of a body up to maxBody.
	vs, err := dkim.VerifyWithOptions(io.MultiReader(bytes.NewReader(header), bytes.NewReader(body)), &dkim.VerifyOptions{
		MaxVerifications: v.maxSigs,
		LookupTXT: func(domain string) ([]string, error) {
			ctx, cancel := context.WithTimeout(context.Background(), v.timeout)
			defer cancel()
			return v.resolver.LookupTXT(ctx, domain)
		},
	})
	// Over maxSigs go-msgauth verifies the first maxSigs (top-most: the newest, Exchange
	// Online's own among them) and says so; those results count.
	if err != nil && !errors.Is(err, dkim.ErrTooManySignatures) {
		return nil
	}
	out := make([]classify.DKIMResult, 0, len(vs))
	for _, s := range vs {
		r := "pass"
		switch {
		case s.Err == nil:
		case dkim.IsTempFail(s.Err):
			r = "temperror"
		case dkim.IsPermFail(s.Err):
			r = "permerror"
		default:
			r = "fail"
		}
		out = append(out, classify.DKIMResult{Domain: s.Domain, Result: r})
	}
	return out
}

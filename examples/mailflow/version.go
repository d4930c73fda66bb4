package main

import (
	"fmt"
	"io"

	"github.com/tenantgate/tenantgate/examples/internal/version"
)

// runVersion is "mailflow version".
func runVersion(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		fmt.Fprintln(stderr, "usage: mailflow version")
		return 2
	}
	fmt.Fprintln(stdout, version.String("mailflow"))
	return 0
}

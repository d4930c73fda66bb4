package main

import (
	"context"
	"os/exec"
	"testing"
	"time"
)

// interopTimeout bounds every external program an interop test runs (swaks, miltertest,
// postfix stop): on a loaded machine a hung child must fail the test with its output, not stall
// the whole run until go test's own timeout cuts it off without saying which test hung.
const interopTimeout = 2 * time.Minute

// tool returns a command for an external program that is killed after interopTimeout; its pipes
// are closed shortly after, so CombinedOutput returns even when a grandchild keeps them open.
func tool(t testing.TB, name string, args ...string) *exec.Cmd {
	ctx, cancel := context.WithTimeout(context.Background(), interopTimeout)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.WaitDelay = 5 * time.Second
	return cmd
}

// Command mailflow is the administrator's view of tenantgate: it lints and simulates a topology,
// explains a message's Exchange Online headers and the gateway's verdict, and runs scenario files.
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Fprintln(os.Stderr, "mailflow: under construction")
	os.Exit(2)
}

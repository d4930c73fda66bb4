package scenario_test

import (
	"fmt"

	"github.com/tenantgate/tenantgate/scenario"
)

// Run a scenario file (the format of testdata/scenarios/README.md) with every section evaluator
// and print each case's outcome, as mailflow test does. The file checks the gateway's verdict on
// one transaction, one message's path through the topology, and the absence of lint findings.
func Example() {
	rep, err := scenario.Run("testdata/example/contoso.json", scenario.Default())
	if err != nil {
		fmt.Println("cannot load:", err)
		return
	}
	for _, c := range rep.Cases {
		status := "PASS"
		if !c.Passed() {
			status = "FAIL"
		}
		fmt.Printf("%s %s: %s\n", status, c.Section, c.Name)
		for _, f := range c.Failures {
			fmt.Println("   ", f)
		}
	}
	fmt.Println("file passed:", rep.Passed())
	// Output:
	// PASS gateway: an Internet host may deliver to contoso but not relay
	// PASS flows: Internet mail for contoso goes through the gateway
	// PASS lint: lint
	// file passed: true
}

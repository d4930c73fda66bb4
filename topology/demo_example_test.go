package topology_test

import (
	"os"

	"github.com/tenantgate/tenantgate"
)

// demoDirectory compiles the repository's demo configuration (testdata/config/demo.json).
func demoDirectory() *tenantgate.Directory {
	f, err := os.Open("../testdata/config/demo.json")
	if err != nil {
		panic(err)
	}
	defer f.Close()
	c, err := tenantgate.LoadConfig(f)
	if err != nil {
		panic(err)
	}
	d, err := tenantgate.Compile(c)
	if err != nil {
		panic(err)
	}
	return d
}

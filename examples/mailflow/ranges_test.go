package main

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

// TestRanges: "mailflow ranges" replaces gateway.exchangeOnline.networks with the worldwide
// list's set 10 (the ranges Microsoft publishes for ID 10, which are the library's defaults) and
// keeps everything else: the configuration read back equals the input but for the networks,
// and the top-level and gateway keys keep their order.
func TestRanges(t *testing.T) {
	const cfgPath = "../../testdata/config/demo.json"
	in, err := os.ReadFile(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	endpoints := filepath.Join(t.TempDir(), "endpoints.json")
	b, err := os.ReadFile("../../msendpoints/testdata/worldwide.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(endpoints, b, 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run([]string{"ranges", "--endpoints", endpoints, cfgPath}, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "6 ranges of endpoint set [10]") {
		t.Errorf("stderr %q lacks the note on set 10", stderr.String())
	}
	before, err := tenantgate.LoadConfig(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	after, err := tenantgate.LoadConfig(bytes.NewReader(stdout.Bytes()))
	if err != nil {
		t.Fatalf("output does not load: %v\n%s", err, stdout.String())
	}
	if !slices.Equal(after.Gateway.ExchangeOnline.Networks, tenantgate.DefaultEXONetworks()) {
		t.Errorf("networks = %v", after.Gateway.ExchangeOnline.Networks)
	}
	before.Gateway.ExchangeOnline.Networks, after.Gateway.ExchangeOnline.Networks = nil, nil
	bj, _ := json.MarshalIndent(before, "", " ")
	aj, _ := json.MarshalIndent(after, "", " ")
	if diff := cmp.Diff(string(bj), string(aj)); diff != "" {
		t.Errorf("configuration changed beyond the networks (-before +after):\n%s", diff)
	}
	// demo.json has no exchangeOnline section: it is appended to the gateway's keys.
	want := append(keyOrder(t, in), "gateway.exchangeOnline")
	if got := keyOrder(t, stdout.Bytes()); !slices.Equal(got, want) {
		t.Errorf("keys %v; want %v", got, want)
	}
}

// keyOrder returns the top-level and the gateway's keys in order.
func keyOrder(t *testing.T, data []byte) []string {
	t.Helper()
	top, err := readObject(data)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, m := range top {
		keys = append(keys, m.key)
	}
	gw, err := readObject(getMember(top, "gateway"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range gw {
		keys = append(keys, "gateway."+m.key)
	}
	return keys
}

// TestRangesErrors: a list of another cloud, a file that is no list, and a result that would not
// compile are refused, with nothing on stdout.
func TestRangesErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	gov := write("gov.json", `[{"id":6,"serviceArea":"Exchange","urls":["*.protection.office365.us"],"ips":["23.103.191.0/24"],"tcpPorts":"25,443"}]`)
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"other cloud", []string{"ranges", "--endpoints", gov, "../../testdata/config/demo.json"}, "not the worldwide cloud's hosts"},
		{"not a list", []string{"ranges", "--endpoints", write("err.json", `{"error":"429"}`), "../../testdata/config/demo.json"}, "answered with an error"},
		{"gov list, gov config", []string{"ranges", "--endpoints", gov, write("cfg.json", `{"tenants": [], "gateway": {"name": "gw.example.net", "exchangeOnline": {"cloud": "usgovgcchigh"}}}`)}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(tc.args, &stdout, &stderr)
			if tc.want == "" {
				if code != 0 {
					t.Fatalf("exit %d: %s", code, stderr.String())
				}
				var c tenantgate.Config
				if err := json.Unmarshal(stdout.Bytes(), &c); err != nil || !slices.Equal(c.Gateway.ExchangeOnline.Networks, []netip.Prefix{netip.MustParsePrefix("23.103.191.0/24")}) {
					t.Errorf("output %s (%v)", stdout.String(), err)
				}
				return
			}
			if code != 1 || stdout.Len() != 0 || !strings.Contains(stderr.String(), tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 1 and %q", code, stdout.String(), stderr.String(), tc.want)
			}
		})
	}
}

// TestVersion: "mailflow version" prints the build (runtime/debug.ReadBuildInfo): the name and
// the Go version at least.
func TestVersion(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"version"}, &stdout, &stderr); code != 0 || !strings.HasPrefix(stdout.String(), "mailflow ") || !strings.Contains(stdout.String(), "go1.") {
		t.Errorf("exit %d, stdout %q, stderr %q", code, stdout.String(), stderr.String())
	}
}

package msendpoints

import (
	"os"
	"testing"
)

// FuzzParse: Parse and MailNetworks never panic; what they accept is consistent — every picked
// range is masked and every picked set has port 25.
func FuzzParse(f *testing.F) {
	if b, err := os.ReadFile("testdata/worldwide.json"); err == nil {
		f.Add(b)
	}
	f.Add([]byte(`[{"id":10,"serviceArea":"Exchange","ips":["40.92.0.0/15","::ffff:1.2.3.0/120"],"tcpPorts":"25"}]`))
	f.Add([]byte(`{"error":"x"}`))
	f.Add([]byte(`[{"id":1,"tcpPorts":"1-65535, 7"}]`))
	f.Fuzz(func(t *testing.T, data []byte) {
		sets, err := Parse(data)
		if err != nil {
			return
		}
		m, err := MailNetworks(sets)
		if err != nil {
			return
		}
		if len(m.Networks) == 0 {
			t.Fatal("MailNetworks returned no networks without an error")
		}
		for _, p := range m.Networks {
			if p != p.Masked() || !p.IsValid() {
				t.Fatalf("picked %v", p)
			}
		}
	})
}

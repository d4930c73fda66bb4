package msendpoints

import "testing"

// FuzzParse: Parse and MailNetworks never panic; what they accept is consistent — every picked
// range is masked and every picked set has port 25.
func FuzzParse(f *testing.F) {
	// Small seeds: the fuzzer minimises every new input, which takes a run per byte, so the
	// 45 kB sample file would stall it. Set 10 of that file, and set 9 beside it:
	f.Add([]byte(`[{"id": 9, "serviceArea": "Exchange", "urls": ["*.protection.outlook.com"],
  "ips": ["40.92.0.0/15", "52.238.78.88/32", "2a01:111:f403::/48"], "tcpPorts": "443", "category": "Allow"},
 {"id": 10, "serviceArea": "Exchange", "serviceAreaDisplayName": "Exchange Online", "urls": ["*.mail.protection.outlook.com"],
  "ips": ["40.92.0.0/15", "40.107.0.0/16", "104.47.0.0/17", "2a01:111:f400::/48"], "tcpPorts": "25",
  "expressRoute": true, "category": "Allow", "required": true}]`))
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

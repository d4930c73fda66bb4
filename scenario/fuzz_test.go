package scenario

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzScenarioFile runs arbitrary scenario files (operators' files are input to `mailflow test`)
// through Load and every evaluator. Invariants: nothing panics; a file that loads and runs either
// reports every case it holds or fails; a case with no failures never hides a load error.
func FuzzScenarioFile(f *testing.F) {
	files, _ := filepath.Glob("../testdata/scenarios/*.json")
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil && len(b) < 8<<10 {
			f.Add(b)
		}
	}
	demo, err := os.ReadFile("../testdata/config/demo.json")
	if err != nil {
		f.Fatal(err)
	}
	f.Add([]byte(`{"name": "x", "source": "y", "configFile": "demo.json", "gateway": [{"name": "g", "source": "s",
	  "session": {"remoteAddr": "40.107.22.10", "tls": {"verified": true, "names": ["mail.protection.outlook.com"]}},
	  "mailFrom": "carol@contoso.com", "rcptTo": ["erin@woodgrove.example"],
	  "header": "X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\n\r\n",
	  "expect": {"origin": "own-tenant"}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		dir := t.TempDir()
		// configFile references resolve inside dir: the demo topology under the name the seeds use.
		if err := os.WriteFile(filepath.Join(dir, "demo.json"), demo, 0o600); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "case.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := Run(path, Default())
		if err != nil {
			if rep.Passed() && len(rep.Cases) > 0 {
				t.Fatalf("Run failed (%v) but reports passing cases", err)
			}
			return
		}
		if len(rep.Cases) == 0 && rep.Passed() {
			t.Fatal("a file without cases passed")
		}
	})
}

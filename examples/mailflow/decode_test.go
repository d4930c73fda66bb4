package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tenantgate/tenantgate/exoimport"
)

// TestDecodeConfigNeedsNoDetect: every file that decodeConfig takes for a configuration is one
// that exoimport.Detect calls a configuration or unknown, so that skipping Detect for it (the
// configuration is then parsed once) changes no command's answer. The files are every JSON file
// of this repository's test data: configurations, Exchange Online exports of every format, and
// a few hand-made objects that decode but that Detect does not call a configuration.
func TestDecodeConfigNeedsNoDetect(t *testing.T) {
	var files []string
	for _, pat := range []string{"testdata/*.json", "testdata/*/*.json", "testdata/*/*/*.json",
		"../../testdata/*/*.json", "../../exoimport/testdata/*/*.json", "../../exoimport/testdata/*/*/*.json"} {
		m, err := filepath.Glob(pat)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	inputs := map[string][]byte{
		"empty object":       []byte(`{}`),
		"upper-case keys":    []byte(`{"Tenants": [], "GATEWAY": {}}`),
		"null":               []byte(`null`),
		"empty array":        []byte(`[]`),
		"export-like object": []byte(`{"Name": "x", "SenderIPAddresses": []}`),
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		inputs[f] = data
	}
	configs, exports := 0, 0
	for name, data := range inputs {
		f := exoimport.Detect(data)
		if _, ok := decodeConfig(data); ok {
			configs++
			if f != exoimport.FormatConfig && f != exoimport.FormatUnknown {
				t.Errorf("%s: decodes as a configuration but Detect says %s", name, f)
			}
		} else if f != exoimport.FormatConfig && f != exoimport.FormatUnknown {
			exports++
		}
	}
	// The test data must hold both kinds, or the test proves nothing.
	if configs == 0 || exports == 0 {
		t.Errorf("%d configurations and %d exports among %d files; want some of each", configs, exports, len(inputs))
	}
	t.Logf("%d configurations, %d exports, %d inputs", configs, exports, len(inputs))
}

package scenario

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct{ file, want string }{
		{"unknown-field.json", `unknown field "bogus"`},
		{"both-configs.json", "both configFile and config"},
		{"no-config.json", "neither configFile nor config"},
		{"missing.json", "no such file"},
	} {
		t.Run(tc.file, func(t *testing.T) {
			_, err := Load(filepath.Join("testdata", "runner", tc.file))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load: got %v, want an error containing %q", err, tc.want)
			}
		})
	}
}

// TestRunNeverPassesSilently checks that wrong expectations, sections without an evaluator and
// files without cases all fail.
func TestRunNeverPassesSilently(t *testing.T) {
	rep, err := Run(filepath.Join("testdata", "runner", "all-sections.json"), Evaluator{Exchange: EvalExchange})
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Section, Name string
		Failures      int
	}
	var got []result
	for _, c := range rep.Cases {
		got = append(got, result{c.Section, c.Name, len(c.Failures)})
	}
	want := []result{
		// x@yahoo.com: no tenant accepts yahoo.com, MAIL FROM gmail.com hosted nowhere → 550 5.7.1:
		// accepted, reply, the unknown rcpt, originalClientIP (203.0.113.7) and the reason fail.
		{SectionExchange, "wrong on purpose", 5},
		{SectionExchange, "right", 0},
		{SectionGateway, "g", 1},
		{SectionFlows, "f", 1},
		{SectionLint, "lint", 1},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("cases (-want +got):\n%s", diff)
	}
	if rep.Passed() {
		t.Error("report passed")
	}

	rep, err = Run(filepath.Join("testdata", "runner", "empty.json"), Default())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Passed() || len(rep.Cases) != 1 || rep.Cases[0].Failures[0] != "the file holds no case" {
		t.Errorf("empty file: %+v", rep)
	}
}

// TestREADMEExamples parses every JSON example of testdata/scenarios/README.md strictly, and runs
// the exchange example against the demo configuration.
func TestREADMEExamples(t *testing.T) {
	readme := filepath.Join("..", "testdata", "scenarios", "README.md")
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```json\n(.*?)```").FindAllSubmatch(data, -1)
	if len(blocks) != 5 {
		t.Fatalf("README has %d JSON examples, want 5 (exchange, gateway, flows, lint, configErrors)", len(blocks))
	}
	for i, b := range blocks {
		var f File
		if err := jsonstrict.Decode(b[1], &f); err != nil {
			t.Errorf("example %d: %v", i, err)
			continue
		}
		if len(f.Exchange) == 0 {
			continue
		}
		env := &Env{File: &f, BaseDir: filepath.Dir(readme)}
		cfg, err := os.Open(filepath.Join(env.BaseDir, f.ConfigFile))
		if err != nil {
			t.Fatal(err)
		}
		c, err := tenantgate.LoadConfig(cfg)
		cfg.Close()
		if err != nil {
			t.Fatal(err)
		}
		if env.Dir, err = tenantgate.Compile(c); err != nil {
			t.Fatal(err)
		}
		for _, r := range Default().Run(env).Cases {
			for _, f := range r.Failures {
				t.Errorf("example %d, %s: %s", i, r.Name, f)
			}
		}
	}
}

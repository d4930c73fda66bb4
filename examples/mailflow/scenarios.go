package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/scenario"
)

// testResult is the JSON form of `mailflow test` (schema/test.schema.json): an object, so that
// it can grow, with the counts and one entry per scenario file.
type testResult struct {
	envelope
	Cases  int           `json:"cases"`
	Failed int           `json:"failed"`
	Broken int           `json:"notLoaded"`
	Config string        `json:"config,omitempty"` // --config, when it replaced every file's own
	Files  []scenarioRun `json:"files"`
}

// scenarioRun is the JSON form of one scenario file's result in `mailflow test --format json`.
type scenarioRun struct {
	File   string    `json:"file"`
	Name   string    `json:"name,omitempty"`
	Passed bool      `json:"passed"`
	Error  string    `json:"error,omitempty"`
	Cases  []caseRun `json:"cases,omitempty"`
}

// caseRun is one case's result.
type caseRun struct {
	Section  string   `json:"section"`
	Name     string   `json:"name"`
	Source   string   `json:"source,omitempty"`
	Passed   bool     `json:"passed"`
	Failures []string `json:"failures,omitempty"`
}

// runTest is "mailflow test [--config CONFIG] SCENARIO.json…": runs scenario files
// (testdata/scenarios/README.md), optionally against the operator's own configuration instead of
// the one each file names.
func runTest(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow test", flag.ContinueOnError)
	fs.SetOutput(stderr)
	format := formatFlag(fs, formatText, formatJSON)
	config := fs.String("config", "", "run every file against this configuration instead of its configFile/config")
	verbose := fs.Bool("v", false, "list passing cases too")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: mailflow test [--config CONFIG.json] SCENARIO.json…

Runs scenario files (testdata/scenarios/README.md). Exit status 1 when a case fails or a file
cannot be loaded.`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := checkFormat("mailflow test", *format, formatText, formatJSON); err != nil {
		fmt.Fprintln(stderr, err)
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	var override *scenarioOverride
	if *config != "" {
		_, d, err := loadConfigFile(*config, os.Stdin)
		if err != nil {
			fmt.Fprintf(stderr, "mailflow test: %v\n", err)
			return 1
		}
		override = &scenarioOverride{name: *config, dir: d}
	}
	runs := []scenarioRun{}
	cases, failed, broken := 0, 0, 0
	for _, path := range fs.Args() {
		run := scenarioRun{File: path}
		env, err := scenario.Load(path)
		if err != nil {
			run.Error = err.Error()
			broken++
			runs = append(runs, run)
			continue
		}
		if override != nil {
			env.Dir = override.dir
		}
		rep := scenario.Default().Run(env)
		run.Name, run.Passed = rep.Name, rep.Passed()
		for _, c := range rep.Cases {
			cases++
			if !c.Passed() {
				failed++
			}
			run.Cases = append(run.Cases, caseRun{Section: c.Section, Name: c.Name, Source: c.Source,
				Passed: c.Passed(), Failures: c.Failures})
		}
		runs = append(runs, run)
	}
	ok := failed == 0 && broken == 0
	if *format == formatJSON {
		res := testResult{envelope: newEnvelope(ok), Cases: cases, Failed: failed, Broken: broken, Files: runs}
		if override != nil {
			res.Config = override.name
		}
		var d *tenantgate.Directory
		if override != nil {
			d = override.dir
		}
		if err := writeOutput(stdout, res, d); err != nil {
			fmt.Fprintf(stderr, "mailflow test: %v\n", err)
			return 1
		}
	} else {
		o := &textOut{w: stdout, color: useColor(stdout)}
		verdict := o.paint(styleGreen, "PASS")
		if !ok {
			verdict = o.paint(styleRed, "FAIL")
		}
		summary := fmt.Sprintf(" %s in %s: %d failed", plural(cases, "case", "cases"), plural(len(runs), "file", "files"), failed)
		if broken > 0 {
			summary += fmt.Sprintf(", %s not loaded", plural(broken, "file", "files"))
		}
		if override != nil {
			summary += " (against " + override.name + ")"
		}
		o.line(verdict + sanitize(summary))
		for _, r := range runs {
			writeScenarioText(o, r, *verbose)
		}
	}
	if !ok {
		return 1
	}
	return 0
}

// scenarioOverride is the operator's configuration that replaces every file's own.
type scenarioOverride struct {
	name string
	dir  *tenantgate.Directory
}

// writeScenarioText prints one file's result: its failing cases with their mismatches (all cases
// when verbose).
func writeScenarioText(o *textOut, r scenarioRun, verbose bool) {
	o.line("")
	switch {
	case r.Error != "":
		o.line(o.paint(styleRed, "ERROR") + " " + sanitize(r.File))
		o.wrap("      ", r.Error)
		return
	case r.Passed:
		o.line(o.paint(styleGreen, "ok") + "    " + sanitize(r.File) + "  " + sanitize(r.Name))
	default:
		o.line(o.paint(styleRed, "FAIL") + "  " + sanitize(r.File) + "  " + sanitize(r.Name))
	}
	for _, c := range r.Cases {
		if c.Passed && !verbose {
			continue
		}
		mark := "  ok   "
		if !c.Passed {
			mark = "  FAIL "
		}
		o.wrap(mark, c.Section+" "+c.Name)
		if c.Source != "" && !c.Passed {
			o.wrap("         source ", c.Source)
		}
		for _, f := range c.Failures {
			for i, l := range strings.Split(f, "\n") {
				ind := "         "
				if i > 0 {
					ind += "  "
				}
				o.wrap(ind, l)
			}
		}
	}
}

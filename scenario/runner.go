package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// MaxFileBytes bounds a scenario file (and a file it names, such as a header file).
const MaxFileBytes = 16 << 20

// Env is what a section evaluator gets besides its case: the parsed file, the directory it
// compiles to, and the folder relative paths in the file are resolved against.
type Env struct {
	File *File
	Dir  *tenantgate.Directory
	// BaseDir is the folder of the scenario file.
	BaseDir string
	// CompileErr is the configuration's Compile error when the file expects one (configErrors).
	CompileErr error
}

// ReadRelative reads a file named in the scenario, relative to BaseDir, bounded by MaxFileBytes.
func (e *Env) ReadRelative(name string) ([]byte, error) {
	return readBounded(filepath.Join(e.BaseDir, filepath.FromSlash(name)))
}

// Evaluator evaluates the sections of a scenario file. Each field evaluates one section and
// returns the mismatches of one case ("what: want …, got …"); none means the case passes. A nil
// field means the runner cannot evaluate that section, and every case of it fails.
//
// Each section's evaluator lives in its own file of this package (exchange.go, and gateway.go,
// flows.go, lint.go as they are written) and is wired in by Default.
type Evaluator struct {
	Exchange func(env *Env, c *ExchangeCase) []string
	Gateway  func(env *Env, c *GatewayCase) []string
	Flows    func(env *Env, c *FlowCase) []string
	Lint     func(env *Env, c *LintCase) []string
}

// Default returns the evaluator with every section this module can evaluate.
func Default() Evaluator {
	return Evaluator{
		Exchange: EvalExchange,
		Gateway:  EvalGateway,
		Flows:    EvalFlows,
		Lint:     EvalLint,
	}
}

// Sections of a scenario file, as CaseResult.Section names them.
const (
	SectionExchange = "exchange"
	SectionGateway  = "gateway"
	SectionFlows    = "flows"
	SectionLint     = "lint"
)

// CaseResult is the outcome of one case.
type CaseResult struct {
	Section string
	Name    string
	Source  string
	// Failures are the mismatches; empty means the case passed.
	Failures []string
}

// Passed reports whether the case passed.
func (r CaseResult) Passed() bool { return len(r.Failures) == 0 }

// Report is the outcome of one scenario file.
type Report struct {
	Path  string
	Name  string
	Cases []CaseResult
}

// Passed reports whether every case passed (and there was at least one).
func (r Report) Passed() bool {
	if len(r.Cases) == 0 {
		return false
	}
	for _, c := range r.Cases {
		if !c.Passed() {
			return false
		}
	}
	return true
}

// Load reads and strictly parses a scenario file (unknown fields are errors), loads and compiles
// its configuration, and returns the environment its cases run in.
func Load(path string) (*Env, error) {
	data, err := readBounded(path)
	if err != nil {
		return nil, err
	}
	var f File
	if err := jsonstrict.Decode(data, &f); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := checkSimulateOptions(f.SimulateOptions); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	env := &Env{File: &f, BaseDir: filepath.Dir(path)}
	var cfgData []byte
	cfgName := path + ": config"
	switch {
	case f.ConfigFile != "" && len(f.Config) > 0:
		return nil, fmt.Errorf("%s: both configFile and config are set; give one", path)
	case f.ConfigFile != "":
		cfgName = filepath.Join(env.BaseDir, filepath.FromSlash(f.ConfigFile))
		if cfgData, err = readBounded(cfgName); err != nil {
			return nil, fmt.Errorf("%s: configFile: %w", path, err)
		}
	case len(f.Config) > 0:
		cfgData = f.Config
	default:
		return nil, fmt.Errorf("%s: neither configFile nor config is set", path)
	}
	cfg, err := tenantgate.LoadConfig(bytes.NewReader(cfgData))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", cfgName, err)
	}
	env.Dir, err = tenantgate.Compile(cfg)
	switch {
	case f.ConfigErrors != nil && (len(f.Exchange) > 0 || len(f.Gateway) > 0 || len(f.Flows) > 0 || f.Lint != nil):
		return nil, fmt.Errorf("%s: configErrors cannot be combined with other sections", path)
	case f.ConfigErrors != nil:
		env.CompileErr = err
	case err != nil:
		return nil, fmt.Errorf("%s: %w", cfgName, err)
	}
	return env, nil
}

// Run loads path and evaluates every case with e. The error reports a file that cannot be
// loaded; failing cases are in the Report.
func Run(path string, e Evaluator) (Report, error) {
	env, err := Load(path)
	if err != nil {
		return Report{Path: path}, err
	}
	return e.Run(env), nil
}

// Run evaluates every case of env.File, section by section in file order.
func (e Evaluator) Run(env *Env) Report {
	f := env.File
	rep := Report{Name: f.Name}
	add := func(section, name, source string, failures []string) {
		if name == "" {
			failures = append([]string{"case has no name"}, failures...)
		}
		rep.Cases = append(rep.Cases, CaseResult{Section: section, Name: name, Source: source, Failures: failures})
	}
	missing := func(section string) []string {
		return []string{fmt.Sprintf("the runner cannot evaluate %q cases (no evaluator for the section)", section)}
	}
	if f.ConfigErrors != nil {
		add("config", f.Name, f.Source, configErrors(f.ConfigErrors, env.CompileErr))
	}
	for i := range f.Exchange {
		c := &f.Exchange[i]
		if e.Exchange == nil {
			add(SectionExchange, c.Name, c.Source, missing(SectionExchange))
			continue
		}
		add(SectionExchange, c.Name, c.Source, e.Exchange(env, c))
	}
	for i := range f.Gateway {
		c := &f.Gateway[i]
		if e.Gateway == nil {
			add(SectionGateway, c.Name, c.Source, missing(SectionGateway))
			continue
		}
		add(SectionGateway, c.Name, c.Source, e.Gateway(env, c))
	}
	for i := range f.Flows {
		c := &f.Flows[i]
		if e.Flows == nil {
			add(SectionFlows, c.Name, c.Source, missing(SectionFlows))
			continue
		}
		add(SectionFlows, c.Name, c.Source, e.Flows(env, c))
	}
	if f.Lint != nil {
		if e.Lint == nil {
			add(SectionLint, SectionLint, f.Source, missing(SectionLint))
		} else {
			add(SectionLint, SectionLint, f.Source, e.Lint(env, f.Lint))
		}
	}
	if len(rep.Cases) == 0 {
		rep.Cases = append(rep.Cases, CaseResult{Section: "file", Name: f.Name, Failures: []string{"the file holds no case"}})
	}
	return rep
}

// configErrors checks that err holds every wanted substring.
func configErrors(want []string, err error) []string {
	var m mismatches
	if err == nil {
		m.Addf("configErrors: the configuration compiled, want errors %q", want)
		return m
	}
	if len(want) == 0 {
		m.Addf("configErrors: lists no expected error")
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			m.Addf("configErrors: want an error containing %q, got %v", w, err)
		}
	}
	return m
}

func readBounded(path string) ([]byte, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, errors.New(path + ": larger than the scenario file limit")
	}
	return data, nil
}

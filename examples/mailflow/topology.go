package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/exoimport"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// maxInputBytes bounds every file mailflow reads: the larger of the configuration and the export
// limits of the library.
const maxInputBytes = tenantgate.MaxConfigBytes

// configHelp is the hint printed under configuration errors.
const configHelp = "fix the fields named above; the README's \"Configuration\" section lists every field"

// readInput reads a whole file ("-" is standard input), refusing more than maxInputBytes.
func readInput(name string, stdin io.Reader) ([]byte, error) {
	r := stdin
	if name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	data, err := io.ReadAll(io.LimitReader(r, maxInputBytes+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(data) > maxInputBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxInputBytes)
	}
	return data, nil
}

// inputError is an error about input files, printed as one "file: where: problem" line per
// problem followed by what to do.
type inputError struct {
	File  string   // the file Lines concern unless a line names its own
	Lines []string // one per problem, without File
	Other []string // problems in other files, each with its file name
	Hint  string   // what to do
}

func (e *inputError) Error() string {
	var b strings.Builder
	for i, l := range e.Lines {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File + ": " + l)
	}
	for _, l := range e.Other {
		b.WriteString("\n" + l)
	}
	if e.Hint != "" {
		b.WriteString("\n  (" + e.Hint + ")")
	}
	return b.String()
}

// parseConfig reads and compiles a tenantgate configuration (README.md#configuration). Errors name
// the file and the line and column (syntax) or the JSON path of every bad field (Compile).
func parseConfig(name string, data []byte) (tenantgate.Config, *tenantgate.Directory, error) {
	cfg, err := tenantgate.LoadConfig(bytes.NewReader(data))
	if err != nil {
		return cfg, nil, &inputError{File: name, Lines: loadErrorLines(err),
			Hint: configHelp}
	}
	return compileConfig(name, cfg)
}

// decodeConfig decodes data as a configuration if it is one: a JSON object that LoadConfig
// decodes without error. Such a file is never an export (LoadConfig refuses every key but tenants
// and gateway, and exoimport.Detect tells no export format by those), so a caller that gets ok
// need not ask Detect, which parses the whole file again: a configuration of 30,000 tenants is
// then parsed once.
func decodeConfig(data []byte) (cfg tenantgate.Config, ok bool) {
	if !looksLikeConfig(data) {
		return tenantgate.Config{}, false
	}
	cfg, err := tenantgate.LoadConfig(bytes.NewReader(data))
	return cfg, err == nil
}

// compileConfig compiles the decoded configuration of the file name.
func compileConfig(name string, cfg tenantgate.Config) (tenantgate.Config, *tenantgate.Directory, error) {
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		return cfg, nil, &inputError{File: name, Lines: compileErrorLines(err), Hint: configHelp}
	}
	if d.Gateway().Name == "" {
		// Compile refuses a gateway without a name, so this configuration has none at all.
		return cfg, nil, noGateway(name)
	}
	return cfg, d, nil
}

// loadErrorLines lists LoadConfig's errors one per line (jsonstrict.Errors: line, column, path).
func loadErrorLines(err error) []string {
	var es jsonstrict.Errors
	if errors.As(err, &es) {
		lines := make([]string, len(es))
		for i, e := range es {
			lines[i] = e.Error()
		}
		return lines
	}
	return []string{strings.TrimPrefix(err.Error(), "tenantgate: ")}
}

// compileErrorLines lists Compile's errors one per line, each with its JSON path.
func compileErrorLines(err error) []string {
	var ces tenantgate.ConfigErrors
	if errors.As(err, &ces) {
		lines := make([]string, 0, len(ces))
		for _, fe := range ces {
			lines = append(lines, fe.Error())
		}
		return lines
	}
	return []string{strings.TrimPrefix(err.Error(), "tenantgate: ")}
}

// loadConfigFile reads and compiles the configuration in the file name.
func loadConfigFile(name string, stdin io.Reader) (tenantgate.Config, *tenantgate.Directory, error) {
	data, err := readInput(name, stdin)
	if err != nil {
		return tenantgate.Config{}, nil, err
	}
	if cfg, ok := decodeConfig(data); ok {
		return compileConfig(name, cfg)
	}
	if err := refuseExport(name, data); err != nil {
		return tenantgate.Config{}, nil, err
	}
	return parseConfig(name, data)
}

// loadConfigSyntax reads the configuration in the file name without compiling it: a
// configuration that exports are merged into may name the imported tenant (gateway.serves,
// identities) before it holds it. The merged result is compiled.
func loadConfigSyntax(name string, stdin io.Reader) (tenantgate.Config, error) {
	data, err := readInput(name, stdin)
	if err != nil {
		return tenantgate.Config{}, err
	}
	if cfg, ok := decodeConfig(data); ok {
		return cfg, nil
	}
	if err := refuseExport(name, data); err != nil {
		return tenantgate.Config{}, err
	}
	cfg, err := tenantgate.LoadConfig(bytes.NewReader(data))
	if err != nil {
		return cfg, &inputError{File: name, Lines: loadErrorLines(err),
			Hint: configHelp}
	}
	return cfg, nil
}

// refuseExport returns an error if the file name, which must hold a configuration but does not
// decode as one (decodeConfig), is an export.
func refuseExport(name string, data []byte) error {
	if f := exoimport.Detect(data); f != exoimport.FormatConfig && f != exoimport.FormatUnknown {
		return &inputError{File: name,
			Lines: []string{fmt.Sprintf("this is an Exchange Online export (%s), not a tenantgate configuration", f)},
			Hint:  "convert it first: mailflow import --tenant-id ID " + name + " > config.json"}
	}
	return nil
}

// importExports reads export files of one tenant with exoimport.Import. Errors carry each bad
// value's file and JSON path.
func importExports(names []string, stdin io.Reader) (tenantgate.Tenant, []exoimport.Warning, error) {
	files := make([]exoimport.File, 0, len(names))
	for _, n := range names {
		data, err := readInput(n, stdin)
		if err != nil {
			return tenantgate.Tenant{}, nil, err
		}
		files = append(files, exoimport.File{Name: n, Data: data})
	}
	return importFiles(files)
}

// importFiles imports export files already read (importExports; mailflow serve's dropped files).
func importFiles(files []exoimport.File) (tenantgate.Tenant, []exoimport.Warning, error) {
	for _, f := range files {
		switch exoimport.Detect(f.Data) {
		case exoimport.FormatConfig:
			return tenantgate.Tenant{}, nil, &inputError{File: f.Name,
				Lines: []string{"this is a tenantgate configuration, not an Exchange Online export"},
				Hint:  "pass it with --config to merge the exports into it"}
		case exoimport.FormatUnknown:
			return tenantgate.Tenant{}, nil, unknownFormat(f.Name, f.Data)
		}
	}
	t, warnings, err := exoimport.Import(files...)
	if err != nil {
		var es exoimport.Errors
		if errors.As(err, &es) && len(es) > 0 {
			ie := &inputError{File: es[0].File, Hint: "fix or re-export the values named above"}
			for _, e := range es {
				if e.File != ie.File {
					ie.Other = append(ie.Other, e.File+": "+e.Path+": "+e.Msg)
					continue
				}
				ie.Lines = append(ie.Lines, e.Path+": "+e.Msg)
			}
			return t, warnings, ie
		}
		return t, warnings, err
	}
	return t, warnings, nil
}

// unknownFormat explains a file that is neither a configuration nor an export: its JSON syntax
// error with line and column when it is not JSON, else what was expected.
func unknownFormat(name string, data []byte) error {
	var v any
	if err := jsonstrict.Decode(data, &v); err != nil {
		return &inputError{File: name, Lines: []string{"not JSON: " + err.Error()},
			Hint: "save the export with ConvertTo-Json -Depth 10, or write the configuration as one JSON object"}
	}
	return &inputError{File: name,
		Lines: []string{"neither a tenantgate configuration (an object with \"tenants\" or \"gateway\") nor a known Exchange Online export"},
		Hint:  "exports: Get-InboundConnector | ConvertTo-Json -Depth 10 (and the other Get- cmdlets), Invoke-ORCA -Output Config, ScubaGear's ProviderSettingsExport.json or a Microsoft365DSC JSON report"}
}

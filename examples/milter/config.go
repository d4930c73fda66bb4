package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/duration"
	"github.com/tenantgate/tenantgate/examples/internal/msranges"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
	"github.com/tenantgate/tenantgate/tlsid"
)

// File is the milter's configuration file. The library configuration comes from exactly one of
// "config" (inline, README.md#configuration), "configFile" or "exotaPolicyFile" (an ExOTA-Milter
// JSON policy file, converted by ConvertExOTA); file names are relative to this file.
type File struct {
	ConfigFile      string          `json:"configFile,omitempty"`
	Config          json.RawMessage `json:"config,omitempty"`
	ExOTAPolicyFile string          `json:"exotaPolicyFile,omitempty"`
	Ranges
	Milter Section `json:"milter"`
}

// Ranges optionally takes the configuration's exchangeOnline.networks from Microsoft's endpoint
// list (README.md, "Microsoft's ranges"), read at every load.
type Ranges = msranges.FileOptions

// Section is the milter's own part of the configuration.
type Section struct {
	// Listen is where the milter listens: "host:port" for TCP, or "unix:/path" for a socket.
	Listen string `json:"listen"`
	// Gateway names the gateway (authserv-id of the verdict header) for an ExOTA policy file.
	Gateway string `json:"gateway,omitempty"`
	// Policy is the classify.PolicyConfig of the gateway.
	Policy classify.PolicyConfig `json:"policy"`
	// DKIM configures DKIM verification, used when the policy needs DKIM results
	// (dkimRequired, dkimFallback).
	DKIM DKIMOptions `json:"dkim"`
	// MaxHeaderBytes and MaxHeaderFields bound the header block (headers.Limits defaults).
	MaxHeaderBytes  int `json:"maxHeaderBytes,omitempty"`
	MaxHeaderFields int `json:"maxHeaderFields,omitempty"`
	// Timeout bounds each read and write on the MTA connection (default 5m).
	Timeout Duration `json:"timeout,omitempty"`
	// RequireVerifyMacro makes a certificate subject count only when the MTA also passes
	// {verify} = "OK". Set it behind Sendmail, which passes {cert_subject} for certificates that
	// did not verify too. (A {verify} the MTA passes is always honoured.)
	RequireVerifyMacro bool `json:"requireVerifyMacro,omitempty"`
	// MTA is the MTA the milter serves, "postfix" (default) or "sendmail": it decides how
	// {cert_subject} is read (tlsid.Dialect). Postfix passes the certificate's CN, taken verbatim;
	// Sendmail the whole subject DN, parsed strictly. "sendmail" implies RequireVerifyMacro.
	MTA tlsid.Dialect `json:"mta,omitempty"`
	// Section holds mode, replyTexts, logLevel, metricsListen and watchInterval (README.md,
	// "Operation").
	ops.Section
}

// DKIMOptions configure DKIM verification.
type DKIMOptions struct {
	// DNSServer answers the TXT lookups for keys, "host:port"; empty uses the system resolver.
	DNSServer string `json:"dnsServer,omitempty"`
	// MaxBodyBytes bounds the body kept for verification (default 10 MiB); a longer body is
	// not verified: where the decision needs its DKIM result the message is refused with
	// 552 5.3.4 naming the reason, where the tenant header decides it goes on (README.md,
	// "Replies"). Keep it at least Postfix's message_size_limit.
	MaxBodyBytes int `json:"maxBodyBytes,omitempty"`
	// MaxSignatures bounds the signatures verified per message (default 5).
	MaxSignatures int `json:"maxSignatures,omitempty"`
	// Timeout bounds one key lookup (default 5s).
	Timeout Duration `json:"timeout,omitempty"`
}

// Duration is a time.Duration written as in Go ("30s", "2m").
type Duration = duration.Duration

// Loaded is a checked configuration.
type Loaded struct {
	Directory *tenantgate.Directory
	Section   Section
	// Policy is the "policy" section, for classify.NewPolicy.
	Policy classify.PolicyConfig
	// NeedsDKIM reports that the policy uses DKIM results, so the milter verifies signatures.
	NeedsDKIM bool
	// Warnings are the ExOTA conversion's and a stale exchangeOnlineNetworksFile's.
	Warnings []string
	// Files are the files the configuration was read from, for the file watch (reload).
	Files []string
}

// LoadFile reads the configuration file at path.
func LoadFile(path string) (*Loaded, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l, err := Load(data, filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	l.Files = append([]string{path}, l.Files...)
	return l, nil
}

// Load reads a configuration file's contents; dir is the directory file names are relative to.
func Load(data []byte, dir string) (*Loaded, error) {
	var f File
	if err := jsonstrict.Decode(data, &f); err != nil {
		return nil, err
	}
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	n := 0
	for _, set := range []bool{f.ConfigFile != "", len(f.Config) > 0, f.ExOTAPolicyFile != ""} {
		if set {
			n++
		}
	}
	if n != 1 {
		return nil, errors.New("give exactly one of config, configFile and exotaPolicyFile")
	}
	s := f.Milter
	l := &Loaded{Section: s}
	var cfg tenantgate.Config
	switch {
	case f.ExOTAPolicyFile != "":
		l.Files = append(l.Files, rel(f.ExOTAPolicyFile))
		b, err := os.ReadFile(rel(f.ExOTAPolicyFile))
		if err != nil {
			return nil, fmt.Errorf("exotaPolicyFile: %w", err)
		}
		if s.Gateway == "" {
			return nil, errors.New("milter.gateway: required with exotaPolicyFile (the verdict header's authserv-id)")
		}
		m, err := ConvertExOTA(b, s.Gateway)
		if err != nil {
			return nil, fmt.Errorf("exotaPolicyFile: %w", err)
		}
		cfg, l.Warnings = m.Config, m.Warnings
		var ws []string
		s.Policy.Tenants, ws = mergeTenantPolicies(s.Policy.Tenants, m.Policy.Tenants)
		l.Warnings = append(l.Warnings, ws...)
	default:
		b := []byte(f.Config)
		if f.ConfigFile != "" {
			l.Files = append(l.Files, rel(f.ConfigFile))
			var err error
			if b, err = os.ReadFile(rel(f.ConfigFile)); err != nil {
				return nil, fmt.Errorf("configFile: %w", err)
			}
		}
		var err error
		if cfg, err = tenantgate.LoadConfig(bytes.NewReader(b)); err != nil {
			return nil, fmt.Errorf("config: %w", err)
		}
	}
	warnings, err := f.Ranges.Apply(&cfg, rel)
	if err != nil {
		return nil, err
	}
	l.Warnings = append(l.Warnings, warnings...)
	if f.ExchangeOnlineNetworksFile != "" {
		l.Files = append(l.Files, rel(f.ExchangeOnlineNetworksFile))
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	l.Directory = d
	if s.Listen == "" {
		return nil, errors.New("milter.listen: missing")
	}
	if errs := s.Section.Check("milter."); len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if s.MTA == tlsid.Sendmail {
		s.RequireVerifyMacro = true // Sendmail passes {cert_subject} for unverified certificates too
	}
	p := s.Policy
	l.Policy = p
	l.NeedsDKIM = p.UsesDKIM()
	l.Section = s
	return l, nil
}

// mergeTenantPolicies adds the DKIM requirements an ExOTA policy file asks for (conv) to the
// tenants of the milter's policy section (own). The file's requirement wins over an own
// "dkimRequired": false for the same tenant (fail closed), with a warning; everything else of
// own stays.
func mergeTenantPolicies(own, conv []classify.TenantPolicy) ([]classify.TenantPolicy, []string) {
	out := slices.Clone(own)
	var warnings []string
	for _, c := range conv {
		i := slices.IndexFunc(out, func(t classify.TenantPolicy) bool { return t.Tenant == c.Tenant })
		switch {
		case i < 0:
			out = append(out, c)
		case out[i].DKIMRequired == nil:
			out[i].DKIMRequired = c.DKIMRequired
		case *out[i].DKIMRequired != *c.DKIMRequired:
			warnings = append(warnings, fmt.Sprintf("milter.policy.tenants: %s has dkimRequired %v, but exotaPolicyFile enables dkim_enabled for it: DKIM is required (fail closed)", c.Tenant, *out[i].DKIMRequired))
			out[i].DKIMRequired = c.DKIMRequired
		}
	}
	return out, warnings
}

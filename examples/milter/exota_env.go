package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"slices"
	"sort"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
)

// ExOTA-Milter's defaults (app/exota-milter.py, the globals set before the environment is read).
const (
	exotaDefaultSocket     = "/socket/exota-milter"
	exotaDefaultPolicyFile = "/data/policy.json"
	exotaDefaultTrustedCN  = "mail.protection.outlook.com"
)

// ExOTAEnv is what ReadExOTAEnv makes of ExOTA-Milter's MILTER_* environment variables
// (README.md, "ExOTA-Milter configuration conversion", has the table).
type ExOTAEnv struct {
	// Listen is milter.listen, from MILTER_SOCKET.
	Listen string
	// PolicyFile is MILTER_POLICY_FILE: the JSON policy to convert.
	PolicyFile string
	// DKIMEnabled is MILTER_DKIM_ENABLED: ExOTA-Milter checks DKIM (and honours the entries'
	// dkim_enabled) only when it is set.
	DKIMEnabled bool
	// TenantIDRequired is MILTER_TENANT_ID_REQUIRED.
	TenantIDRequired bool
	// Cloud is gateway.exchangeOnline.cloud when MILTER_X509_TRUSTED_CN is the certificate name
	// of exactly one sovereign cloud (21Vianet's); "" otherwise.
	Cloud tenantgate.Cloud
	// CertNames is gateway.exchangeOnline.certNames when MILTER_X509_TRUSTED_CN names another
	// certificate than Exchange Online's default; nil otherwise.
	CertNames []string
	// AuthServID is gateway.authServID, from MILTER_AUTHSERVID; "" leaves the default.
	AuthServID string
	// RejectMessage is milter.replyTexts.relayDenied, from MILTER_REJECT_MESSAGE when the milter
	// can send it as it is (ops.ReplyTexts); "" keeps the library's text.
	RejectMessage string
	// LogLevel is milter.logLevel, from LOG_LEVEL read as ExOTA-Milter reads it.
	LogLevel ops.LogLevel
	// Warnings say what has no equivalent or behaves differently.
	Warnings []string
}

// ReadExOTAEnv reads ExOTA-Milter's environment with lookup (os.LookupEnv). As in ExOTA-Milter,
// the flags MILTER_TENANT_ID_REQUIRED, MILTER_DKIM_ENABLED, MILTER_X509_ENABLED and
// MILTER_ADD_HEADER count when set, whatever their value. The LDAP policy source has no
// equivalent and is an error, as is an unreadable MILTER_SOCKET.
func ReadExOTAEnv(lookup func(string) (string, bool)) (ExOTAEnv, error) {
	get := func(k, def string) string {
		if v, ok := lookup(k); ok {
			return v
		}
		return def
	}
	has := func(k string) bool { _, ok := lookup(k); return ok }
	var e ExOTAEnv
	warn := func(format string, a ...any) { e.Warnings = append(e.Warnings, fmt.Sprintf(format, a...)) }
	var err error
	if e.Listen, err = convertSocket(get("MILTER_SOCKET", exotaDefaultSocket)); err != nil {
		return ExOTAEnv{}, fmt.Errorf("MILTER_SOCKET: %w", err)
	}
	if src := get("MILTER_POLICY_SOURCE", "file"); src != "file" {
		return ExOTAEnv{}, fmt.Errorf("MILTER_POLICY_SOURCE=%q: only the JSON file source converts (export the LDAP policies to ExOTA-Milter's JSON policy format first)", src)
	}
	e.PolicyFile = get("MILTER_POLICY_FILE", exotaDefaultPolicyFile)
	e.TenantIDRequired = has("MILTER_TENANT_ID_REQUIRED")
	e.DKIMEnabled = has("MILTER_DKIM_ENABLED")
	if e.DKIMEnabled {
		if v := get("MILTER_DKIM_ALIGNMENT_REQUIRED", "False"); v == "False" {
			warn("MILTER_DKIM_ALIGNMENT_REQUIRED is False (ExOTA-Milter's default): tenantgate counts a DKIM pass only for one of the tenant's own domains, as if it were True")
		}
		if has("MILTER_TRUSTED_AUTHSERVID") {
			warn("MILTER_TRUSTED_AUTHSERVID: ExOTA-Milter read DKIM results from another filter's Authentication-Results; tenantgate verifies signatures itself (milter.dkim) and ignores other hosts' results")
		}
	}
	if !e.TenantIDRequired && !e.DKIMEnabled {
		warn("neither MILTER_TENANT_ID_REQUIRED nor MILTER_DKIM_ENABLED is set: ExOTA-Milter authorised mail by its From domain and the certificate alone; tenantgate also requires the tenant header (X-MS-Exchange-CrossTenant-Id) of a served tenant")
	}
	if !has("MILTER_X509_ENABLED") {
		warn("MILTER_X509_ENABLED is not set: tenantgate always requires Exchange Online's verified certificate ({cert_subject}) and an address in its networks")
	}
	if cn := get("MILTER_X509_TRUSTED_CN", exotaDefaultTrustedCN); !strings.EqualFold(cn, exotaDefaultTrustedCN) {
		if _, _, err := tenantgate.ParseCertName(cn); err != nil {
			return ExOTAEnv{}, fmt.Errorf("MILTER_X509_TRUSTED_CN: %w", err)
		}
		// A sovereign cloud's certificate name: Exchange Online sends from that cloud's networks,
		// which gateway.exchangeOnline.cloud selects (with the certificate name as default).
		var clouds []tenantgate.Cloud
		for _, c := range tenantgate.Clouds() {
			if c != tenantgate.CloudWorldwide && slices.ContainsFunc(tenantgate.DefaultEXOCertNamesFor(c), func(n string) bool { return strings.EqualFold(n, cn) }) {
				clouds = append(clouds, c)
			}
		}
		switch len(clouds) {
		case 0:
			e.CertNames = []string{cn}
		case 1:
			e.Cloud = clouds[0]
		default:
			e.CertNames = []string{cn}
			warn("MILTER_X509_TRUSTED_CN %q is Exchange Online's certificate name in %v: set gateway.exchangeOnline.cloud to the one your tenants are in (the networks Exchange Online sends from differ); until then the worldwide networks apply and its mail is refused", cn, clouds)
		}
	}
	if has("MILTER_X509_IP_WHITELIST") {
		warn("MILTER_X509_IP_WHITELIST: ExOTA-Milter skipped the certificate check for these clients; tenantgate has no exemption — let reinjected mail bypass the milter (a Postfix smtpd without smtpd_milters)")
	}
	if v, ok := lookup("MILTER_AUTHSERVID"); ok {
		if strings.ContainsAny(v, " \t\r\n;") || v == "" {
			return ExOTAEnv{}, fmt.Errorf("MILTER_AUTHSERVID %q: not an authserv-id (one token, RFC 8601)", v)
		}
		e.AuthServID = v
	}
	if v, ok := lookup("MILTER_REJECT_MESSAGE"); ok {
		// ExOTA-Milter sends it with 550 5.7.1 where the tenant or DKIM check fails: the policy's
		// relay refusal (classify.ReplyRelayDenied), whose codes stay.
		errs := ops.Section{ReplyTexts: ops.ReplyTexts{RelayDenied: v}}.Check("milter.")
		switch {
		case v == "":
			warn("MILTER_REJECT_MESSAGE is empty: the library's text of 550 5.7.1 stays")
		case len(errs) > 0:
			warn("MILTER_REJECT_MESSAGE %q not carried over, the library's text of 550 5.7.1 stays: %v; write an allowed text into milter.replyTexts.relayDenied", clipText(v), errors.Join(errs...))
		default:
			e.RejectMessage = v
		}
	}
	if v, ok := lookup("LOG_LEVEL"); ok {
		lv, known := exotaLogLevel(v)
		if !known {
			warn("LOG_LEVEL %q: not a level ExOTA-Milter knows, so it logged at info; logLevel is info", clipText(v))
		}
		e.LogLevel = lv
	}
	if has("MILTER_TMPFAIL_MESSAGE") {
		warn("MILTER_TMPFAIL_MESSAGE: no equivalent; temporary failures keep their standard texts")
	}
	var ldap []string
	for _, k := range []string{"MILTER_LDAP_SERVER_URI", "MILTER_LDAP_RECEIVE_TIMEOUT", "MILTER_LDAP_BINDDN", "MILTER_LDAP_BINDPW", "MILTER_LDAP_SEARCH_BASE", "MILTER_LDAP_QUERY", "MILTER_LDAP_TENANT_ID_ATTR", "MILTER_LDAP_DKIM_ENABLED_ATTR", "MILTER_LDAP_DKIM_ALIGNMENT_REQUIRED_ATTR"} {
		if has(k) {
			ldap = append(ldap, k)
		}
	}
	if len(ldap) > 0 {
		sort.Strings(ldap)
		warn("%s: ignored with the file policy source", strings.Join(ldap, ", "))
	}
	return e, nil
}

// exotaLogLevel reads LOG_LEVEL as ExOTA-Milter does (app/exota-milter.py, Python's re.match
// with re.IGNORECASE, which anchors at the start only): "info" exactly, anything starting with
// "warn", "error" exactly, anything starting with "debug"; any other value keeps info (known
// false). Python's "$" also matches before a final newline.
func exotaLogLevel(v string) (ops.LogLevel, bool) {
	exact := strings.TrimSuffix(v, "\n")
	prefix := func(p string) bool { return len(v) >= len(p) && strings.EqualFold(v[:len(p)], p) }
	switch {
	case strings.EqualFold(exact, "info"):
		return "info", true
	case prefix("warn"):
		return "warn", true
	case strings.EqualFold(exact, "error"):
		return "error", true
	case prefix("debug"):
		return "debug", true
	}
	return "info", false
}

// clipText shortens an environment value for a warning.
func clipText(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// convertSocket converts a libmilter socket specification (smfi_setconn: "inet:PORT@HOST",
// "inet6:PORT@HOST", "unix:PATH", "local:PATH" or a bare path) to milter.listen.
func convertSocket(s string) (string, error) {
	kind, rest, ok := strings.Cut(s, ":")
	if !ok || strings.HasPrefix(s, "/") {
		if !strings.HasPrefix(s, "/") {
			return "", fmt.Errorf("%q: want inet:PORT@HOST, inet6:PORT@HOST, unix:PATH or a path", s)
		}
		return "unix:" + s, nil
	}
	switch strings.ToLower(kind) {
	case "unix", "local":
		if rest == "" {
			return "", fmt.Errorf("%q: no path", s)
		}
		return "unix:" + rest, nil
	case "inet", "inet6":
		port, host, _ := strings.Cut(rest, "@")
		host = strings.Trim(host, "[]")
		if host == "" {
			host = map[string]string{"inet": "0.0.0.0", "inet6": "::"}[strings.ToLower(kind)]
		}
		if _, err := net.LookupPort("tcp", port); err != nil || port == "" {
			return "", fmt.Errorf("%q: port %q", s, port)
		}
		return net.JoinHostPort(host, port), nil
	}
	return "", fmt.Errorf("%q: unknown socket type %q", s, kind)
}

// ConvertExOTAEnv converts an ExOTA-Milter installation: its environment (ReadExOTAEnv) and the
// contents of its policy file. The environment decides what ExOTA-Milter enforced: the
// entries' dkim_enabled count only with MILTER_DKIM_ENABLED, and without
// MILTER_TENANT_ID_REQUIRED a DKIM pass stood in for the tenant header (DKIMFallback).
func ConvertExOTAEnv(env ExOTAEnv, policy []byte, gateway string) (Migration, error) {
	m, err := ConvertExOTA(policy, gateway)
	if err != nil {
		return Migration{}, err
	}
	if !env.DKIMEnabled {
		if len(m.Policy.Tenants) > 0 {
			m.Warnings = append(m.Warnings, "MILTER_DKIM_ENABLED is not set, so ExOTA-Milter ignored the entries' dkim_enabled: no tenant requires DKIM (policy.tenants[].dkimRequired), as before")
		}
		m.Policy.Tenants = nil // they only say dkimRequired
	} else if !env.TenantIDRequired {
		m.Policy.DKIMFallback = true
	}
	m.Ops.ReplyTexts.RelayDenied = env.RejectMessage
	m.Ops.LogLevel = env.LogLevel
	m.Config.Gateway.ExchangeOnline.CertNames = env.CertNames
	m.Config.Gateway.ExchangeOnline.Cloud = env.Cloud
	if env.AuthServID != "" {
		m.Config.Gateway.AuthServID = env.AuthServID
	}
	m.Warnings = slices.Concat(env.Warnings, m.Warnings)
	return m, nil
}

// MilterFile returns a complete milter configuration file for the migration: the library
// configuration inline and the milter section with listen, the policy the migration needs
// (policy.tenants[].dkimRequired, dkimFallback), replyTexts.relayDenied and logLevel.
func (m Migration) MilterFile(listen string) ([]byte, error) {
	cfg, err := json.Marshal(m.Config)
	if err != nil {
		return nil, err
	}
	if listen == "" {
		return nil, errors.New("milter.listen: missing")
	}
	f := File{Config: cfg, Milter: Section{Listen: listen, Policy: m.Policy, Section: m.Ops}}
	raw, err := json.Marshal(f)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := json.Indent(&out, raw, "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

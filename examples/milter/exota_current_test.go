package main

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
)

// TestConvertExOTACurrent converts ExOTA-Milter's current tests/policy.json
// (testdata/exota-policy-current.json, see testdata/SOURCES.md). Its "staging.zwackl.de" entry
// has tenant_id "", which ExOTA-Milter accepts since it made the tenant ID optional (policy.py
// check_policy skips the UUID check for ""), meaning "authorised by DKIM alone". The policy
// cannot say that (a served tenant is named by its ID), so that entry is refused with a message
// naming it and the other two load. yad.onmicrosoft.com has dkim_enabled true, so its tenant
// requires DKIM; example.com, the only domain of the other tenant, has false, so that tenant
// requires none (policy.tenants[], one entry per tenant).
func TestConvertExOTACurrent(t *testing.T) {
	data, err := os.ReadFile("testdata/exota-policy-current.json")
	if err != nil {
		t.Fatal(err)
	}
	m, err := ConvertExOTA(data, "gw.example.net")
	if err != nil {
		t.Fatalf("the current ExOTA-Milter test policy does not load: %v", err)
	}
	yad := tenantgate.MustParseTenantID("1234abcd-18c5-45e8-88de-123456789abc")
	ex := tenantgate.MustParseTenantID("abcd1234-18c5-45e8-88de-987654321cba")
	if got := m.Config.Gateway.Serves; !slices.Equal(got, []tenantgate.TenantID{ex, yad}) {
		t.Errorf("serves %v; want example.com's and yad's tenants (policy keys in sorted order)", got)
	}
	if !slices.Equal(m.Refused, []string{"staging.zwackl.de"}) {
		t.Errorf("Refused = %q; want [staging.zwackl.de]", m.Refused)
	}
	all := strings.Join(m.Warnings, "\n")
	for _, w := range []string{`"staging.zwackl.de": not loaded: tenant_id is empty`, "dkim_alignment_required is false for yad.onmicrosoft.com"} {
		if !strings.Contains(all, w) {
			t.Errorf("warnings lack %q:\n%s", w, all)
		}
	}
	if strings.Contains(all, "dkim_enabled is false") {
		t.Errorf("a DKIM warning, though each tenant's entries agree:\n%s", all)
	}
	want := classify.PolicyConfig{Tenants: []classify.TenantPolicy{{Tenant: yad, DKIMRequired: new(true)}}}
	if diff := cmp.Diff(want, m.Policy); diff != "" {
		t.Errorf("policy (-want +got):\n%s", diff)
	}
	d, err := tenantgate.Compile(m.Config)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, ok := d.Owner("staging.zwackl.de"); ok {
		t.Error("the refused domain belongs to a tenant")
	}
}

// TestConvertExOTAWritesPolicy: -convert-exota prints a whole milter configuration, and the
// policy options the migration needs are in it (not only noted): yad's tenant, the one with
// dkim_enabled true, requires DKIM (policy.tenants[]), nothing else is set, and it loads.
func TestConvertExOTAWritesPolicy(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := convertExOTA("testdata/exota-policy-current.json", "gw.example.net", "127.0.0.1:8894", &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "staging.zwackl.de") {
		t.Errorf("stderr %q lacks the refused entry", stderr.String())
	}
	want := `{"listen":"127.0.0.1:8894","policy":{"tenants":[{"tenant":"1234abcd-18c5-45e8-88de-123456789abc","dkimRequired":true}]},"dkim":{}}`
	if got := milterSection(t, stdout.Bytes()); got != want {
		t.Errorf("milter section\n got %s\nwant %s", got, want)
	}
	l, err := Load(stdout.Bytes(), t.TempDir())
	if err != nil {
		t.Fatalf("output does not load: %v\n%s", err, stdout.String())
	}
	if l.Policy.DKIMRequired || !l.NeedsDKIM {
		t.Errorf("policy %+v; want DKIM required for one tenant, not globally", l.Policy)
	}
}

// milterSection returns the "milter" object of a printed milter configuration, compacted.
func milterSection(t *testing.T, out []byte) string {
	t.Helper()
	var f struct{ Milter json.RawMessage }
	if err := json.Unmarshal(out, &f); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var b bytes.Buffer
	if err := json.Compact(&b, f.Milter); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// TestLoadExOTAPolicyFileDKIM: with exotaPolicyFile the tenants' DKIM requirements are added to
// the milter's own policy.tenants: an own entry for yad's tenant keeps its relayKinds and gets
// dkimRequired true; an own "dkimRequired": false is overruled (fail closed) with a warning.
func TestLoadExOTAPolicyFileDKIM(t *testing.T) {
	policy, err := filepath.Abs("testdata/exota-policy-current.json")
	if err != nil {
		t.Fatal(err)
	}
	yad := tenantgate.MustParseTenantID("1234abcd-18c5-45e8-88de-123456789abc")
	for _, tc := range []struct {
		own, warn string
	}{
		{`{"tenant": "1234abcd-18c5-45e8-88de-123456789abc", "relayKinds": ["mailbox"]}`, ""},
		{`{"tenant": "1234abcd-18c5-45e8-88de-123456789abc", "relayKinds": ["mailbox"], "dkimRequired": false}`,
			"milter.policy.tenants: 1234abcd-18c5-45e8-88de-123456789abc has dkimRequired false, but exotaPolicyFile enables dkim_enabled for it: DKIM is required (fail closed)"},
	} {
		l, err := Load([]byte(`{"exotaPolicyFile": "`+policy+`", "milter": {"listen": "127.0.0.1:8894", "gateway": "gw.example.net",
		  "policy": {"tenants": [`+tc.own+`]}}}`), t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		want := []classify.TenantPolicy{{Tenant: yad, DKIMRequired: new(true), RelayKinds: []classify.Kind{classify.Mailbox}}}
		if diff := cmp.Diff(want, l.Policy.Tenants); diff != "" {
			t.Errorf("%s: tenants (-want +got):\n%s", tc.own, diff)
		}
		if got := slices.Contains(l.Warnings, tc.warn); got != (tc.warn != "") {
			t.Errorf("%s: warnings %q; want %q", tc.own, l.Warnings, tc.warn)
		}
		if _, err := l.App(slog.New(slog.DiscardHandler)); err != nil {
			t.Errorf("%s: %v", tc.own, err)
		}
	}
}

func TestConvertSocket(t *testing.T) {
	for in, want := range map[string]string{
		"/socket/exota-milter":       "unix:/socket/exota-milter", // ExOTA-Milter's default
		"unix:/run/exota.sock":       "unix:/run/exota.sock",
		"local:/run/exota.sock":      "unix:/run/exota.sock",
		"inet:4711@127.0.0.1":        "127.0.0.1:4711",
		"inet6:4711@[::1]":           "[::1]:4711",
		"inet:4711":                  "0.0.0.0:4711",
		"inet:4711@milter.localhost": "milter.localhost:4711",
	} {
		if got, err := convertSocket(in); err != nil || got != want {
			t.Errorf("convertSocket(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"inet:@127.0.0.1", "inet:99999@h", "tcp:1@h", "unix:", "relative/path"} {
		if got, err := convertSocket(bad); err == nil {
			t.Errorf("convertSocket(%q) = %q; want an error", bad, got)
		}
	}
}

// TestConvertExOTAEnv: -convert-exota-env reads ExOTA-Milter's variables. With
// MILTER_DKIM_ENABLED and without MILTER_TENANT_ID_REQUIRED, ExOTA-Milter authorised by DKIM when
// the tenant header was missing: dkimFallback; the entries' dkim_enabled count
// (policy.tenants[].dkimRequired for yad's tenant, the one with dkim_enabled true). Without
// MILTER_DKIM_ENABLED ExOTA-Milter checked no DKIM at all (exota-milter.py: "if
// g_milter_dkim_enabled and policy.is_dkim_enabled()"), so neither is set.
// MILTER_REJECT_MESSAGE becomes replyTexts.relayDenied (ExOTA-Milter sends it with 550 5.7.1)
// unless the milter may not send it — '%' is refused by ops.ReplyTexts — and LOG_LEVEL becomes
// logLevel, read as ExOTA-Milter reads it ("WARNING" starts with "warn"; "verbose" is no level,
// info).
func TestConvertExOTAEnv(t *testing.T) {
	policy, err := filepath.Abs("testdata/exota-policy-current.json")
	if err != nil {
		t.Fatal(err)
	}
	const yadDKIM = `"tenants":[{"tenant":"1234abcd-18c5-45e8-88de-123456789abc","dkimRequired":true}]`
	for _, tc := range []struct {
		name       string
		env        map[string]string
		wantMilter string
		wantWarn   []string
	}{
		{"dkim without tenant id", map[string]string{"MILTER_SOCKET": "inet:4321@127.0.0.1", "MILTER_POLICY_FILE": policy,
			"MILTER_DKIM_ENABLED": "", "MILTER_TRUSTED_AUTHSERVID": "mx.example.net", "MILTER_X509_ENABLED": "", "MILTER_REJECT_MESSAGE": "Go away!",
			"MILTER_ADD_HEADER": "", "MILTER_AUTHSERVID": "gw.example.net", "LOG_LEVEL": "WARNING"},
			`{"listen":"127.0.0.1:4321","policy":{"dkimFallback":true,` + yadDKIM + `},"dkim":{},"replyTexts":{"relayDenied":"Go away!"},"logLevel":"warn"}`,
			[]string{"MILTER_TRUSTED_AUTHSERVID", "MILTER_DKIM_ALIGNMENT_REQUIRED is False"}},
		{"tenant id only", map[string]string{"MILTER_POLICY_FILE": policy, "MILTER_TENANT_ID_REQUIRED": "", "MILTER_X509_ENABLED": "",
			"MILTER_X509_IP_WHITELIST": "127.0.0.1", "MILTER_REJECT_MESSAGE": "100% refused", "LOG_LEVEL": "verbose"},
			`{"listen":"unix:/socket/exota-milter","policy":{},"dkim":{},"logLevel":"info"}`,
			[]string{"MILTER_X509_IP_WHITELIST", "ExOTA-Milter ignored the entries' dkim_enabled",
				`MILTER_REJECT_MESSAGE "100% refused" not carried over, the library's text of 550 5.7.1 stays: milter.replyTexts.relayDenied: '%' is not allowed`,
				`LOG_LEVEL "verbose": not a level ExOTA-Milter knows, so it logged at info`}},
		{"dkim and tenant id", map[string]string{"MILTER_POLICY_FILE": policy, "MILTER_TENANT_ID_REQUIRED": "", "MILTER_DKIM_ENABLED": "",
			"MILTER_DKIM_ALIGNMENT_REQUIRED": "True", "MILTER_X509_ENABLED": "", "MILTER_REJECT_MESSAGE": ""},
			`{"listen":"unix:/socket/exota-milter","policy":{` + yadDKIM + `},"dkim":{}}`,
			[]string{"MILTER_REJECT_MESSAGE is empty: the library's text of 550 5.7.1 stays"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			var stdout, stderr bytes.Buffer
			if err := convertExOTAEnv("", "gw.example.net", lookup, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			if got := milterSection(t, stdout.Bytes()); got != tc.wantMilter {
				t.Errorf("milter section\n got %s\nwant %s", got, tc.wantMilter)
			}
			if _, err := Load(stdout.Bytes(), t.TempDir()); err != nil {
				t.Fatalf("output does not load: %v\n%s", err, stdout.String())
			}
			for _, w := range tc.wantWarn {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("warnings lack %q:\n%s", w, stderr.String())
				}
			}
		})
	}
	_, err = ReadExOTAEnv(func(k string) (string, bool) {
		return map[string]string{"MILTER_POLICY_SOURCE": "ldap"}[k], k == "MILTER_POLICY_SOURCE"
	})
	if err == nil || !strings.Contains(err.Error(), "MILTER_POLICY_SOURCE") {
		t.Errorf("ldap source: err = %v", err)
	}
	// A sovereign cloud's certificate name (tenantgate.DefaultEXOCertNamesFor): 21Vianet's is
	// that cloud's alone, so it becomes exchangeOnline.cloud; GCC High and DoD share theirs, so it
	// stays a certificate name and a warning asks for the cloud; another name is a certificate
	// name.
	for _, tc := range []struct {
		cn        string
		cloud     tenantgate.Cloud
		certNames []string
		warn      string
	}{
		{"mail.protection.office365.us", "", []string{"mail.protection.office365.us"}, "is Exchange Online's certificate name in [usgovgcchigh usgovdod]: set gateway.exchangeOnline.cloud"},
		{"Mail.Protection.Partner.Outlook.CN", tenantgate.CloudChina, nil, ""},
		{"relay.example.net", "", []string{"relay.example.net"}, ""},
	} {
		env, err := ReadExOTAEnv(func(k string) (string, bool) {
			v, ok := map[string]string{"MILTER_X509_TRUSTED_CN": tc.cn, "MILTER_X509_ENABLED": "", "MILTER_TENANT_ID_REQUIRED": ""}[k]
			return v, ok
		})
		if err != nil || env.Cloud != tc.cloud || !slices.Equal(env.CertNames, tc.certNames) {
			t.Errorf("MILTER_X509_TRUSTED_CN %q: cloud %q certNames %q, %v; want %q %q", tc.cn, env.Cloud, env.CertNames, err, tc.cloud, tc.certNames)
		}
		if w := strings.Join(env.Warnings, "\n"); (tc.warn == "") != (w == "") || !strings.Contains(w, tc.warn) {
			t.Errorf("MILTER_X509_TRUSTED_CN %q: warnings %q; want %q", tc.cn, env.Warnings, tc.warn)
		}
	}
	// The 21Vianet conversion compiles for that cloud: its networks and certificate name.
	env, err := ReadExOTAEnv(func(k string) (string, bool) {
		return map[string]string{"MILTER_X509_TRUSTED_CN": "mail.protection.partner.outlook.cn"}[k], k == "MILTER_X509_TRUSTED_CN"
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(policy)
	if err != nil {
		t.Fatal(err)
	}
	m, err := ConvertExOTAEnv(env, b, "gw.example.net")
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(m.Config)
	if err != nil {
		t.Fatal(err)
	}
	if g := d.Gateway().ExchangeOnline; !slices.Equal(g.CertNames, []string{"mail.protection.partner.outlook.cn"}) || !slices.Equal(g.Networks, tenantgate.DefaultEXONetworksFor(tenantgate.CloudChina)) {
		t.Errorf("21Vianet conversion: certNames %q networks %v", g.CertNames, g.Networks)
	}
}

// TestExOTALogLevel: LOG_LEVEL as ExOTA-Milter's re.match calls read it (case-insensitive,
// anchored at the start; "$" also before a final newline).
func TestExOTALogLevel(t *testing.T) {
	for _, tc := range []struct {
		in    string
		want  ops.LogLevel
		known bool
	}{
		{"info", "info", true}, {"INFO", "info", true}, {"info\n", "info", true}, {"informative", "info", false},
		{"warn", "warn", true}, {"Warning", "warn", true}, {"warnings", "warn", true},
		{"error", "error", true}, {"ERROR", "error", true}, {"errors", "info", false},
		{"debug", "debug", true}, {"DEBUG2", "debug", true},
		{"", "info", false}, {"trace", "info", false},
	} {
		if got, known := exotaLogLevel(tc.in); got != tc.want || known != tc.known {
			t.Errorf("exotaLogLevel(%q) = %q, %v; want %q, %v", tc.in, got, known, tc.want, tc.known)
		}
	}
}

// FuzzConvertSocket: a MILTER_SOCKET value converts to a Unix socket path or a host:port the
// milter can listen on, or is refused; never a panic.
func FuzzConvertSocket(f *testing.F) {
	for _, s := range []string{"/socket/exota-milter", "inet:4711@127.0.0.1", "inet6:4711@[::1]", "local:/x", "unix:", "inet:@h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out, err := convertSocket(s)
		if err != nil {
			return
		}
		if p, ok := strings.CutPrefix(out, "unix:"); ok {
			if p == "" {
				t.Fatalf("%q -> empty path", s)
			}
			return
		}
		if _, _, err := net.SplitHostPort(out); err != nil {
			t.Fatalf("%q -> %q: %v", s, out, err)
		}
	})
}

package main

import (
	"bytes"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
)

// TestConvertExOTACurrent converts ExOTA-Milter's current tests/policy.json
// (testdata/exota-policy-current.json, see testdata/SOURCES.md). Its "staging.zwackl.de" entry
// has tenant_id "", which ExOTA-Milter accepts since it made the tenant ID optional (policy.py
// check_policy skips the UUID check for ""), meaning "authorised by DKIM alone". The policy
// cannot say that (a served tenant is named by its ID), so that entry is refused with a message
// naming it and the other two load. yad.onmicrosoft.com has dkim_enabled true, so DKIM is
// required; example.com's false is overridden with a warning (the requirement is global).
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
	for _, w := range []string{`"staging.zwackl.de": not loaded: tenant_id is empty`, "dkim_enabled is false for example.com", "dkim_alignment_required is false for yad.onmicrosoft.com"} {
		if !strings.Contains(all, w) {
			t.Errorf("warnings lack %q:\n%s", w, all)
		}
	}
	if !m.DKIMRequired {
		t.Error("DKIMRequired = false; yad.onmicrosoft.com has dkim_enabled true")
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
// policy options the migration needs are in it (not only noted): it loads, and its policy
// requires DKIM.
func TestConvertExOTAWritesPolicy(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := convertExOTA("testdata/exota-policy-current.json", "gw.example.net", "127.0.0.1:8894", &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stderr.String(), "staging.zwackl.de") {
		t.Errorf("stderr %q lacks the refused entry", stderr.String())
	}
	l, err := Load(stdout.Bytes(), t.TempDir())
	if err != nil {
		t.Fatalf("output does not load: %v\n%s", err, stdout.String())
	}
	if !l.Policy.DKIMRequired || !l.NeedsDKIM || l.Section.Listen != "127.0.0.1:8894" {
		t.Errorf("policy %+v listen %q; want dkimRequired and the given listen address", l.Policy, l.Section.Listen)
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
// the tenant header was missing: dkimFallback; the entries' dkim_enabled count (dkimRequired).
// Without MILTER_DKIM_ENABLED ExOTA-Milter checked no DKIM at all (exota-milter.py: "if
// g_milter_dkim_enabled and policy.is_dkim_enabled()"), so neither is set.
func TestConvertExOTAEnv(t *testing.T) {
	policy, err := filepath.Abs("testdata/exota-policy-current.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name                   string
		env                    map[string]string
		wantRequired, wantFall bool
		wantListen             string
		wantWarn               []string
	}{
		{"dkim without tenant id", map[string]string{"MILTER_SOCKET": "inet:4321@127.0.0.1", "MILTER_POLICY_FILE": policy,
			"MILTER_DKIM_ENABLED": "", "MILTER_TRUSTED_AUTHSERVID": "mx.example.net", "MILTER_X509_ENABLED": "", "MILTER_REJECT_MESSAGE": "Go away",
			"MILTER_ADD_HEADER": "", "MILTER_AUTHSERVID": "gw.example.net"},
			true, true, "127.0.0.1:4321", []string{"MILTER_TRUSTED_AUTHSERVID", "MILTER_REJECT_MESSAGE", "MILTER_DKIM_ALIGNMENT_REQUIRED is False"}},
		{"tenant id only", map[string]string{"MILTER_POLICY_FILE": policy, "MILTER_TENANT_ID_REQUIRED": "", "MILTER_X509_ENABLED": "",
			"MILTER_X509_IP_WHITELIST": "127.0.0.1"},
			false, false, "unix:/socket/exota-milter", []string{"MILTER_X509_IP_WHITELIST", "ExOTA-Milter ignored the entries' dkim_enabled"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lookup := func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok }
			var stdout, stderr bytes.Buffer
			if err := convertExOTAEnv("", "gw.example.net", lookup, &stdout, &stderr); err != nil {
				t.Fatal(err)
			}
			l, err := Load(stdout.Bytes(), t.TempDir())
			if err != nil {
				t.Fatalf("output does not load: %v\n%s", err, stdout.String())
			}
			if l.Policy.DKIMRequired != tc.wantRequired || l.Policy.DKIMFallback != tc.wantFall || l.Section.Listen != tc.wantListen {
				t.Errorf("dkimRequired %v dkimFallback %v listen %q; want %v %v %q", l.Policy.DKIMRequired, l.Policy.DKIMFallback, l.Section.Listen, tc.wantRequired, tc.wantFall, tc.wantListen)
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
	env, err := ReadExOTAEnv(func(k string) (string, bool) {
		return map[string]string{"MILTER_X509_TRUSTED_CN": "mail.protection.office365.us"}[k], k == "MILTER_X509_TRUSTED_CN"
	})
	if err != nil || !slices.Equal(env.CertNames, []string{"mail.protection.office365.us"}) {
		t.Errorf("MILTER_X509_TRUSTED_CN: certNames %q, %v", env.CertNames, err)
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

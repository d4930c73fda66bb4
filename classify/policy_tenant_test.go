package classify

import (
	"slices"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// TestTenantPolicy: PolicyConfig.Tenants changes DKIMRequired and RelayKinds for the tenant it
// names only. Contoso mail from a cloud mailbox with a From in contoso.com relays by default; a
// DKIM requirement for contoso alone refuses it without a pass for a contoso signing domain and
// relays it with one; relayKinds [] for contoso refuses it; the same options for fabrikam leave
// contoso's mail alone.
func TestTenantPolicy(t *testing.T) {
	yes, no := true, false
	contoso := tenantgate.MustParseTenantID(contosoID)
	fabrikam := tenantgate.MustParseTenantID(fabrikamID)
	hdr := hContoso + hMailbox + hFrom
	pass := []DKIMResult{{Domain: "contoso.com", Result: "pass"}}
	for _, tc := range []struct {
		name   string
		c      PolicyConfig
		dkim   []DKIMResult
		want   Action
		reason string
	}{
		{"default", PolicyConfig{}, nil, Relay, ReasonRcptRelay},
		{"dkim required for contoso, no pass", PolicyConfig{Tenants: []TenantPolicy{{Tenant: contoso, DKIMRequired: &yes}}}, nil, Reject, ReasonTenantDKIMMissing},
		{"dkim required for contoso, pass", PolicyConfig{Tenants: []TenantPolicy{{Tenant: contoso, DKIMRequired: &yes}}}, pass, Relay, ReasonTenantDKIMConfirmed},
		{"dkim required for fabrikam only", PolicyConfig{Tenants: []TenantPolicy{{Tenant: fabrikam, DKIMRequired: &yes}}}, nil, Relay, ReasonRcptRelay},
		{"dkim required globally, not for contoso", PolicyConfig{DKIMRequired: true, Tenants: []TenantPolicy{{Tenant: contoso, DKIMRequired: &no}}}, nil, Relay, ReasonRcptRelay},
		{"relay kinds none for contoso", PolicyConfig{Tenants: []TenantPolicy{{Tenant: contoso, RelayKinds: []Kind{}}}}, nil, Reject, ReasonKindRelayDenied},
		{"relay kinds none for fabrikam", PolicyConfig{Tenants: []TenantPolicy{{Tenant: fabrikam, RelayKinds: []Kind{}}}}, nil, Relay, ReasonRcptRelay},
		{"relay kinds none globally, mailbox for contoso", PolicyConfig{RelayKinds: []Kind{}, Tenants: []TenantPolicy{{Tenant: contoso, RelayKinds: []Kind{Mailbox}}}}, nil, Relay, ReasonRcptRelay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := NewPolicy(demoDirectory(t), tc.c)
			if err != nil {
				t.Fatal(err)
			}
			v := p.Decide(Transaction{Session: exoSession(), MailFrom: "carol@contoso.com", RcptTo: relay1, Header: header(t, hdr), DKIM: tc.dkim})
			if len(v.Recipients) != 1 || v.Recipients[0].Action != tc.want {
				t.Fatalf("recipients %+v; want %s", v.Recipients, tc.want)
			}
			if !slices.ContainsFunc(v.Reasons, func(r tenantgate.Reason) bool { return r.Code == tc.reason }) {
				t.Errorf("reasons %v lack %s", v.Reasons, tc.reason)
			}
		})
	}
}

// TestTenantPolicyConfig: the JSON form, and NewPolicy refusing a tenant the gateway does not
// serve, a tenant listed twice and an unknown relay kind, each naming the entry.
func TestTenantPolicyConfig(t *testing.T) {
	for _, tc := range []struct{ json, err string }{
		{`{"tenants": [{"tenant": "` + contosoID + `", "dkimRequired": true, "relayKinds": ["mailbox"]}]}`, ""},
		{`{"tenants": [{"tenant": "aaaaaaaa-1111-1111-1111-111111111111"}]}`, "tenants[0]: aaaaaaaa-1111-1111-1111-111111111111 is not a tenant the gateway serves"},
		{`{"tenants": [{"tenant": "` + contosoID + `"}, {"tenant": "` + contosoID + `"}]}`, "tenants[1]: " + contosoID + " is listed twice"},
		{`{"tenants": [{"tenant": "` + contosoID + `", "relayKinds": ["everyone"]}]}`, `tenants[0]: unknown relay kind "everyone"`},
		{`{"tenants": [{}]}`, "tenants[0]: tenant: missing"},
	} {
		var c PolicyConfig
		if err := jsonstrict.Decode([]byte(tc.json), &c); err != nil {
			t.Fatalf("%s: %v", tc.json, err)
		}
		_, err := NewPolicy(demoDirectory(t), c)
		if (err == nil) != (tc.err == "") || (err != nil && !strings.Contains(err.Error(), tc.err)) {
			t.Errorf("%s: NewPolicy error %v; want %q", tc.json, err, tc.err)
		}
	}
}

// TestUsesDKIM: DKIM results are needed exactly when some option reads them.
func TestUsesDKIM(t *testing.T) {
	yes, no := true, false
	id := tenantgate.MustParseTenantID(contosoID)
	for _, tc := range []struct {
		c    PolicyConfig
		want bool
	}{
		{PolicyConfig{}, false},
		{PolicyConfig{DKIMFallback: true}, true},
		{PolicyConfig{DKIMRequired: true}, true},
		{PolicyConfig{Tenants: []TenantPolicy{{Tenant: id, DKIMRequired: &no}}}, false},
		{PolicyConfig{Tenants: []TenantPolicy{{Tenant: id, DKIMRequired: &yes}}}, true},
	} {
		if got := tc.c.UsesDKIM(); got != tc.want {
			t.Errorf("%+v.UsesDKIM() = %v; want %v", tc.c, got, tc.want)
		}
	}
}

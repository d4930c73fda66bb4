package tenantgate

import (
	"strings"
	"testing"
)

// TestOnPremisesRecipient: addresses compare with the local part case-folded and the domain
// normalised; domains and "*.domain" patterns cover their recipients; nothing else is on-premises.
func TestOnPremisesRecipient(t *testing.T) {
	d, err := Compile(Config{Tenants: []Tenant{{ID: MustParseTenantID("11111111-1111-1111-1111-111111111111"), Name: "contoso",
		AcceptedDomains: []AcceptedDomain{{Name: "contoso.com"}, {Name: "onprem.contoso.com"}, {Name: "eu.onprem.contoso.com"}},
		OnPremises:      &OnPremisesOrganization{Recipients: []string{"Julie@Contoso.COM", "*.onprem.contoso.com"}}}},
		Gateway: Gateway{Name: "gw.example.net"}})
	if err != nil {
		t.Fatal(err)
	}
	ten, _ := d.Tenant(MustParseTenantID("11111111-1111-1111-1111-111111111111"))
	for rcpt, want := range map[string]bool{
		"julie@contoso.com":                true,
		"<JULIE@contoso.com>":              true,
		"@relay.example:julie@contoso.com": true,
		"david@contoso.com":                false,
		"x@onprem.contoso.com":             true,
		"x@eu.onprem.contoso.com":          true,
		`"julie@contoso.com"@evil.example`: false,
		"":                                 false,
		"julie":                            false,
	} {
		if got := ten.OnPremisesRecipient(rcpt); got != want {
			t.Errorf("OnPremisesRecipient(%q) = %v, want %v", rcpt, got, want)
		}
	}
	var none *Tenant
	if none.OnPremisesRecipient("julie@contoso.com") {
		t.Error("nil tenant has on-premises recipients")
	}
}

// FuzzOnPremisesRecipient: any configured entry and any recipient either compile to an error or
// answer without panicking.
func FuzzOnPremisesRecipient(f *testing.F) {
	for _, s := range [][2]string{{"julie@contoso.com", "JULIE@contoso.com"}, {"*.contoso.com", "x@a.contoso.com"}, {`"a@b"@contoso.com`, `"a@b"@contoso.com`}, {"@x:y@contoso.com", "<y@contoso.com>"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, entry, rcpt string) {
		d, err := Compile(Config{Tenants: []Tenant{{ID: MustParseTenantID("11111111-1111-1111-1111-111111111111"), Name: "contoso",
			AcceptedDomains: []AcceptedDomain{{Name: "contoso.com"}}, OnPremises: &OnPremisesOrganization{Recipients: []string{entry}}}},
			Gateway: Gateway{Name: "gw.example.net"}})
		if err != nil {
			if !strings.Contains(err.Error(), "onPremises.recipients[0]") {
				t.Fatalf("error does not name the entry: %v", err)
			}
			return
		}
		ten, _ := d.Tenant(MustParseTenantID("11111111-1111-1111-1111-111111111111"))
		_ = ten.OnPremisesRecipient(rcpt)
		if strings.Contains(entry, "@") && ten.OnPremisesRecipient(entry) != true {
			t.Fatalf("the configured address %q is not on-premises", entry)
		}
	})
}

package classify

import (
	"net/netip"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/tlsid"
)

// certDirectory is contoso (T1) with the given accepted domains and one OnPremises connector for
// certificate name value, and fabrikam (T2) accepting fabrikam.com.
func certDirectory(t *testing.T, value string, accepted ...string) *tenantgate.Directory {
	t.Helper()
	var doms []string
	for _, a := range accepted {
		doms = append(doms, `{ "name": "`+a+`" }`)
	}
	cfg, err := tenantgate.LoadConfig(strings.NewReader(`{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
      "acceptedDomains": [ ` + strings.Join(doms, ", ") + ` ],
      "inbound": [ { "name": "onprem", "connectorType": "OnPremises", "tlsSenderCertificateName": "` + value + `" } ] },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "fabrikam.com" } ] } ],
  "gateway": { "name": "gw.example.net" } }`))
	if err != nil {
		t.Fatal(err)
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestAttributeCertificateDomain: the certificate domain is the wildcard connector value's base,
// the matched name and the matched name's parent, each tested against the tenant's accepted
// domains (issue 15 item 1). Before, only the exact presented name counted, so every "relay"
// case below whose MAIL FROM is not contoso's was refused with 5.7.64.
//
// Sources (cited next to certDomains):
//   - KB 4019940, relay-access-denied-attr36-ndr: a certificate hostname.subdomain.contoso.com
//     with only contoso.com accepted gets 550 5.7.64 ATTR36; "you have to add only
//     subdomain.contoso.com";
//   - office-365-notice: connector value *.contoso.com with CN mail.contoso.com relays, because
//     contoso.com is accepted — including NDRs (null sender) and forwards (a foreign MAIL FROM) to
//     Internet recipients, the scenarios that notice lists as needing the certificate condition.
func TestAttributeCertificateDomain(t *testing.T) {
	const relay, attr36, certRule = "250", "550 5.7.64", "550 5.7.51"
	for _, tc := range []struct {
		name     string
		value    string // the connector's TlsSenderCertificateName
		cert     string // the presented, verified name
		accepted []string
		from     string
		o        AttributeOptions
		want     string // reply prefix for x@gmail.com
	}{
		// KB 4019940's failure, under both readings of issue 15 item 2.
		{"ATTR36 older reading", "hostname.subdomain.contoso.com", "hostname.subdomain.contoso.com", []string{"contoso.com"},
			"app@vendor.example", AttributeOptions{CertificateNameMailFromFallback: true}, attr36},
		{"ATTR36 2025 reading", "hostname.subdomain.contoso.com", "hostname.subdomain.contoso.com", []string{"contoso.com"},
			"app@vendor.example", AttributeOptions{}, certRule},
		// Its documented fix: accept the parent of the host name.
		{"ATTR36 fixed by the parent", "hostname.subdomain.contoso.com", "hostname.subdomain.contoso.com", []string{"contoso.com", "subdomain.contoso.com"},
			"app@vendor.example", AttributeOptions{}, relay},
		// The HCW default: connector mail.contoso.com, contoso.com accepted — the parent counts.
		{"exact value, parent accepted", "mail.contoso.com", "mail.contoso.com", []string{"contoso.com"},
			"app@vendor.example", AttributeOptions{}, relay},
		// office-365-notice's wildcard value: its base is accepted.
		{"wildcard value, forward", "*.contoso.com", "mail.contoso.com", []string{"contoso.com"},
			"john@fabrikam.com", AttributeOptions{}, relay},
		{"wildcard value, NDR", "*.contoso.com", "mail.contoso.com", []string{"contoso.com"},
			"", AttributeOptions{}, relay},
		{"wildcard value, deep name", "*.contoso.com", "relay.eu.contoso.com", []string{"contoso.com"},
			"app@vendor.example", AttributeOptions{}, relay},
		// A wildcard value whose base nobody accepts: the 2025 rule is about non-wildcard values,
		// so MC1226222's MAIL FROM step decides; a foreign MAIL FROM is ATTR36.
		{"wildcard value, base not accepted", "*.mail.contoso.net", "a.mail.contoso.net", []string{"contoso.com"},
			"app@vendor.example", AttributeOptions{}, attr36},
		{"wildcard value, base not accepted, own MAIL FROM", "*.mail.contoso.net", "a.mail.contoso.net", []string{"contoso.com"},
			"a@contoso.com", AttributeOptions{}, relay},
		// The parent is one level only: a grandparent is not the certificate domain.
		{"grandparent does not count", "a.b.contoso.com", "a.b.contoso.com", []string{"contoso.com"},
			"app@vendor.example", AttributeOptions{CertificateNameMailFromFallback: true}, attr36},
		// Another tenant's accepted parent never makes the certificate domain this tenant's.
		{"parent accepted by another tenant", "mail.fabrikam.com", "mail.fabrikam.com", []string{"contoso.com"},
			"app@vendor.example", AttributeOptions{CertificateNameMailFromFallback: true}, attr36},
		// A presented wildcard "*.contoso.com" standing for the exact value mail.contoso.com: the
		// value and its parent count.
		{"wildcard certificate", "mail.contoso.com", "*.contoso.com", []string{"contoso.com"},
			"app@vendor.example", AttributeOptions{}, relay},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := certDirectory(t, tc.value, tc.accepted...)
			a := Attribute(d, Connection{RemoteAddr: netip.MustParseAddr("192.0.2.10"), MailFrom: tc.from,
				TLS:    tlsid.Evidence{TLS: true, Verified: true, Names: []string{tc.cert}},
				RcptTo: []string{"x@gmail.com"}}, tc.o)
			r := a.Recipients[0]
			if !strings.HasPrefix(r.Reply.String(), tc.want) {
				t.Fatalf("reply %q, want %s; reasons %v", r.Reply, tc.want, reasonCodes(a.Reasons))
			}
			if tc.want == relay && (r.Direction != Originating || r.Method != MethodCertificate || r.Tenant != t1) {
				t.Errorf("%+v, want Originating through contoso's connector by certificate", r)
			}
			wantPhase := PhaseRCPT
			if tc.want == attr36 {
				wantPhase = PhaseDATA
			}
			if r.Phase != wantPhase {
				t.Errorf("phase %q, want %q", r.Phase, wantPhase)
			}
		})
	}
}

// TestAttributeCertificateNameRule: under the June 2025 reading (the default) a connection whose
// certificate matched only connectors with a non-wildcard value not covered by an accepted
// domain fails with 5.7.51 for every recipient — also the tenant's own mailboxes and with its
// own MAIL FROM — and names the connector; under the older reading (KB 4019940) an accepted MAIL
// FROM carries it. Before, the older reading was taken silently.
func TestAttributeCertificateNameRule(t *testing.T) {
	d := certDirectory(t, "relay.contoso-mail.net", "contoso.com")
	c := Connection{RemoteAddr: netip.MustParseAddr("192.0.2.10"), MailFrom: "a@contoso.com",
		TLS:    tlsid.Evidence{TLS: true, Verified: true, Names: []string{"relay.contoso-mail.net"}},
		RcptTo: []string{"x@gmail.com", "u@contoso.com"}}
	a := Attribute(d, c, AttributeOptions{})
	for _, r := range a.Recipients {
		if r.Reply != ReplyCertificateNotAccepted || r.Accepted || r.Phase != PhaseRCPT || r.Connector != "onprem" || r.Tenant != t1 {
			t.Errorf("2025 reading: %+v, want 550 5.7.51 at RCPT naming contoso's connector", r)
		}
	}
	if got := strings.Join(reasonCodes(a.Reasons), " "); !strings.Contains(got, ReasonAttrOnPremCertNameNotAccepted) {
		t.Errorf("reasons %s, want %s", got, ReasonAttrOnPremCertNameNotAccepted)
	}
	a = Attribute(d, c, AttributeOptions{CertificateNameMailFromFallback: true})
	for _, r := range a.Recipients {
		if !r.Accepted || r.Direction != Originating {
			t.Errorf("older reading: %+v, want Originating (MAIL FROM contoso.com is accepted)", r)
		}
	}
}

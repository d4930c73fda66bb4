package classify

import (
	"net/mail"
	"strconv"
	"testing"

	"github.com/emersion/go-msgauth/authres"
	"github.com/tenantgate/tenantgate"
)

// authresVerdict is the verdict header's value as go-msgauth's authres.Format writes it: the
// reference formatVerdict must equal.
func authresVerdict(servID string, val authres.ResultValue, hop, kind, origin, tenant string) string {
	params := map[string]string{"policy.origin": origin, verdictHopParam: hop}
	if tenant != "" {
		params["policy.tenant"] = tenant
	}
	if kind != "" {
		params["policy.kind"] = kind
	}
	return authres.Format(servID, []authres.Result{&authres.GenericResult{Method: verdictMethod, Value: val, Params: params}})
}

// TestVerdictFieldLikeAuthres: the verdict header is authres.Format's text for every origin,
// kind, hop and tenant the policy writes, and for values the fast path does not take.
func TestVerdictFieldLikeAuthres(t *testing.T) {
	p := &Policy{o: options{authServID: "gw.example.net", header: "Authentication-Results"}}
	tenant := tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111")
	vals := map[Origin]authres.ResultValue{OwnTenant: authres.ResultPass, OtherTenant: authres.ResultFail, Internet: "none", "": "none"}
	for origin, val := range vals {
		for _, kind := range []Kind{"", Mailbox, OnPremises, Relayed, "weird kind", "x=y", "Ünicode"} {
			for _, hop := range []int{0, 1, 9, 256} {
				for _, tid := range []tenantgate.TenantID{{}, tenant} {
					v := Verdict{Origin: origin, Kind: kind, Hop: hop, Tenant: tid}
					ts := ""
					if !tid.IsZero() {
						ts = tid.String()
					}
					got := p.verdictField(&v)
					want := authresVerdict("gw.example.net", val, strconv.Itoa(hop), string(kind), string(origin), ts)
					if got.Name != "Authentication-Results" || got.Value != want {
						t.Errorf("%q %q %d %v:\n got %s: %s\nwant Authentication-Results: %s", origin, kind, hop, tid, got.Name, got.Value, want)
					}
				}
			}
		}
	}
}

// FuzzFormatVerdict: where formatVerdict takes a value, its text is authres.Format's.
func FuzzFormatVerdict(f *testing.F) {
	f.Add("gw.example.net", "pass", "1", "mailbox", "own-tenant", "11111111-1111-1111-1111-111111111111")
	f.Add("gw", "none", "", "", "internet", "")
	f.Fuzz(func(t *testing.T, servID, val, hop, kind, origin, tenant string) {
		got, ok := formatVerdict(servID, authres.ResultValue(val), hop, kind, origin, tenant)
		if !ok {
			return
		}
		if want := authresVerdict(servID, authres.ResultValue(val), hop, kind, origin, tenant); got != want {
			t.Errorf("got  %q\nwant %q", got, want)
		}
	})
}

// FuzzPlainMailbox: every From value plainMailbox reads, net/mail reads as one mailbox with the
// same address and no group syntax, so the policy's answer does not depend on which one read it.
func FuzzPlainMailbox(f *testing.F) {
	for _, s := range []string{"User <user@contoso.com>", "user@contoso.com", "<a@b>", "  A  B\t<a.b@c.d> ", "a..b@c", "=?utf-8?q?x?= <a@b>",
		"\"Q\" <a@b>", "A <a@b>, B <c@d>", "g: a@b;", "a@[1.2.3.4]", "A\v<a@b>", "(c) a@b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, v string) {
		addr, ok := plainMailbox(v)
		if !ok {
			return
		}
		list, err := mail.ParseAddressList(v)
		if err != nil {
			t.Fatalf("plainMailbox(%q) = %q, net/mail: %v", v, addr, err)
		}
		if len(list) != 1 || list[0].Address != addr || groupSyntax(v) {
			t.Fatalf("plainMailbox(%q) = %q, net/mail %v (group syntax %v)", v, addr, list, groupSyntax(v))
		}
	})
}

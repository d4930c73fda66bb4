package classify

import (
	"bufio"
	"bytes"
	"fmt"
	"net/mail"
	"net/netip"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/tlsid"
)

// checkInvariant restates the invariant of docs/threat-model.md#trust-rules (rules 1 and 2) without
// the policy's code: own-tenant only when the peer is verified Exchange Online (address in the
// networks, a verified certificate named exactly mail.protection.outlook.com) and every
// X-MS-Exchange-CrossTenant-Id parses and names the same served tenant (or, with DKIMFallback,
// there is none); a relay recipient only for own-tenant mail; a DKIM domain only with a relay
// recipient. Every reason code is declared.
func checkInvariant(p *Policy, s Session, v Verdict, h textproto.Header) error {
	if err := checkDeclared(v.Reasons); err != nil {
		return err
	}
	for _, r := range v.Recipients {
		if err := checkDeclared(r.Reasons); err != nil {
			return err
		}
	}
	relays := 0
	for _, r := range v.Recipients {
		if r.Action == Relay {
			relays++
		}
	}
	if relays > 0 && v.Origin != OwnTenant {
		return fmt.Errorf("relay recipient with origin %s", v.Origin)
	}
	if v.DKIMDomain != "" && relays == 0 {
		return fmt.Errorf("DKIM domain %s without a relay recipient", v.DKIMDomain)
	}
	if v.Origin != OwnTenant {
		return nil
	}
	a := s.RemoteAddr.Unmap().WithZone("")
	inNet := false
	for _, n := range p.d.Gateway().ExchangeOnline.Networks {
		inNet = inNet || n.Contains(a)
	}
	named := false
	for _, n := range s.TLS.Names {
		named = named || strings.EqualFold(n, "mail.protection.outlook.com")
	}
	if !inNet || !s.TLS.TLS || !s.TLS.Verified || !named {
		return fmt.Errorf("own-tenant from an unverified peer %v %+v", s.RemoteAddr, s.TLS)
	}
	var ids []tenantgate.TenantID
	for f := h.Fields(); f.Next(); {
		v := f.Value()
		switch {
		case strings.EqualFold(f.Key(), "X-MS-Exchange-CrossTenant-Id"):
		case p.o.eopEvidence && strings.EqualFold(f.Key(), "X-EOPTenantAttributedMessage"):
			// With EOPTenantAttributedEvidence the operator made this field tenant evidence too;
			// Exchange Online writes it as "<GUID>:<n>".
			if i := strings.LastIndexByte(v, ':'); i == 36 && strings.Trim(v[i+1:], "0123456789") == "" && i+1 < len(v) {
				v = v[:i]
			}
		default:
			continue
		}
		id, err := tenantgate.ParseTenantID(v)
		if err != nil {
			return fmt.Errorf("own-tenant with a malformed tenant field %s: %q", f.Key(), f.Value())
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		if !p.o.dkimFallback {
			return fmt.Errorf("own-tenant without a CrossTenant-Id")
		}
		if !p.d.Serves(v.Tenant) {
			return fmt.Errorf("own-tenant for unserved tenant %s", v.Tenant)
		}
		return nil
	}
	for _, id := range ids {
		if id != ids[0] {
			return fmt.Errorf("own-tenant with conflicting CrossTenant-Ids %s, %s", ids[0], id)
		}
	}
	if ids[0] != v.Tenant || !p.d.Serves(ids[0]) {
		return fmt.Errorf("own-tenant %s but evidence says %s (served %v)", v.Tenant, ids[0], p.d.Serves(ids[0]))
	}
	return nil
}

// checkSenderInvariant restates sender binding (issue 12) without the policy's code: a relay
// recipient of own-tenant mail implies that the MAIL FROM domain (unless null) and, for mailbox,
// on-premises and unknown kinds or a null MAIL FROM, the domain of the single From mailbox are
// the tenant's — an accepted domain (Accepts) or a match of one of its sendAs patterns (a
// linear scan, not the index) — and never at or below another served tenant's accepted domain
// unless the tenant accepts the domain itself.
func checkSenderInvariant(p *Policy, v Verdict, mailFrom string, h textproto.Header) error {
	relays := false
	for _, r := range v.Recipients {
		relays = relays || r.Action == Relay
	}
	if !relays {
		return nil
	}
	t, ok := p.d.Tenant(v.Tenant)
	if !ok {
		return fmt.Errorf("relay for tenant %s the directory does not know", v.Tenant)
	}
	allowed := func(what, addr string) error {
		dom, err := tenantgate.AddressDomain(addr)
		if err != nil {
			return fmt.Errorf("relay with an unparsable %s %q", what, addr)
		}
		if p.d.Accepts(t.ID, dom) {
			return nil
		}
		for _, o := range p.d.Tenants() {
			if o.ID == t.ID || !p.d.Serves(o.ID) {
				continue
			}
			for _, ad := range o.AcceptedDomains {
				if dom.IsSubdomainOf(ad.Name) {
					return fmt.Errorf("relay for %s with %s %s of served tenant %s", t.Name, what, dom, o.Name)
				}
			}
		}
		for _, pat := range t.SendAs {
			if pat.Match(dom) {
				return nil
			}
		}
		return fmt.Errorf("relay for %s with %s %s, neither accepted nor sendAs", t.Name, what, dom)
	}
	null := strings.TrimSpace(mailFrom) == "" || strings.TrimSpace(mailFrom) == "<>"
	if !null {
		if err := allowed("MAIL FROM", mailFrom); err != nil {
			return err
		}
	}
	if v.Kind == Relayed && !null {
		return nil
	}
	var from []string
	for f := h.Fields(); f.Next(); {
		if strings.EqualFold(f.Key(), "From") {
			from = append(from, f.Value())
		}
	}
	if len(from) != 1 {
		return fmt.Errorf("relay of %s mail with %d From fields", v.Kind, len(from))
	}
	list, err := mail.ParseAddressList(from[0])
	if err != nil || len(list) != 1 {
		return fmt.Errorf("relay of %s mail with From %q (%d mailboxes, %v)", v.Kind, from[0], len(list), err)
	}
	return allowed("From", list[0].Address)
}

// FuzzPolicyMessage feeds random header blocks, envelopes and sessions to Decide and checks the
// invariant and sender binding (checkSenderInvariant). The session is chosen by a byte: verified EXO, EXO IP without TLS, a near-miss name,
// an Internet peer, an IPv4-mapped EXO address; the flags byte switches options.
func FuzzPolicyMessage(f *testing.F) {
	seeds := policyFuzzSeeds()
	for i, s := range seeds {
		f.Add([]byte(s), byte(i), byte(i), "carol@contoso.com", "erin@woodgrove.example,alice@contoso.com")
	}
	// Sender binding (issue 12); flag 64 selects the configuration with sendAs and a second
	// served tenant domain under a sendAs wildcard.
	fwd := "X-MS-Exchange-CrossTenant-AuthAs: Anonymous\r\nX-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\n"
	for i, c := range []struct{ hdr, mailFrom string }{
		{hContoso + hMailbox + "From: ceo@fabrikam.com\r\n", "ceo@fabrikam.com"},
		{hContoso + hMailbox + "From: x@fabrikam.group.example\r\n", "x@fabrikam.group.example"},
		{hContoso + hMailbox + "From: n@partner.example\r\n", "b@mail.news.example"},
		{hContoso + hMailbox + "From: postmaster@contoso.com\r\n", "<>"},
		{hContoso + fwd + "From: ceo@fabrikam.com\r\n", "bounces+SRS=44ldt=IX=fabrikam.com=ceo@contoso.com"},
		{hContoso + fwd + "From: ceo@fabrikam.com\r\n", ""},
		{hContoso + hMailbox + "From: a@x.sub.contoso.net\r\n", "a@mail.contoso.com"},
		{hContoso + hMailbox + "From: x@fabrikam.onmicrosoft.com\r\n", "carol@contoso.onmicrosoft.com"},
	} {
		f.Add([]byte(c.hdr), byte(0), byte(64|2|i&1), c.mailFrom, "erin@woodgrove.example,alice@fabrikam.com")
	}
	d := demoDirectory(f)
	dSendAs := configDirectory(f, "sendas.json")
	f.Fuzz(func(t *testing.T, hdr []byte, sess, flags byte, mailFrom, rcpts string) {
		h, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(hdr)))
		if err != nil {
			return
		}
		c := PolicyConfig{
			DKIMFallback:                flags&1 != 0,
			AcceptObsoleteFieldSyntax:   flags&4 != 0,
			EOPTenantAttributedEvidence: flags&8 != 0,
			RejectDuplicateTenantID:     flags&16 != 0,
			DKIMRequired:                flags&32 != 0,
		}
		if flags&2 != 0 {
			c.RelayKinds = []Kind{Mailbox, OnPremises, Relayed}
		}
		dir := d
		if flags&64 != 0 {
			dir = dSendAs
		}
		p, err := NewPolicy(dir, c)
		if err != nil {
			t.Fatal(err)
		}
		s := fuzzSession(sess)
		rcpt := strings.Split(rcpts, ",")
		if len(rcpt) > 50 {
			rcpt = rcpt[:50]
		}
		dkim := []DKIMResult{{Domain: "contoso.com", Result: "pass"}, {Domain: mailFrom, Result: "pass"}}
		v := p.Decide(Transaction{Session: s, MailFrom: mailFrom, RcptTo: rcpt, Header: h, DKIM: dkim})
		if err := checkInvariant(p, s, v, h); err != nil {
			t.Fatal(err)
		}
		if err := checkSenderInvariant(p, v, mailFrom, h); err != nil {
			t.Fatal(err)
		}
		if len(v.Recipients) != len(rcpt) {
			t.Fatalf("%d recipient actions for %d recipients", len(v.Recipients), len(rcpt))
		}
		// Recipient and Decide agree: what Recipient refuses, Decide refuses; what it takes
		// inbound, Decide takes inbound (or refuses as a loop or for a bad header).
		for i, r := range rcpt {
			rv := p.Recipient(s, r)
			m := v.Recipients[i]
			// A refusal carries a refusal reply (4xx or 5xx, what ParseReply accepts); nothing
			// else carries a reply: an SMTP server hands the reply on as it is.
			for _, x := range []struct {
				act   Action
				reply tenantgate.Reply
			}{{rv.Action, rv.Reply}, {m.Action, m.Reply}} {
				if _, err := tenantgate.ParseReply(x.reply.String()); (x.act == Reject) != (err == nil) {
					t.Fatalf("%q: action %s with reply %q (%v)", r, x.act, x.reply, err)
				}
			}
			switch {
			case rv.Action == Reject && m.Action != Reject:
				t.Fatalf("%q: Recipient rejects, Decide says %s", r, m.Action)
			case rv.Action == Inbound && m.Action != Inbound && m.Reply != ReplyLoop:
				t.Fatalf("%q: Recipient inbound, Decide says %s %s", r, m.Action, m.Reply)
			}
		}
		// Removing and adding never panics and leaves exactly one verdict header with our id.
		v.Apply(&h)
	})
}

func fuzzSession(b byte) Session {
	s := exoSession()
	switch b % 6 {
	case 1:
		s.TLS = tlsid.Evidence{}
	case 2:
		s.TLS.Names = []string{"mail.protection.outlook.comx"}
	case 3:
		s = internetSession()
		s.TLS = exoSession().TLS
	case 4:
		s.RemoteAddr = netip.MustParseAddr("::ffff:40.107.1.1")
	case 5:
		s.TLS.Verified = false
	}
	return s
}

// FuzzVerdictHeader checks the reader of the verdict header against its writer: whatever the
// authserv-id and hop, headers.AuthServID and headers.ScanEvidence (with the policy's options, as
// Message calls it) read back what verdictField wrote — one copy of our own header, readable, with
// its hop — and a field ScanEvidence takes for ours names our id.
func FuzzVerdictHeader(f *testing.F) {
	f.Add("gw.example.net", 3, "gw.example.net (c); x-tenantgate=pass policy.hop=7")
	f.Add("relay.example", 999, "spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=x")
	f.Add("a", 1, "((nested) comment\\) a; none")
	d := demoDirectory(f)
	f.Fuzz(func(t *testing.T, id string, hop int, other string) {
		_, _ = headers.AuthServID(other)
		_ = groupSyntax(other)
		if id == "" {
			return // the zero AuthServID is the gateway's: not this test's input
		}
		p, err := NewPolicy(d, PolicyConfig{AuthServID: id})
		if err != nil {
			return // not a valid authserv-id
		}
		hop = 1 + (hop%maxHopValue+maxHopValue)%maxHopValue
		v := Verdict{Origin: OwnTenant, Kind: Mailbox, Hop: hop}
		fld := p.verdictField(&v)
		want, err := headers.AuthServID(id)
		if err != nil {
			t.Fatalf("headers.AuthServID(%q) of an id NewPolicy took: %v", id, err)
		}
		if got, err := headers.AuthServID(fld.Value); err != nil || got != want {
			t.Fatalf("headers.AuthServID(%q) = %q, %v; want %q", fld.Value, got, err, want)
		}
		var h textproto.Header
		h.Add(fld.Name, fld.Value)
		e := p.scan(&Transaction{Header: h}, true)
		if len(e.Verdicts) != 1 || e.UnreadableVerdicts != 0 || e.VerdictHop != hop {
			t.Fatalf("ScanEvidence(%q) = %d copies, %d unreadable, hop %d; want 1, 0, %d", fld.Value, len(e.Verdicts), e.UnreadableVerdicts, e.VerdictHop, hop)
		}
		var o textproto.Header
		o.Add("Authentication-Results", other)
		e = p.scan(&Transaction{Header: o}, true)
		if e.VerdictHop < 0 || e.VerdictHop > maxHopValue {
			t.Fatalf("ScanEvidence(%q): hop %d", other, e.VerdictHop)
		}
		if len(e.Verdicts) > 0 && !strings.Contains(strings.ToLower(strings.ReplaceAll(other, "\\", "")), want) {
			t.Fatalf("ScanEvidence(%q) takes it for ours, but it does not name %q", other, want)
		}
	})
}

// policyFuzzSeeds are the header blocks FuzzPolicyMessage and FuzzDecideHeaderBlock start from.
func policyFuzzSeeds() []string {
	return []string{
		hContoso + hMailbox + hFrom,
		hAttacker + hMailbox,
		hContoso + hAttacker,
		hContoso + hContoso + hMailbox,
		"x-ms-exchange-crosstenant-id : " + contosoID + "\r\n" + hMailbox,
		"X-MS-Exchange-CrossTenant-Id:\r\n " + contosoID + "\r\n",
		"Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=4\r\n" + hContoso + hMailbox,
		"X-EOPTenantAttributedMessage: " + contosoID + ":0\r\n" + hMailbox,
		"From: a@contoso.com, b@contoso.com\r\nFrom: c@contoso.com\r\n",
		"X-MS-Exchange-CrossTenant-Id: {" + contosoID + "}\r\n",
	}
}

package scenario

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
)

// PolicyConfigOf is a file's policy object (nil: the defaults).
func policyConfigOf(o *classify.PolicyConfig) classify.PolicyConfig {
	if o == nil {
		return classify.PolicyConfig{}
	}
	return *o
}

// GatewayTransaction converts a gateway case into a classify.Transaction. The header block is read
// with headers.Read (default limits), as an MTA would read it; a read error becomes the
// transaction's HeaderError, which the policy turns into refusals.
func gatewayTransaction(env *Env, c *GatewayCase) (classify.Transaction, error) {
	ip, err := parseAddr("session.remoteAddr", c.Session.RemoteAddr)
	if err != nil {
		return classify.Transaction{}, err
	}
	var raw []byte
	switch {
	case c.Header != "" && c.HeaderFile != "":
		return classify.Transaction{}, fmt.Errorf("both header and headerFile are set; give one")
	case c.HeaderFile != "":
		if raw, err = env.ReadRelative(c.HeaderFile); err != nil {
			return classify.Transaction{}, fmt.Errorf("headerFile: %v", err)
		}
	default:
		raw = []byte(c.Header)
	}
	t := classify.Transaction{
		Session:  classify.Session{RemoteAddr: ip, HELO: c.Session.HELO, TLS: evidenceOf(c.Session.TLS)},
		MailFrom: c.MailFrom,
		RcptTo:   c.RcptTo,
		DKIM:     c.DKIM,
	}
	t.Header, t.HeaderError = headers.Read(bytes.NewReader(raw), headers.Limits{})
	return t, nil
}

var (
	origins = []string{string(classify.OwnTenant), string(classify.OtherTenant), string(classify.Internet)}
	kinds   = []string{"", string(classify.Mailbox), string(classify.OnPremises), string(classify.Relayed)}
	actions = []string{string(classify.Inbound), string(classify.Relay), string(classify.Reject)}
)

// EvalGateway evaluates one gateway case with classify.Policy and the file's policy options: the
// Decide verdict is compared with the expectation, and every recipient's Recipient-stage answer
// must agree with it (what RCPT refused stays refused; what it took inbound stays inbound unless
// the message loops or its header is unreadable).
func EvalGateway(env *Env, c *GatewayCase) []string {
	var m mismatches
	p, err := classify.NewPolicy(env.Dir, policyConfigOf(env.File.Policy))
	if err != nil {
		m.Addf("policy: %v", err)
		return m
	}
	t, err := gatewayTransaction(env, c)
	if err != nil {
		m.Addf("%v", err)
		return m
	}
	got := p.Decide(t)
	w := &c.Expect
	enum(&m, "origin", w.Origin, origins)
	enum(&m, "kind", w.Kind, kinds)
	m.String("origin", w.Origin, string(got.Origin))
	m.Tenant("tenant", w.Tenant, got.Tenant)
	m.String("kind", w.Kind, string(got.Kind))
	m.String("dkimDomain", w.DKIMDomain, string(got.DKIMDomain))
	m.Reasons(w.Reasons, got.Reasons)
	for _, code := range w.NoReasons {
		for _, r := range got.Reasons {
			if r.Code == code {
				m.Addf("noReasons: %q is present: %s", code, r)
				break
			}
		}
	}
	if w.Hop != nil && *w.Hop != got.Hop {
		m.Addf("hop: want %d, got %d", *w.Hop, got.Hop)
	}
	if w.Remove != nil {
		names := []string{}
		for _, f := range got.Remove {
			names = append(names, f.Name)
		}
		if !slices.Equal(w.Remove, names) {
			m.Addf("remove: want %q, got %q", w.Remove, names)
		}
	}
	for i, wr := range w.Recipients {
		var g *classify.RecipientAction
		for j := range got.Recipients {
			if got.Recipients[j].Rcpt == wr.Rcpt {
				g = &got.Recipients[j]
				break
			}
		}
		if g == nil {
			m.Addf("expect.recipients[%d]: %q is not among rcptTo", i, wr.Rcpt)
			continue
		}
		pfx := wr.Rcpt + ": "
		enum(&m, pfx+"action", wr.Action, actions)
		m.String(pfx+"action", wr.Action, string(g.Action))
		m.Prefix(pfx+"reply", wr.Reply, g.Reply.String())
		m.Tenant(pfx+"tenant", wr.Tenant, g.Tenant)
	}
	for i, r := range t.RcptTo {
		rv := p.Recipient(t.Session, r)
		g := got.Recipients[i]
		switch {
		case rv.Action == classify.Reject && g.Action != classify.Reject:
			m.Addf("%s: Recipient rejected it (%s) but Decide says %s", r, rv.Reply, g.Action)
		case rv.Action == classify.Inbound && g.Action != classify.Inbound && g.Reply != classify.ReplyLoop && g.Reply != classify.ReplyHeaderInvalid:
			m.Addf("%s: Recipient took it inbound but Decide says %s %s", r, g.Action, g.Reply)
		}
	}
	return m
}

// enum checks that an expectation uses one of the spellings of testdata/scenarios/README.md.
func enum(m *mismatches, what string, want *string, allowed []string) {
	if want != nil && !slices.Contains(allowed, *want) {
		m.Addf("%s: expectation %q is not one of %q", what, *want, allowed)
	}
}

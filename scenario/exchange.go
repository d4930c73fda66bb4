package scenario

import (
	"fmt"
	"slices"

	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/headers"
)

// ExchangeConnection converts a file's connection into a classify.Connection.
func exchangeConnection(c *Connection) (classify.Connection, error) {
	ip, err := parseAddr("connection.remoteAddr", c.RemoteAddr)
	if err != nil {
		return classify.Connection{}, err
	}
	conn := classify.Connection{
		RemoteAddr:    ip,
		HELO:          c.HELO,
		TLS:           evidenceOf(c.TLS),
		MailFrom:      c.MailFrom,
		RcptTo:        c.RcptTo,
		CrossPremises: c.CrossPremises,
	}
	for i, v := range c.Received {
		r, err := headers.ParseReceived(v)
		if err != nil {
			return classify.Connection{}, fmt.Errorf("connection.received[%d]: %v", i, err)
		}
		r.Index = i
		conn.Received = append(conn.Received, r)
	}
	return conn, nil
}

// EvalExchange evaluates one exchange case with classify.Attribute and the file's
// exchangeOptions.
func EvalExchange(env *Env, c *ExchangeCase) []string {
	var m mismatches
	conn, err := exchangeConnection(&c.Connection)
	if err != nil {
		m.Addf("%v", err)
		return m
	}
	var o classify.AttributeOptions
	if env.File.ExchangeOptions != nil {
		o = *env.File.ExchangeOptions
	}
	got := classify.Attribute(env.Dir, conn, o)
	for i, w := range c.Expect.Recipients {
		var g *classify.RecipientAttribution
		for j := range got.Recipients {
			if got.Recipients[j].Rcpt == w.Rcpt {
				g = &got.Recipients[j]
				break
			}
		}
		if g == nil {
			m.Addf("expect.recipients[%d]: %q is not among the connection's recipients", i, w.Rcpt)
			continue
		}
		p := fmt.Sprintf("%s: ", w.Rcpt)
		m.Bool(p+"accepted", w.Accepted, g.Accepted)
		m.Tenant(p+"tenant", w.Tenant, g.Tenant)
		m.String(p+"connector", w.Connector, g.Connector)
		m.String(p+"method", w.Method, string(g.Method))
		m.String(p+"direction", w.Direction, string(g.Direction))
		m.String(p+"authAs", w.AuthAs, string(g.AuthAs))
		m.Prefix(p+"reply", w.Reply, g.Reply.String())
		m.String(p+"phase", w.Phase, string(g.Phase))
	}
	m.Addr("originalClientIP", c.Expect.OriginalClientIP, got.OriginalClientIP)
	m.Reasons(c.Expect.Reasons, got.Reasons)
	if len(c.Expect.Stamps) > len(got.Stamps) {
		m.Addf("stamps: want at least %d, got %d", len(c.Expect.Stamps), len(got.Stamps))
	}
	for i := range min(len(c.Expect.Stamps), len(got.Stamps)) {
		w, g := &c.Expect.Stamps[i], &got.Stamps[i]
		p := fmt.Sprintf("stamps[%d].", i)
		m.Tenant(p+"tenant", w.Tenant, g.Tenant)
		if w.Recipients != nil && !slices.Equal(w.Recipients, g.Recipients) {
			m.Addf("%srecipients: want %q, got %q", p, w.Recipients, g.Recipients)
		}
		m.String(p+"connector", w.Connector, g.Connector)
		m.String(p+"direction", w.Direction, string(g.Direction))
		m.String(p+"authAs", w.AuthAs, string(g.AuthAs))
		m.String(p+"fromEntityHeader", w.FromEntityHeader, g.FromEntityHeader)
		m.String(p+"dir", w.DIR, g.DIR)
		m.Addr(p+"cip", w.CIP, g.CIP)
		headerValue(&m, p+"externalOriginalInternetSender", w.ExternalOriginalInternetSender, g.ExternalOriginalInternetSender)
		headerValue(&m, p+"skipListedInternetSender", w.SkipListedInternetSender, g.SkipListedInternetSender)
	}
	return m
}

// headerValue compares a stamped header value: "" means not stamped, anything else is a prefix.
func headerValue(m *mismatches, what string, want *string, got string) {
	if want != nil && *want == "" && got != "" {
		m.Addf("%s: want not stamped, got %q", what, got)
		return
	}
	m.Prefix(what, want, got)
}

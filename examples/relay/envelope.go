package main

import (
	"fmt"
	"net/netip"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-smtp"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/rfc5322"
)

// go-smtp's server hands the session the decoded mailbox: `"a b"@x` arrives as `a b@x`. Written
// as it is into a command towards the next hop, a local part such as
// `"victim@evil.example> ORCPT=rfc822;x"@contoso.com` would end the path early and add a
// parameter the client never sent. So every address is re-encoded here, at MAIL and RCPT, and
// the relay uses only the encoded form afterwards: for the policy, for the route, for the logs and
// towards the next hop — the policy classifies exactly the mailbox the next hop receives.

// maxPath is RFC 5321 §4.5.3.1.3's limit for a reverse- or forward-path: 256 octets including
// the angle brackets.
const maxPath = 256

// Replies for addresses the relay will not forward. RFC 3463: 5.1.3 bad destination mailbox
// address syntax (also used for the sender), 5.6.7 non-ASCII address without SMTPUTF8
// (RFC 6531 §3.5), 5.6.3 conversion required but not supported, 5.5.1 bad command sequence.
// The next-hop refusals come at RCPT (a served tenant's recipient) or at the end of DATA (a
// relayed recipient, whose MX is contacted only then), so they use 550, valid at both.
var (
	errAddrControl  = addrError(553, 5, 1, 3, "Address contains a control character")
	errAddrAngle    = addrError(553, 5, 1, 3, "Address contains '<' or '>'")
	errAddrInvalid  = addrError(553, 5, 1, 3, "Address is not valid UTF-8")
	errAddrLocal    = addrError(553, 5, 1, 3, "Address has no local part")
	errAddrDomain   = addrError(553, 5, 1, 3, "Address has no valid domain or address literal")
	errAddrTooLong  = addrError(553, 5, 1, 3, "Address longer than 254 octets (RFC 5321 §4.5.3.1.3)")
	errAddrNonASCII = addrError(553, 5, 6, 7, "Non-ASCII address requires SMTPUTF8")
	errHopNoUTF8    = addrError(550, 5, 6, 7, "Message needs SMTPUTF8, which the next hop does not offer")
	errHopNo8Bit    = addrError(550, 5, 6, 3, "Message declared 8BITMIME, which the next hop does not offer")
	errNoMail       = addrError(503, 5, 5, 1, "Send MAIL FROM first")
)

func addrError(code, a, b, c int, msg string) *smtp.SMTPError {
	return &smtp.SMTPError{Code: code, EnhancedCode: smtp.EnhancedCode{a, b, c}, Message: msg}
}

// mailFrom is the MAIL command the relay sends to a next hop: the client's reverse-path
// re-encoded, and the parameters it forwards.
type mailFrom struct {
	// Path is the reverse-path in RFC 5321 form, without angle brackets; "" is the null path.
	Path string
	// UTF8: the client sent SMTPUTF8 (forwarded; the next hop must offer it).
	UTF8 bool
	// EightBit: the client declared BODY=8BITMIME (the next hop must offer 8BITMIME).
	EightBit bool
	// Size is the client's SIZE declaration (go-smtp parsed it as a 32-bit decimal), 0 for none.
	Size int64
}

// newMailFrom checks and encodes MAIL FROM. Only SMTPUTF8, BODY and SIZE are taken from the
// client's parameters; AUTH= is dropped (RFC 4954 §5 lets a server not forward it), and the
// others are refused by go-smtp before this, because the relay does not offer their extensions.
func newMailFrom(from string, o *smtp.MailOptions) (mailFrom, *smtp.SMTPError) {
	var m mailFrom
	if o != nil {
		m.UTF8, m.EightBit, m.Size = o.UTF8, o.Body == smtp.Body8BitMIME, o.Size
	}
	if from == "" {
		return m, nil
	}
	p, err := encodeMailbox(from, m.UTF8)
	if err != nil {
		return mailFrom{}, err
	}
	m.Path = p
	return m, nil
}

// options are the go-smtp client options for the next hop's MAIL. go-smtp's client adds
// BODY=8BITMIME itself when the next hop offers 8BITMIME, and SIZE only when it offers SIZE.
func (m mailFrom) options() *smtp.MailOptions {
	return &smtp.MailOptions{Size: m.Size, UTF8: m.UTF8}
}

// sendMail sends m as MAIL on c, a go-smtp client that has said EHLO to host. A message that
// needs SMTPUTF8 or 8BITMIME goes only to a next hop that offers it (RFC 6531 §3.2, RFC 6152 §3);
// the relay converts nothing.
func sendMail(c *smtp.Client, host string, m mailFrom) (*smtp.SMTPError, error) {
	if ok, _ := c.Extension("SMTPUTF8"); m.UTF8 && !ok {
		return errHopNoUTF8, fmt.Errorf("%s does not offer SMTPUTF8", host)
	}
	if ok, _ := c.Extension("8BITMIME"); m.EightBit && !ok {
		return errHopNo8Bit, fmt.Errorf("%s does not offer 8BITMIME", host)
	}
	if err := c.Mail(m.Path, m.options()); err != nil {
		return replyFor(host, err), err
	}
	return nil, nil
}

// encodeMailbox returns addr, a mailbox as go-smtp decoded it, in RFC 5321 §4.1.2 form (without
// angle brackets), or the reply refusing it:
//
//   - split at the last '@' (a quoted local part may hold '@'; a domain never does);
//   - the local part as a Dot-string when it is one, else as a Quoted-string with '"' and '\'
//     escaped;
//   - the domain part a domain (LDH labels; U-labels only with SMTPUTF8) that
//     tenantgate.ParseDomain accepts, as the policy reads it, or an RFC 5321 §4.1.3 IPv4 or
//     IPv6 address literal, as the client wrote it;
//   - refused: control characters anywhere (RFC 5321 §4.1.2: they MUST NOT be used in MAIL or
//     RCPT), '<' and '>' anywhere (legal inside quotes, but a next hop that ends the path at the
//     first '>' would read a different mailbox), invalid UTF-8, non-ASCII without SMTPUTF8
//     (553 5.6.7, RFC 6531 §3.5), an empty local part, a path over 256 octets.
func encodeMailbox(addr string, smtputf8 bool) (string, *smtp.SMTPError) {
	ascii := true
	for i := 0; i < len(addr); i++ {
		switch b := addr[i]; {
		case b < 0x20 || b == 0x7f:
			return "", errAddrControl
		case b == '<' || b == '>':
			return "", errAddrAngle
		case b >= 0x80:
			ascii = false
		}
	}
	if !ascii {
		if !utf8.ValidString(addr) {
			return "", errAddrInvalid
		}
		if !smtputf8 {
			return "", errAddrNonASCII
		}
	}
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return "", errAddrDomain
	}
	local, domain := addr[:at], addr[at+1:]
	if local == "" {
		return "", errAddrLocal
	}
	if !validDomainPart(domain) {
		return "", errAddrDomain
	}
	out := addr // a Dot-string local part is sent as it came
	if !isDotString(local) {
		out = quoteLocal(local) + "@" + domain
	}
	if len(out)+2 > maxPath {
		return "", errAddrTooLong
	}
	return out, nil
}

// isDotString reports whether s is an RFC 5321 Dot-string: atoms of atext (RFC 6531 §3.3 adds
// UTF8-non-ascii, which encodeMailbox admits only with SMTPUTF8) joined by single dots.
func isDotString(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != '.' && c < 0x80 && !rfc5322.IsAtext(c) {
			return false
		}
	}
	return true
}

// quoteLocal returns s as an RFC 5321 Quoted-string: '"' and '\' become quoted-pairSMTP, every
// other octet (printable ASCII or UTF-8, checked by the caller) is qtextSMTP.
func quoteLocal(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 4)
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' || s[i] == '\\' {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	b.WriteByte('"')
	return b.String()
}

// validDomainPart reports whether d is an RFC 5321 Domain the library reads as the same domain
// (tenantgate.ParseDomain), or an IPv4 or IPv6 address literal. A trailing dot, an underscore
// and a general address literal ("[tag:…]") are refused.
func validDomainPart(d string) bool {
	if strings.HasPrefix(d, "[") {
		return validAddressLiteral(d)
	}
	if len(d) > 255 {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
			return false
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if c < 0x80 && c != '-' && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
				return false
			}
		}
	}
	_, err := tenantgate.ParseDomain(d)
	return err == nil
}

// validAddressLiteral reports whether d is "[IPv4]" (dotted quad) or "[IPv6:addr]" (RFC 5321
// §4.1.3, the IPv6 tag compared case-insensitively as ABNF strings are).
func validAddressLiteral(d string) bool {
	if len(d) < 3 || d[0] != '[' || d[len(d)-1] != ']' {
		return false
	}
	in := d[1 : len(d)-1]
	if len(in) > 5 && strings.EqualFold(in[:5], "IPv6:") {
		a, err := netip.ParseAddr(in[5:])
		return err == nil && a.Is6() && a.Zone() == ""
	}
	a, err := netip.ParseAddr(in)
	return err == nil && a.Is4()
}

package headers

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
)

// Stamp appends c's fields at the bottom of h, as Exchange Online does, with EXO's spelling
// and in EXO's usual order (spec/headers.md §2): X-OriginatorOrg, OriginalArrivalTime,
// Network-Message-Id, Id, OriginalAttributedTenantConnectingIp, AuthSource, AuthAs,
// FromEntityHeader, MailboxType, UserPrincipalName, RMS-PersistedConsumerOrg,
// X-MS-Exchange-Transport-CrossTenantHeadersStamped. Absent values (see CrossTenant) are not
// written. It fails only when a value holds a line break or h cannot be written.
func (c CrossTenant) Stamp(h *textproto.Header) error {
	var b bytes.Buffer
	add := func(name, value string) {
		if value != "" {
			b.WriteString(name + ": " + value + "\r\n")
		}
	}
	add("X-OriginatorOrg", c.OriginatorOrg)
	if !c.OriginalArrivalTime.IsZero() {
		add("X-MS-Exchange-CrossTenant-OriginalArrivalTime", FormatArrivalTime(c.OriginalArrivalTime))
	}
	add("X-MS-Exchange-CrossTenant-Network-Message-Id", c.NetworkMessageID)
	if c.ID != (tenantgate.TenantID{}) {
		add("X-MS-Exchange-CrossTenant-Id", c.ID.String())
	}
	if c.ConnectingIP != nil {
		add("X-MS-Exchange-CrossTenant-OriginalAttributedTenantConnectingIp", c.ConnectingIP.String())
	}
	add("X-MS-Exchange-CrossTenant-AuthSource", c.AuthSource)
	add("X-MS-Exchange-CrossTenant-AuthAs", c.AuthAs)
	add("X-MS-Exchange-CrossTenant-FromEntityHeader", c.FromEntityHeader)
	add("X-MS-Exchange-CrossTenant-MailboxType", c.MailboxType)
	add("X-MS-Exchange-CrossTenant-UserPrincipalName", c.UserPrincipalName)
	if c.RMSPersistedConsumerOrg != nil {
		add("X-MS-Exchange-CrossTenant-RMS-PersistedConsumerOrg", c.RMSPersistedConsumerOrg.String())
	}
	add("X-MS-Exchange-Transport-CrossTenantHeadersStamped", c.Stamped)
	return appendFields(h, b.Bytes())
}

// String formats the value as current EXO does: "TenantId=<guid>;Ip=[<ip>];Helo=[<host>]",
// then unknown items in order. An absent IP or HELO is left out.
func (c TenantConnectingIP) String() string {
	var b strings.Builder
	b.WriteString("TenantId=" + c.TenantID.String())
	if c.IP.IsValid() {
		b.WriteString(";Ip=[" + c.IP.String() + "]")
	}
	if c.HELO != "" {
		b.WriteString(";Helo=[" + c.HELO + "]")
	}
	for _, p := range c.Unknown {
		b.WriteString(";" + p.Key + "=" + p.Value)
	}
	return b.String()
}

// StampAntispam appends an X-Forefront-Antispam-Report field (X-Forefront-Antispam-Report-Untrusted
// when r.Untrusted) holding r at the bottom of h; see AntispamReport.String for the format.
func StampAntispam(h *textproto.Header, r AntispamReport) error {
	name := "X-Forefront-Antispam-Report"
	if r.Untrusted {
		name += "-Untrusted"
	}
	return appendFields(h, []byte(name+": "+r.String()+"\r\n"))
}

// StampMicrosoftAntispam appends an X-Microsoft-Antispam field holding r at the bottom of h.
func StampMicrosoftAntispam(h *textproto.Header, r MicrosoftAntispam) error {
	return appendFields(h, []byte("X-Microsoft-Antispam: "+r.String()+"\r\n"))
}

// appendFields adds raw "Name: value\r\n" lines at the bottom of h. textproto.Header can only
// prepend, so h is written out and read back with the lines appended.
func appendFields(h *textproto.Header, lines []byte) error {
	for line := range bytes.SplitSeq(bytes.TrimSuffix(lines, []byte("\r\n")), []byte("\r\n")) {
		if bytes.ContainsAny(line, "\r\n") {
			return fmt.Errorf("headers: stamped field %q holds a bare line break", clip(string(line), 60))
		}
	}
	var b bytes.Buffer
	if h.Len() > 0 {
		if err := textproto.WriteHeader(&b, *h); err != nil {
			return fmt.Errorf("headers: writing the header to stamp it: %w", err)
		}
		b.Truncate(b.Len() - 2) // the blank line
	}
	b.Write(lines)
	b.WriteString("\r\n")
	nh, err := textproto.ReadHeader(bufio.NewReader(&b))
	if err != nil {
		return fmt.Errorf("headers: re-reading the stamped header: %w", err)
	}
	*h = nh
	return nil
}

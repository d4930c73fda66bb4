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
// and in EXO's usual order (docs/headers.md#crosstenant-fields): X-OriginatorOrg, OriginalArrivalTime,
// Network-Message-Id, Id, OriginalAttributedTenantConnectingIp, AuthSource, AuthAs,
// FromEntityHeader, MailboxType, UserPrincipalName, RMS-PersistedConsumerOrg,
// X-MS-Exchange-Transport-CrossTenantHeadersStamped. Absent values (see CrossTenant) are not
// written. It fails only when a value holds a line break or h cannot be written.
func (c CrossTenant) Stamp(h *textproto.Header) error {
	var fs []Param
	add := func(name, value string) {
		if value != "" {
			fs = append(fs, Param{Key: name, Value: value})
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
	return appendFields(h, fs)
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
	return appendFields(h, []Param{{Key: name, Value: r.String()}})
}

// StampMicrosoftAntispam appends an X-Microsoft-Antispam field holding r at the bottom of h.
func StampMicrosoftAntispam(h *textproto.Header, r MicrosoftAntispam) error {
	return appendFields(h, []Param{{Key: "X-Microsoft-Antispam", Value: r.String()}})
}

// appendFields adds "Name: value" fields, unfolded, at the bottom of h. textproto.Header can
// only prepend, so h is written out and read back with the fields appended. A value holding a
// CR, LF or NUL is refused: it could smuggle in a field of its own.
func appendFields(h *textproto.Header, fs []Param) error {
	for _, f := range fs {
		if strings.ContainsAny(f.Value, "\r\n\x00") {
			return fmt.Errorf("headers: value of %s holds a line break or NUL", f.Key)
		}
	}
	var b bytes.Buffer
	if h.Len() > 0 {
		if err := textproto.WriteHeader(&b, *h); err != nil {
			return fmt.Errorf("headers: writing the header to stamp it: %w", err)
		}
		b.Truncate(b.Len() - 2) // the blank line
	}
	for _, f := range fs {
		b.WriteString(f.Key + ": " + f.Value + "\r\n")
	}
	b.WriteString("\r\n")
	nh, err := textproto.ReadHeader(bufio.NewReader(&b))
	if err != nil {
		return fmt.Errorf("headers: re-reading the stamped header: %w", err)
	}
	*h = nh
	return nil
}

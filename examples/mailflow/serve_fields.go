package main

import (
	"fmt"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate/headers"
)

// Microsoft's pages the Message view links each Exchange Online field to.
const (
	docAntispamHeaders = "https://learn.microsoft.com/defender-office-365/message-headers-eop-mdo"
	docSCL             = "https://learn.microsoft.com/defender-office-365/anti-spam-spam-confidence-level-scl-about"
	docBCL             = "https://learn.microsoft.com/defender-office-365/anti-spam-bulk-complaint-level-bcl-about"
	docHeaderFirewall  = "https://learn.microsoft.com/exchange/header-firewall-exchange-2013-help"
)

// fieldExplanation is one Exchange Online field of a header block as the Message view lists it:
// what the field is, Microsoft's page about it, and for an antispam report every code with its
// meaning (headers.Explain, headers.ExplainField, as `mailflow headers` prints them).
type fieldExplanation struct {
	Index   int        `json:"index"` // position in the block, 1 for the top-most field
	Name    string     `json:"name"`
	Value   string     `json:"value"`
	Meaning string     `json:"meaning"`
	Doc     string     `json:"doc"`
	Codes   []codeNote `json:"codes,omitempty"`
}

// codeNote is one KEY:VALUE item of an antispam report with its meaning.
type codeNote struct {
	Key     string `json:"key"`
	Value   string `json:"value"`
	Meaning string `json:"meaning"`
	Doc     string `json:"doc,omitempty"`
}

// fieldDocEntry is what a field is and where Microsoft documents it, by exact name (lower case)
// or by prefix (ending in '-').
type fieldDocEntry struct {
	name, meaning, doc string
}

// fieldDocs lists the entries, the more specific before the prefixes that would also match.
func fieldDocs() []fieldDocEntry {
	return []fieldDocEntry{
		{"x-forefront-antispam-report", "Exchange Online Protection's filtering result: direction, connecting IP, spam verdict (SFV), spam confidence level (SCL), policy category (CAT).", docAntispamHeaders + "#x-forefront-antispam-report-message-header-fields"},
		{"x-forefront-antispam-report-untrusted", "An earlier Exchange Online pass's filtering report, demoted when the message entered Exchange Online again.", docAntispamHeaders + "#x-forefront-antispam-report-message-header-fields"},
		{"x-microsoft-antispam", "Bulk complaint level (BCL) and phishing confidence level (PCL).", docAntispamHeaders + "#x-microsoft-antispam-message-header-fields"},
		{"x-microsoft-antispam-untrusted", "An earlier pass's X-Microsoft-Antispam, demoted by a later pass.", docAntispamHeaders + "#x-microsoft-antispam-message-header-fields"},
		{"x-microsoft-antispam-mailbox-delivery", "Where the mailbox delivered the message (dest: I inbox, J junk, C custom folder) and why (OFR, ucf, jmr).", docAntispamHeaders + "#x-microsoft-antispam-mailbox-delivery-message-header-fields"},
		{"x-microsoft-antispam-message-info", "Encoded diagnostics of the filter; Microsoft documents no readable content.", docAntispamHeaders},
		{"authentication-results", "SPF, DKIM, DMARC and composite authentication (compauth) results of the receiving server.", docAntispamHeaders + "#authentication-results-message-header"},
		{"x-ms-exchange-authentication-results", "Exchange Online's SPF, DKIM, DMARC and compauth results.", docAntispamHeaders + "#authentication-results-message-header"},
		{"x-ms-exchange-organization-scl", "Spam confidence level the organization assigned: -1 skipped filtering, 0–4 not spam, 5–6 spam, 8–9 high confidence spam.", docSCL},
		{"x-ms-exchange-organization-", "An organization header Exchange keeps inside the organization; the header firewall removes it from mail that arrives from outside.", docHeaderFirewall},
		{"x-ms-exchange-crosspremises-", "An organization header carried across a hybrid connection to on-premises Exchange, protected by the header firewall.", docHeaderFirewall},
		{"x-ms-exchange-crosstenant-id", "The tenant the message belongs to, stamped by Exchange Online. Trust it only from a verified Exchange Online connection (this project's docs/exchange-online.md, \"Headers Exchange Online stamps\").", docHeaderFirewall},
		{"x-ms-exchange-crosstenant-", "Part of the CrossTenant set Exchange Online stamps for the tenant the message belongs to (who sent it, how it authenticated, when it arrived).", docHeaderFirewall},
		{"x-ms-exchange-transport-crosstenantheadersstamped", "The server of the Exchange Online pass that stamped the CrossTenant set.", docHeaderFirewall},
		{"x-ms-exchange-transport-crosstenantheadersstripped", "The server of an Exchange Online pass that removed an earlier CrossTenant set.", docHeaderFirewall},
		{"x-originatororg", "The organization (accepted domain) that sent the message, stamped by Exchange.", docHeaderFirewall},
		{"x-eoptenantattributedmessage", "The tenant Exchange Online Protection attributed the message to.", docAntispamHeaders},
		{"x-eopattributedmessage", "Exchange Online Protection's attribution of the message.", docAntispamHeaders},
		{"x-ms-exchange-", "An Exchange Online transport field; Microsoft does not document its values.", docAntispamHeaders},
		{"x-ms-", "A Microsoft 365 diagnostic field; Microsoft does not document its values.", docAntispamHeaders},
		{"x-microsoft-", "A Microsoft 365 diagnostic field; Microsoft does not document its values.", docAntispamHeaders},
		{"x-forefront-", "An Exchange Online Protection field; Microsoft does not document its values.", docAntispamHeaders},
		{"x-incomingtopheadermarker", "Exchange Online's checksum of the header block as it arrived.", docAntispamHeaders},
		{"x-incomingheadercount", "How many header fields the message had when it arrived at Exchange Online.", docAntispamHeaders},
	}
}

// fieldDoc returns the meaning and page of an Exchange Online field; ok is false for a field
// that is not Exchange Online's.
func fieldDoc(name string) (meaning, doc string, ok bool) {
	n := strings.ToLower(name)
	for _, d := range fieldDocs() {
		if n == d.name || strings.HasSuffix(d.name, "-") && strings.HasPrefix(n, d.name) {
			return d.meaning, d.doc, true
		}
	}
	return "", "", false
}

// explainFields lists every Exchange Online field of h in block order with its explanation.
func explainFields(h textproto.Header) []fieldExplanation {
	out := []fieldExplanation{}
	i := 0
	for f := h.Fields(); f.Next(); i++ {
		meaning, doc, ok := fieldDoc(f.Key())
		if !ok {
			continue
		}
		name := f.Key()
		if raw, err := f.Raw(); err == nil {
			if n, _, ok := strings.Cut(string(raw), ":"); ok {
				name = strings.TrimSpace(n)
			}
		}
		fe := fieldExplanation{Index: i + 1, Name: name, Value: strings.TrimSpace(f.Value()), Meaning: meaning, Doc: doc}
		switch strings.ToLower(f.Key()) {
		case "x-forefront-antispam-report", "x-forefront-antispam-report-untrusted":
			if r, err := headers.ParseAntispamReport(fe.Value); err == nil {
				for _, it := range r.Items() {
					fe.Codes = append(fe.Codes, codeNote{it.Key, it.Value, itemMeaning(it.Key, it.Value), codeDoc(it.Key)})
				}
			}
		case "x-microsoft-antispam", "x-microsoft-antispam-untrusted":
			if r, err := headers.ParseMicrosoftAntispam(fe.Value); err == nil {
				if r.BCL != nil {
					fe.Codes = append(fe.Codes, codeNote{"BCL", fmt.Sprint(*r.BCL), itemMeaning("BCL", fmt.Sprint(*r.BCL)), docBCL})
				}
				if r.PCL != nil {
					fe.Codes = append(fe.Codes, codeNote{"PCL", fmt.Sprint(*r.PCL), itemMeaning("PCL", fmt.Sprint(*r.PCL)), ""})
				}
			}
		}
		out = append(out, fe)
	}
	return out
}

// itemMeaning is the meaning of one antispam item's value, else of its key (printer.code).
func itemMeaning(k, v string) string {
	if m, ok := headers.Explain(k, v); ok {
		return m
	}
	return headers.ExplainField(k)
}

// codeDoc is Microsoft's page for one antispam code, where it has its own.
func codeDoc(key string) string {
	if strings.EqualFold(key, "SCL") {
		return docSCL
	}
	return ""
}

// summaryRow is one row of the summary `mailflow headers` prints first.
type summaryRow struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// summaryRows is the summary of `mailflow headers` (the same function prints it) as rows: each
// "  KEY (24 columns) VALUE" line a row, a line with an empty key cell continuing the row above.
func summaryRows(a *headers.Analysis) []summaryRow {
	var b strings.Builder
	// A width no value reaches: the page wraps, so every value arrives whole, on one row.
	summary(&printer{w: &b, width: 1 << 20}, a)
	var rows []summaryRow
	for _, l := range strings.Split(b.String(), "\n") {
		if len(l) < 2 || strings.TrimSpace(l) == "" {
			continue
		}
		r := []rune(l)
		key, value := strings.TrimSpace(string(r[2:min(len(r), 26)])), ""
		if len(r) > 27 {
			value = string(r[27:])
		}
		switch {
		case key == "" && len(rows) > 0 && rows[len(rows)-1].Value == "":
			rows[len(rows)-1].Value = value
		case key == "" && len(rows) > 0:
			rows[len(rows)-1].Value += " " + value
		default:
			rows = append(rows, summaryRow{key, value})
		}
	}
	return rows
}

package headers

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzAnalyze feeds arbitrary bytes to Read and Analyze. Invariants: no panic; every Problem code
// is declared; a Folder is only reported from a dest value; a finding that compares dest with the
// spam verdict only when both exist.
func FuzzAnalyze(f *testing.F) {
	for _, c := range corpus(f) {
		f.Add(c.Data)
	}
	f.Add([]byte("X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;dest:J;OFR:SpamFilterAuthJ;RF:JunkEmail;\r\n" +
		"X-MS-Exchange-Organization-SCL: 5\r\nFrom: =?koi8-r?B?8NLJ18XU?= <a@b.example >\r\nTo: x@@y\r\n" +
		"Subject: =?x-unknown?Q?a?= =?utf-8?B?!!?=\r\nMessage-ID: <a@b> <c@d>\r\nDate: yesterday\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := Read(bytes.NewReader(b), Limits{MaxBytes: 64 << 10})
		if err != nil {
			return
		}
		a := Analyze(h)
		if err := checkProblemsDeclared(a.Problems); err != nil {
			t.Fatal(err)
		}
		if a.Verdict.Folder != "" && a.Verdict.Dest == "" {
			t.Fatalf("folder %q without dest", a.Verdict.Folder)
		}
		for _, fd := range a.Verdict.Findings {
			if strings.HasPrefix(fd.Reason.Code, "verdict.spam-in") || strings.HasPrefix(fd.Reason.Code, "verdict.not-spam-in") {
				if a.Verdict.Dest == "" || (a.Verdict.SFV == "" && a.Verdict.SCL == nil) {
					t.Fatalf("%s without dest and verdict: %+v", fd.Reason.Code, a.Verdict)
				}
			}
		}
	})
}

// FuzzDecodeText: nothing is dropped — every byte outside the encoded-words that decoded is kept,
// so an input without "=?" comes back unchanged, and an undecodable word appears as written.
func FuzzDecodeText(f *testing.F) {
	f.Add("=?koi8-r?B?8NLJ18XU?= =?windows-1254?Q?=DDstanbul?=")
	f.Add("=?x-unknown?Q?abc?= tail =?utf-8?B?!!!?=")
	f.Add("=?iso-2022-jp?B?GyRCJEskWyRzGyhC?=")
	f.Fuzz(func(t *testing.T, v string) {
		got, bad := DecodeText(v)
		if !strings.Contains(v, "=?") && got != v {
			t.Fatalf("DecodeText(%q) = %q", v, got)
		}
		for _, w := range bad {
			if !strings.Contains(got, w) {
				t.Fatalf("undecodable %q dropped from %q", w, got)
			}
		}
	})
}

// FuzzAddressList: no panic; every address returned has an '@' (net/mail's addr-spec rule), and
// a list that parses also parses with CFWS stripped from its angle-addrs.
func FuzzAddressList(f *testing.F) {
	f.Add("Name <user@example.com >")
	f.Add(`"a > b" <user (c) @example.com>, undisclosed-recipients:;`)
	f.Add("=?x-unknown?Q?abc?= <user@example.com>")
	f.Fuzz(func(t *testing.T, v string) {
		list, _, err := parseAddressList(v)
		if err != nil {
			return
		}
		for _, mb := range list {
			if !strings.Contains(mb.Address, "@") {
				t.Fatalf("%q gave address %q", v, mb.Address)
			}
		}
	})
}

// FuzzMailboxDelivery: a value that parses formats its items back and re-parses to the same items.
func FuzzMailboxDelivery(f *testing.F) {
	f.Add("ucf:0;jmr:0;auth:0;dest:J;OFR:SpamFilterAuthJ;ENG:(5062000305)(90000117);RF:JunkEmail;")
	f.Add("dest:I;(null);wl:1")
	f.Fuzz(func(t *testing.T, v string) {
		r, err := ParseMailboxDelivery(v)
		if err != nil {
			return
		}
		var b strings.Builder
		for _, it := range r.Items {
			b.WriteString(it.Key + ":" + it.Value + ";")
		}
		r2, err := ParseMailboxDelivery(b.String())
		if err != nil || len(r2.Items) != len(r.Items) || r2.Dest != r.Dest || r2.OFR != r.OFR || r2.RF != r.RF {
			t.Fatalf("%q -> %q -> %+v, %v", v, b.String(), r2, err)
		}
	})
}

package headers

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// FuzzReadParse feeds arbitrary bytes to Read and Parse. Invariants: no panic; every Problem
// code is a declared constant; Parse of what Read accepted never yields a tenant from
// CrossTenantID unless every CrossTenant-Id field is a valid GUID, written without space before
// the colon, naming that tenant (fail closed).
func FuzzReadParse(f *testing.F) {
	for _, c := range corpus(f) {
		f.Add(c.Data)
	}
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id : " + guid1 + "\r\nx-ms-exchange-crosstenant-id: " + guid2 + "\r\n\r\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		h, err := Read(bytes.NewReader(b), Limits{MaxBytes: 64 << 10})
		if err != nil {
			return
		}
		m := Parse(h)
		if err := checkProblemsDeclared(m.Problems); err != nil {
			t.Fatal(err)
		}
		id, err := m.CrossTenantID()
		if err != nil {
			return
		}
		if len(m.CrossTenant.ID) == 0 {
			t.Fatal("tenant without a CrossTenant-Id field")
		}
		for _, fd := range m.CrossTenant.ID {
			if !fd.Valid || fd.SpaceBeforeColon || fd.Tenant != id || !strings.EqualFold(fd.Value, id.String()) {
				t.Fatalf("tenant %s accepted with field %+v", id, fd)
			}
		}
	})
}

// FuzzAntispamReport checks that a report that parses without error formats and re-parses to
// the same value.
func FuzzAntispamReport(f *testing.F) {
	f.Add("CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:x;PTR:;CAT:NONE;SFS:(1)(2);DIR:OUT;SFP:1101;")
	f.Add("CIP:2001:db8::1; SCL:-1; EFV:NLI; UIP:(null);(null)")
	f.Fuzz(func(t *testing.T, v string) {
		r, err := ParseAntispamReport(v)
		if err != nil {
			return
		}
		r2, err := ParseAntispamReport(r.String())
		if err != nil {
			t.Fatalf("re-parse of %q: %v", r.String(), err)
		}
		// A formatted value that spells "(null)" again is deleted on re-parse (MHA step 1);
		// everything else must round-trip.
		if diff := cmp.Diff(r, r2, cmpOpts); diff != "" && !strings.Contains(r.String(), "(null)") {
			t.Fatalf("round trip of %q (-first +second)\n%s", v, diff)
		}
	})
}

// FuzzMicrosoftAntispam: no panic, and a parsed value round-trips through String.
func FuzzMicrosoftAntispam(f *testing.F) {
	f.Add("BCL:0; PCL:0; RULEID:(1)(2); SRVR:X; ARA:1|2;")
	f.Fuzz(func(t *testing.T, v string) {
		r, err := ParseMicrosoftAntispam(v)
		if err != nil {
			return
		}
		r2, err := ParseMicrosoftAntispam(r.String())
		if err != nil {
			t.Fatalf("re-parse of %q: %v", r.String(), err)
		}
		if diff := cmp.Diff(r, r2); diff != "" && !strings.Contains(r.String(), "(null)") {
			t.Fatalf("round trip of %q (-first +second)\n%s", v, diff)
		}
	})
}

// FuzzAuthResults: no panic; every result has a method; Stray never holds an empty segment.
func FuzzAuthResults(f *testing.F) {
	f.Add("spf=pass (sender IP is 1.2.3.4) smtp.mailfrom=contoso.com; outlook.com; dkim=pass header.d=contoso.com;compauth=pass reason=100")
	f.Add(`i=1; mx.microsoft.com 1; spf=none; dmarc=none reason="a;b" (c;(d)); arc=none`)
	f.Fuzz(func(t *testing.T, v string) {
		a, err := ParseAuthResults(v)
		if err == nil && a.ServID == "" && len(a.Results) == 0 {
			t.Fatal("no error but nothing parsed")
		}
		for _, r := range a.Results {
			if r.Method == "" {
				t.Fatalf("empty method in %q", v)
			}
		}
		for _, s := range a.Stray {
			if s == "" {
				t.Fatalf("empty stray segment in %q", v)
			}
		}
	})
}

// FuzzTenantConnectingIP: no panic; a value that parses re-parses from String to the same value
// when its HELO and unknown items can be written back (no ';', '=' or brackets in them).
func FuzzTenantConnectingIP(f *testing.F) {
	f.Add("TenantId=" + guid1 + "; Ip=[188.184.36.50];\r\n Helo=[cernmxgwlb4.cern.ch]")
	f.Fuzz(func(t *testing.T, v string) {
		c, err := ParseTenantConnectingIP(v)
		if err != nil {
			return
		}
		s := c.String()
		if strings.ContainsAny(c.HELO, ";=[] \t\r\n") {
			return
		}
		for _, p := range c.Unknown {
			if strings.ContainsAny(p.Key+p.Value, ";=[] \t\r\n") || p.Key == "" {
				return
			}
		}
		c2, err := ParseTenantConnectingIP(s)
		if err != nil {
			t.Fatalf("re-parse of %q: %v", s, err)
		}
		if diff := cmp.Diff(c, c2, cmpOpts); diff != "" {
			t.Fatalf("(-first +second)\n%s", diff)
		}
	})
}

// FuzzArrivalTime: no panic; a parsed time is UTC and formats back to a value that parses to the
// same instant truncated to EXO's 100 µs.
func FuzzArrivalTime(f *testing.F) {
	f.Add("14 Jul 2020 18:41:21.6249\r\n (UTC)")
	f.Add("4 Jul 2020 18:41:21.1234567")
	f.Fuzz(func(t *testing.T, v string) {
		tm, err := ParseArrivalTime(v)
		if err != nil {
			return
		}
		if tm.Location() != time.UTC {
			t.Fatalf("%q parsed to %v, not UTC", v, tm)
		}
		back, err := ParseArrivalTime(FormatArrivalTime(tm))
		if err != nil {
			if tm.Year() < 1000 {
				return // the format wants four year digits; time.Parse accepts "0099" only as written
			}
			t.Fatalf("re-parse of %q: %v", FormatArrivalTime(tm), err)
		}
		if !back.Equal(tm.Truncate(100 * time.Microsecond)) {
			t.Fatalf("%q: %v formats back as %v", v, tm, back)
		}
	})
}

// FuzzParseDate checks that parseDate's fast path agrees with its general path (time.Parse)
// wherever the fast path answers.
func FuzzParseDate(f *testing.F) {
	f.Add("Wed,  3 Jul 2019 15:59:41 +0200 (CEST)")
	f.Add("Tue, 14 Jul 2020 18:41:21.6249 +0000")
	f.Add("29 Feb 2023 10:00:00 -0000")
	f.Add("Wed, 4 Mar 2026 15:49:31 GMT")
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseDateFast(s)
		if !ok {
			return
		}
		slow, ok := parseDateSlow(s)
		if !ok || !fast.Equal(slow) {
			t.Fatalf("%q: fast %v, general %v (%v)", s, fast, slow, ok)
		}
		if _, off1 := fast.Zone(); true {
			if _, off2 := slow.Zone(); off1 != off2 {
				t.Fatalf("%q: offsets %d and %d", s, off1, off2)
			}
		}
	})
}

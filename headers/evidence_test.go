package headers

import (
	"bytes"
	stdcmp "cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/emersion/go-message/textproto"
	"github.com/emersion/go-msgauth/authres"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/tenantgate/tenantgate"
)

func readBlock(t testing.TB, block string) textproto.Header {
	t.Helper()
	h, err := Read(strings.NewReader(strings.ReplaceAll(block, "\n", "\r\n")), Limits{})
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return h
}

// TestScanEvidenceTenant: the tenant rule, field by field. Expectations follow the rule stated on
// tenantJudge: obsolete syntax is checked first (and refused unless accepted), then the value,
// then agreement with the first field that counts.
func TestScanEvidenceTenant(t *testing.T) {
	id1, id2 := tenantgate.MustParseTenantID(guid1), tenantgate.MustParseTenantID(guid2)
	const ct = "X-MS-Exchange-CrossTenant-Id"
	tests := []struct {
		name     string
		block    string
		opts     EvidenceOptions
		tenant   tenantgate.TenantID // zero: HaveTenant false
		fields   int
		dup, obs int
		problems []TenantField // Err compared as set or not
	}{
		{name: "one", block: ct + ": " + guid1 + "\n", tenant: id1, fields: 1},
		{name: "two casings, one tenant", block: "x-ms-exchange-crosstenant-id: " + guid1 + "\n" + ct + ": " + strings.ToUpper(guid1) + "\n",
			tenant: id1, fields: 2, dup: 1},
		{name: "conflict", block: ct + ": " + guid1 + "\nFrom: a@b.example\n" + ct + ": " + guid2 + "\n",
			tenant: id1, fields: 2, problems: []TenantField{{Index: 2, Name: ct, Tenant: id2, Problem: TenantConflict}}},
		{name: "malformed first, the next one counts", block: ct + ": {" + guid1 + "}\n" + ct + ": " + guid2 + "\n",
			tenant: id2, fields: 2, problems: []TenantField{{Index: 0, Name: ct, Err: errSet, Problem: TenantMalformed}}},
		{name: "obsolete refused, value not read", block: ct + " : " + guid1 + "\n",
			fields: 1, obs: 1, problems: []TenantField{{Index: 0, Name: ct, Problem: TenantObsolete}}},
		{name: "obsolete accepted", block: ct + "\t: " + guid1 + "\n", opts: EvidenceOptions{AcceptObsoleteSyntax: true},
			tenant: id1, fields: 1, obs: 1},
		{name: "similar names are other fields", block: ct + "2: " + guid1 + "\n" + ct + "s: " + guid2 + "\n"},
		{name: "EOP field ignored by default", block: "X-EOPTenantAttributedMessage: " + guid2 + ":0\n" + ct + ": " + guid1 + "\n",
			tenant: id1, fields: 1},
		{name: "EOP field as evidence, suffix stripped", block: "X-EOPTenantAttributedMessage: " + guid1 + ":0\n" + ct + ": " + guid1 + "\n",
			opts: EvidenceOptions{EOPTenantAttributed: true}, tenant: id1, fields: 2, dup: 1},
		// Exchange Online writes one to three digits after the ':' (a single "0" observed); any
		// other suffix leaves a value that is no GUID.
		{name: "EOP field with a bad suffix", block: "X-EOPTenantAttributedMessage: " + guid1 + ":x\n",
			opts: EvidenceOptions{EOPTenantAttributed: true}, fields: 1,
			problems: []TenantField{{Index: 0, Name: "X-EOPTenantAttributedMessage", EOP: true, Err: errSet, Problem: TenantMalformed}}},
		{name: "EOP field conflicting", block: ct + ": " + guid1 + "\nX-EOPTenantAttributedMessage: " + guid2 + ":12\n",
			opts: EvidenceOptions{EOPTenantAttributed: true}, tenant: id1, fields: 2,
			problems: []TenantField{{Index: 1, Name: "X-EOPTenantAttributedMessage", EOP: true, Tenant: id2, Problem: TenantConflict}}},
		// Past the bound the fields are only counted: the third conflicting one is not read.
		{name: "bound", block: ct + ": " + guid1 + "\n" + ct + ": " + guid1 + "\n" + ct + ": " + guid2 + "\n",
			opts: EvidenceOptions{MaxTenantFields: 2}, tenant: id1, fields: 3, dup: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := ScanEvidence(readBlock(t, tc.block), tc.opts)
			if e.HaveTenant != !tc.tenant.IsZero() || e.Tenant != tc.tenant {
				t.Errorf("tenant %v %s, want %s", e.HaveTenant, e.Tenant, tc.tenant)
			}
			if e.TenantFields != tc.fields || e.Duplicates != tc.dup || e.Obsolete != tc.obs {
				t.Errorf("fields %d, duplicates %d, obsolete %d; want %d, %d, %d", e.TenantFields, e.Duplicates, e.Obsolete, tc.fields, tc.dup, tc.obs)
			}
			got := slices.Clone(e.TenantProblems)
			for i := range got {
				if got[i].Err != nil {
					got[i].Err = errSet
				}
			}
			if diff := cmp.Diff(tc.problems, got, cmpopts.EquateErrors()); diff != "" {
				t.Errorf("TenantProblems (-want +got):\n%s", diff)
			}
		})
	}
}

var errSet = fmt.Errorf("set")

// TestScanEvidenceKind: FromEntityHeader, AuthAs and DIR are read with "-" for an empty value, and
// a copy that differs (ignoring case) is a conflict, whichever copy comes first: no copy is taken
// for the latest pass.
func TestScanEvidenceKind(t *testing.T) {
	const (
		fe  = "X-MS-Exchange-CrossTenant-FromEntityHeader: "
		as  = "X-MS-Exchange-CrossTenant-AuthAs: "
		ffa = "X-Forefront-Antispam-Report: "
	)
	tests := []struct {
		name, block        string
		fromEntity, authAs string
		dir                string
		conflicts          []string
	}{
		{"none", "Subject: x\n", "", "", "", nil},
		{"mailbox", fe + "Hosted\n" + as + "Internal\n" + ffa + "CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;DIR:OUT;\n", "Hosted", "Internal", "OUT", nil},
		// The item grammar of ParseAntispamReport: keys any case, "(null)" removed, a report
		// without DIR is "-".
		{"dir lower case", ffa + "dir:inb\n", "", "", "INB", nil},
		{"dir (null)", ffa + "DIR:(null);SFV:NSPM\n", "", "", "-", nil},
		{"no dir", ffa + "SFV:NSPM\n", "", "", "-", nil},
		{"empty values", fe + "\n" + as + " \n", "-", "-", "", nil},
		{"same value, other case", fe + "Hosted\n" + fe + "hosted\n", "Hosted", "", "", nil},
		{"dir copies disagree", ffa + "DIR:OUT;\n" + ffa + "DIR:INB;\n", "", "", "OUT", []string{"X-Forefront-Antispam-Report"}},
		{"dir copies disagree, INB first", ffa + "DIR:INB;\n" + ffa + "DIR:OUT;\n", "", "", "INB", []string{"X-Forefront-Antispam-Report"}},
		{"untrusted report is another field", ffa + "DIR:OUT;\nX-Forefront-Antispam-Report-Untrusted: DIR:INB;\n", "", "", "OUT", nil},
		{"each conflict once, in order", as + "Internal\n" + fe + "Hosted\n" + as + "Anonymous\n" + fe + "Internet\n" + as + "Other\n", "Hosted", "Internal", "",
			[]string{"X-Ms-Exchange-Crosstenant-Authas", "X-Ms-Exchange-Crosstenant-Fromentityheader"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := ScanEvidence(readBlock(t, tc.block), EvidenceOptions{})
			if e.FromEntityHeader != tc.fromEntity || e.AuthAs != tc.authAs || e.DIR != tc.dir {
				t.Errorf("FromEntityHeader %q AuthAs %q DIR %q; want %q %q %q", e.FromEntityHeader, e.AuthAs, e.DIR, tc.fromEntity, tc.authAs, tc.dir)
			}
			if diff := cmp.Diff(tc.conflicts, e.KindConflicts); diff != "" {
				t.Errorf("KindConflicts (-want +got):\n%s", diff)
			}
		})
	}
}

// TestScanEvidenceVerdicts: copies of the gateway's verdict header are found by authserv-id (in
// every spelling AuthServID reads as ours), or by name for another verdict header name; their hop
// is read as RFC 8601 results, so a comment or another method cannot hide it, and the copies
// themselves count as passes.
func TestScanEvidenceVerdicts(t *testing.T) {
	opts := EvidenceOptions{AuthServID: "gw.example.net"}
	tests := []struct {
		name, block string
		opts        EvidenceOptions
		verdicts    []FieldRef
		unreadable  int
		hop         int
	}{
		{"none", "Authentication-Results: mx.other.example; x-tenantgate=pass policy.hop=9\n", opts, nil, 0, 0},
		{"one", "Received: x\nAuthentication-Results: gw.example.net; x-tenantgate=pass policy.hop=3\n", opts,
			[]FieldRef{{Index: 1, Name: "Authentication-Results", Instance: 1}}, 0, 3},
		{"quoted id, upper-case method and property", "authentication-results: \"GW.example.net.\"; X-TenantGate=pass POLICY.HOP=4\n", opts,
			[]FieldRef{{Index: 0, Name: "authentication-results", Instance: 1}}, 0, 4},
		{"a comment cannot hide the hop", "Authentication-Results: gw.example.net; dkim=pass (x-tenantgate=pass policy.hop=1); x-tenantgate=pass policy.hop=7\n", opts,
			[]FieldRef{{Index: 0, Name: "Authentication-Results", Instance: 1}}, 0, 7},
		{"tab before the property", "Authentication-Results: gw.example.net; x-tenantgate=pass\tpolicy.hop=6\n", opts,
			[]FieldRef{{Index: 0, Name: "Authentication-Results", Instance: 1}}, 0, 6},
		{"another method's property is not the hop", "Authentication-Results: gw.example.net; dkim=pass policy.hop=8\n", opts,
			[]FieldRef{{Index: 0, Name: "Authentication-Results", Instance: 1}}, 0, 1},
		{"capped", "Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=123456\n", opts,
			[]FieldRef{{Index: 0, Name: "Authentication-Results", Instance: 1}}, 0, MaxVerdictHop},
		{"copies count", "Authentication-Results: gw.example.net; none\nAuthentication-Results: mx.other.example; none\nAuthentication-Results: gw.example.net; x-tenantgate=pass policy.hop=1\n", opts,
			[]FieldRef{{Index: 0, Name: "Authentication-Results", Instance: 1}, {Index: 2, Name: "Authentication-Results", Instance: 3}}, 0, 2},
		{"unreadable but naming ours", "Authentication-Results: gw.example.net junk; x-tenantgate=pass policy.hop=2\n", opts,
			[]FieldRef{{Index: 0, Name: "Authentication-Results", Instance: 1}}, 1, 2},
		{"no authserv-id configured", "Authentication-Results: spf=pass smtp.mailfrom=x\n", EvidenceOptions{}, nil, 0, 0},
		{"another header name: every copy", "X-Gate: mx.other.example; x-tenantgate=pass policy.hop=2\nx-gate: junk\n", EvidenceOptions{VerdictHeader: "X-Gate"},
			[]FieldRef{{Index: 0, Name: "X-Gate", Instance: 1}, {Index: 1, Name: "x-gate", Instance: 2}}, 0, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := ScanEvidence(readBlock(t, tc.block), tc.opts)
			if diff := cmp.Diff(tc.verdicts, e.Verdicts); diff != "" {
				t.Errorf("Verdicts (-want +got):\n%s", diff)
			}
			if e.UnreadableVerdicts != tc.unreadable || e.VerdictHop != tc.hop {
				t.Errorf("unreadable %d, hop %d; want %d, %d", e.UnreadableVerdicts, e.VerdictHop, tc.unreadable, tc.hop)
			}
		})
	}
}

// TestScanEvidenceTrustAndFrom: trust fields are listed only when asked for, with their instance
// among fields of the same name; From is the first From field and FromCount counts them all.
func TestScanEvidenceTrustAndFrom(t *testing.T) {
	block := "From: a@b.example\nX-MS-Exchange-Organization-AuthAs: Internal\nX-OriginatorOrg: b.example\n" +
		"x-ms-exchange-organization-authas: Anonymous\nX-MS-Exchange-CrossTenant-: short\nX-MS-Exchange-Transport-CrossTenantHeadersStamped: X\nFROM: c@d.example\n"
	h := readBlock(t, block)
	if e := ScanEvidence(h, EvidenceOptions{}); e.TrustFields != nil {
		t.Errorf("TrustFields without the option: %v", e.TrustFields)
	}
	e := ScanEvidence(h, EvidenceOptions{TrustFields: true})
	want := []FieldRef{
		{Index: 1, Name: "X-MS-Exchange-Organization-AuthAs", Instance: 1},
		{Index: 2, Name: "X-OriginatorOrg", Instance: 1},
		{Index: 3, Name: "x-ms-exchange-organization-authas", Instance: 2},
	}
	if diff := cmp.Diff(want, e.TrustFields); diff != "" {
		t.Errorf("TrustFields (-want +got):\n%s", diff)
	}
	wantFrom := Field{Index: 0, Name: "From", Value: "a@b.example"}
	if e.FromCount != 2 || e.From != wantFrom {
		t.Errorf("From %+v, count %d; want %+v, 2", e.From, e.FromCount, wantFrom)
	}
}

// TestScanEvidenceCorpus checks ScanEvidence against Parse on every real block of the corpus:
// the same tenant as CrossTenantID, the kind fields Parse lists (each corpus block carries one
// value per kind field), the DIR of the trusted report and the From fields.
func TestScanEvidenceCorpus(t *testing.T) {
	for _, c := range corpus(t) {
		t.Run(strings.TrimSuffix(filepath.Base(c.Path), ".eml"), func(t *testing.T) {
			h, err := Read(bytes.NewReader(c.Data), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			m, e := Parse(h), ScanEvidence(h, EvidenceOptions{})
			if err := agreeTenant(m, e, EvidenceOptions{}); err != nil {
				t.Error(err)
			}
			if len(e.KindConflicts) != 0 {
				t.Errorf("kind conflicts in a real block: %v", e.KindConflicts)
			}
			if want := lastValue(m.CrossTenant.FromEntityHeader); !strings.EqualFold(e.FromEntityHeader, want) {
				t.Errorf("FromEntityHeader %q, Parse %q", e.FromEntityHeader, want)
			}
			if want := lastValue(m.CrossTenant.AuthAs); !strings.EqualFold(e.AuthAs, want) {
				t.Errorf("AuthAs %q, Parse %q", e.AuthAs, want)
			}
			var dirs []string
			for _, r := range m.Antispam {
				if !r.Untrusted {
					dirs = append(dirs, strings.ToUpper(r.DIR))
				}
			}
			if (len(dirs) == 0) != (e.DIR == "") || (len(dirs) > 0 && dirs[0] != e.DIR) {
				t.Errorf("DIR %q, Parse %q", e.DIR, dirs)
			}
			if e.FromCount != len(m.From) || (len(m.From) > 0 && e.From != m.From[0].Field) {
				t.Errorf("From %+v (%d), Parse %+v", e.From, e.FromCount, m.From)
			}
		})
	}
}

// agreeTenant is the property that replaced the policy's differential test: with options that
// read only X-MS-Exchange-CrossTenant-Id and refuse the obsolete syntax, the tenant fields are
// evidence exactly when CrossTenantID succeeds, for the same tenant (CrossTenantID has no bound
// on the number of fields), and every field ScanEvidence refuses is one Parse lists with the
// same position and validity.
func agreeTenant(m *Message, e Evidence, opts EvidenceOptions) error {
	if opts.EOPTenantAttributed || opts.AcceptObsoleteSyntax {
		return nil
	}
	max := opts.MaxTenantFields
	if max <= 0 {
		max = DefaultMaxTenantFields
	}
	if e.TenantFields != len(m.CrossTenant.ID) {
		return fmt.Errorf("%d tenant fields, Parse %d", e.TenantFields, len(m.CrossTenant.ID))
	}
	id, err := m.CrossTenantID()
	if e.TenantFields <= max {
		ok := e.HaveTenant && len(e.TenantProblems) == 0
		if ok != (err == nil) || (ok && e.Tenant != id) {
			return fmt.Errorf("ScanEvidence: tenant %s ok %v %+v; CrossTenantID: %s, %v", e.Tenant, ok, e.TenantProblems, id, err)
		}
	}
	for _, p := range e.TenantProblems {
		i := slices.IndexFunc(m.CrossTenant.ID, func(f TenantIDField) bool { return f.Index == p.Index })
		if i < 0 {
			return fmt.Errorf("problem at field %d, which Parse does not list", p.Index)
		}
		f := m.CrossTenant.ID[i]
		if f.Name != p.Name || (p.Problem == TenantObsolete) != f.SpaceBeforeColon || (p.Problem != TenantObsolete && (p.Problem == TenantMalformed) == f.Valid) {
			return fmt.Errorf("problem %+v, Parse %+v", p, f)
		}
	}
	return nil
}

// FuzzScanEvidence feeds arbitrary blocks and options to ScanEvidence. Invariants: no panic;
// agreeTenant; every listed field is in the block, in order, with the name looked for and a
// plausible instance; the hop is within bounds and at least the number of copies; and a verdict
// field written by go-msgauth's authres.Format with our authserv-id is read back as ours, with its
// hop.
func FuzzScanEvidence(f *testing.F) {
	for _, c := range corpus(f) {
		f.Add(c.Data, byte(0), uint16(3))
	}
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id: "+guid1+"\r\nx-ms-exchange-crosstenant-id: "+guid1+"\r\n\r\n"), byte(1), uint16(1))
	f.Add([]byte("X-MS-Exchange-CrossTenant-Id : "+guid1+"\r\nX-EOPTenantAttributedMessage: "+guid2+":0\r\n\r\n"), byte(6), uint16(2))
	f.Add([]byte("Authentication-Results: gw.example.net; x-tenantgate=pass policy.hop=4\r\nX-Forefront-Antispam-Report: DIR:INB\r\n\r\n"), byte(8), uint16(7))
	f.Fuzz(func(t *testing.T, b []byte, flags byte, hop uint16) {
		h, err := Read(bytes.NewReader(b), Limits{MaxBytes: 64 << 10})
		if err != nil {
			return
		}
		opts := EvidenceOptions{
			AuthServID:           "gw.example.net",
			EOPTenantAttributed:  flags&1 != 0,
			AcceptObsoleteSyntax: flags&2 != 0,
			TrustFields:          flags&4 != 0,
			MaxTenantFields:      int(flags>>4) % 4, // 0 (the default) to 3
		}
		if flags&8 != 0 {
			opts.VerdictHeader = "X-Gate"
		}
		e := ScanEvidence(h, opts)
		if err := agreeTenant(Parse(h), e, opts); err != nil {
			t.Fatal(err)
		}
		keys := fieldKeys(h)
		if err := checkRefs(keys, e.Verdicts, func(k string) bool { return EqualFold(k, stdcmp.Or(opts.VerdictHeader, "Authentication-Results")) }); err != nil {
			t.Fatalf("Verdicts: %v", err)
		}
		if err := checkRefs(keys, e.TrustFields, IsTrustField); err != nil {
			t.Fatalf("TrustFields: %v", err)
		}
		if !opts.TrustFields && len(e.TrustFields) > 0 {
			t.Fatal("TrustFields without the option")
		}
		if e.VerdictHop < min(len(e.Verdicts), MaxVerdictHop) || e.VerdictHop > MaxVerdictHop || e.UnreadableVerdicts > len(e.Verdicts) {
			t.Fatalf("hop %d, %d copies, %d unreadable", e.VerdictHop, len(e.Verdicts), e.UnreadableVerdicts)
		}
		if e.DIR != strings.ToUpper(e.DIR) {
			t.Fatalf("DIR %q not upper case", e.DIR)
		}
		max := stdcmp.Or(opts.MaxTenantFields, DefaultMaxTenantFields)
		if len(e.TenantProblems) > min(e.TenantFields, max) {
			t.Fatalf("%d problems for %d fields", len(e.TenantProblems), e.TenantFields)
		}

		// Read-back: our verdict, as the policy writes it, on top of the block.
		n := 1 + int(hop)%MaxVerdictHop
		v := authres.Format("gw.example.net", []authres.Result{&authres.GenericResult{Method: VerdictMethod, Value: authres.ResultPass,
			Params: map[string]string{VerdictHopProperty: fmt.Sprint(n), "policy.origin": "own-tenant"}}})
		h.Add(stdcmp.Or(opts.VerdictHeader, "Authentication-Results"), v)
		e2 := ScanEvidence(h, opts)
		if len(e2.Verdicts) != len(e.Verdicts)+1 || e2.Verdicts[0].Index != 0 || e2.UnreadableVerdicts != e.UnreadableVerdicts {
			t.Fatalf("our verdict %q not read back: %+v", v, e2.Verdicts)
		}
		if e2.VerdictHop < n {
			t.Fatalf("hop %d read back as %d", n, e2.VerdictHop)
		}
	})
}

func fieldKeys(h textproto.Header) []string {
	var keys []string
	for f := h.Fields(); f.Next(); {
		keys = append(keys, f.Key())
	}
	return keys
}

// checkRefs checks that refs are fields of the block in block order, whose key satisfies want and
// whose Instance counts the fields with that key up to it.
func checkRefs(keys []string, refs []FieldRef, want func(string) bool) error {
	last := -1
	for _, r := range refs {
		if r.Index <= last || r.Index >= len(keys) {
			return fmt.Errorf("index %d after %d in %d fields", r.Index, last, len(keys))
		}
		last = r.Index
		if !want(keys[r.Index]) || !EqualFold(r.Name, keys[r.Index]) {
			return fmt.Errorf("field %d %q (%s) listed", r.Index, r.Name, keys[r.Index])
		}
		n := 0
		for _, k := range keys[:r.Index+1] {
			if k == keys[r.Index] {
				n++
			}
		}
		if r.Instance != n {
			return fmt.Errorf("field %d: instance %d, want %d", r.Index, r.Instance, n)
		}
	}
	return nil
}

package headers

import (
	"errors"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// AntispamReport is X-Forefront-Antispam-Report (or …-Untrusted): Exchange Online Protection's
// verdict, "FIELD:value;" items (docs/headers.md#antispam-reports). Documented
// fields are typed; an absent or empty field is "" (SCL nil, CIP zero). Explain gives the
// meaning of a value.
type AntispamReport struct {
	Field
	// Untrusted is set for X-Forefront-Antispam-Report-Untrusted (an earlier pass's report
	// that a later pass demoted, docs/headers.md#passes).
	Untrusted bool `json:"untrusted,omitempty"`

	ARC  string     `json:"arc,omitempty"`  // ARC verdict: AAR, AMS, AS
	CAT  string     `json:"cat,omitempty"`  // policy category: NONE, SPM, PHSH, …
	CIP  netip.Addr `json:"cip,omitzero"`   // connecting IP; 255.255.255.255 on mailbox submission
	CTRY string     `json:"ctry,omitempty"` // country of the connecting IP
	DIR  string     `json:"dir,omitempty"`  // direction: INB, OUT, INT (OUB, OTB in older mail)
	H    string     `json:"h,omitempty"`    // HELO/EHLO name
	IPV  string     `json:"ipv,omitempty"`  // CAL (allow list), NLI (not listed)
	LANG string     `json:"lang,omitempty"` // language
	PTR  string     `json:"ptr,omitempty"`  // reverse DNS of the connecting IP
	SCL  *int       `json:"scl,omitempty"`  // spam confidence level, -1 to 9
	SFP  string     `json:"sfp,omitempty"`  // undocumented (1101, 1102, 1501)
	SFS  string     `json:"sfs,omitempty"`  // undocumented rule list "(n)(n)…"
	SFTY string     `json:"sfty,omitempty"` // safety tip: 9.19, 9.20, 9.25
	SFV  string     `json:"sfv,omitempty"`  // spam filter verdict: NSPM, SPM, SKI, …
	SRV  string     `json:"srv,omitempty"`  // BULK
	// Unknown holds every other item (EFV, SRVR, FPR, MLV, …) in order, key as written.
	Unknown []Param `json:"unknown,omitempty"`
}

// splitItems parses the "KEY:value;" grammar shared by the antispam headers
// (docs/headers.md#antispam-reports): every "(null)" removed, items split at ';', empty items skipped, the key
// cut at the first ':' so an IPv6 value survives. It calls set for every item; an item without
// ':' is reported to set with ok false.
func splitItems(v string, set func(key, val string, ok bool)) {
	v = strings.ReplaceAll(unfold(v), "(null)", "")
	for item := range strings.SplitSeq(v, ";") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		k, val, ok := strings.Cut(item, ":")
		set(strings.TrimSpace(k), strings.TrimSpace(val), ok)
	}
}

// ParseAntispamReport parses an X-Forefront-Antispam-Report value. Keys are compared
// case-insensitively. It returns an error, and still every item it could read, for an item
// without ':', a documented key given twice (the first is typed, the repeat kept in Unknown),
// an unparsable CIP or a non-integer SCL.
func ParseAntispamReport(v string) (AntispamReport, error) {
	var r AntispamReport
	var errs []error
	var seen uint16 // one bit per documented key (reportKeyBit)
	splitItems(v, func(k, val string, ok bool) {
		if !ok {
			errs = append(errs, fmt.Errorf("item %q has no ':'", clip(k, 40)))
			return
		}
		uk := strings.ToUpper(k)
		bit := reportKeyBit(uk)
		if bit == 0 {
			r.Unknown = append(r.Unknown, Param{Key: k, Value: val})
			return
		}
		dst := r.field(uk)
		if seen&bit != 0 {
			// Real EXO reports repeat fields (SCL:-1 … SCL:1 in a 2019 corpus block): keep the
			// first typed, the repeat in Unknown, and say so.
			errs = append(errs, fmt.Errorf("%s given twice", uk))
			r.Unknown = append(r.Unknown, Param{Key: k, Value: val})
			return
		}
		seen |= bit
		switch uk {
		case "CIP":
			if val == "" {
				return
			}
			a, err := netip.ParseAddr(unbracket(val))
			if err != nil || a.Zone() != "" {
				errs = append(errs, fmt.Errorf("CIP %q is not an IP address", clip(val, 40)))
				return
			}
			r.CIP = a
		case "SCL":
			if val == "" {
				return
			}
			n, err := strconv.Atoi(val)
			if err != nil || n < -1 || n > 9 {
				errs = append(errs, fmt.Errorf("SCL %q is not an integer from -1 to 9", clip(val, 40)))
				return
			}
			r.SCL = &n
		default:
			*dst = val
		}
	})
	if len(errs) > 0 {
		return r, fmt.Errorf("headers: X-Forefront-Antispam-Report: %w", errors.Join(errs...))
	}
	return r, nil
}

// reportKeyBit returns a distinct bit for each documented key of the report (upper case): the
// keys field returns a place for, CIP and SCL; 0 for any other key.
func reportKeyBit(k string) uint16 {
	switch k {
	case "ARC":
		return 1 << 0
	case "CAT":
		return 1 << 1
	case "CIP":
		return 1 << 2
	case "CTRY":
		return 1 << 3
	case "DIR":
		return 1 << 4
	case "H":
		return 1 << 5
	case "IPV":
		return 1 << 6
	case "LANG":
		return 1 << 7
	case "PTR":
		return 1 << 8
	case "SCL":
		return 1 << 9
	case "SFP":
		return 1 << 10
	case "SFS":
		return 1 << 11
	case "SFTY":
		return 1 << 12
	case "SFV":
		return 1 << 13
	case "SRV":
		return 1 << 14
	}
	return 0
}

// field returns the string field for an upper-case key, or nil for CIP, SCL and unknown keys.
func (r *AntispamReport) field(k string) *string {
	switch k {
	case "ARC":
		return &r.ARC
	case "CAT":
		return &r.CAT
	case "CTRY":
		return &r.CTRY
	case "DIR":
		return &r.DIR
	case "H":
		return &r.H
	case "IPV":
		return &r.IPV
	case "LANG":
		return &r.LANG
	case "PTR":
		return &r.PTR
	case "SFP":
		return &r.SFP
	case "SFS":
		return &r.SFS
	case "SFTY":
		return &r.SFTY
	case "SFV":
		return &r.SFV
	case "SRV":
		return &r.SRV
	}
	return nil
}

// String formats the report as EXO does: documented fields that are set, in EXO's order
// (CIP, CTRY, LANG, SCL, SRV, IPV, SFV, H, PTR, CAT, SFTY, SFS, DIR, SFP, ARC), then the unknown
// items, each "KEY:value;" with no space.
func (r AntispamReport) String() string {
	var b strings.Builder
	// The order EXO writes the documented fields in (corpus).
	for _, k := range [...]string{"CIP", "CTRY", "LANG", "SCL", "SRV", "IPV", "SFV", "H", "PTR", "CAT", "SFTY", "SFS", "DIR", "SFP", "ARC"} {
		val := ""
		switch k {
		case "CIP":
			if r.CIP.IsValid() {
				val = r.CIP.String()
			}
		case "SCL":
			if r.SCL != nil {
				val = strconv.Itoa(*r.SCL)
			}
		default:
			val = *r.field(k)
		}
		if val != "" {
			b.WriteString(k + ":" + val + ";")
		}
	}
	for _, p := range r.Unknown {
		b.WriteString(p.Key + ":" + p.Value + ";")
	}
	return b.String()
}

// Items returns the report's documented fields that are set, in String's order, followed by
// the unknown items: what a CLI prints, one line each.
func (r AntispamReport) Items() []Param {
	var out []Param
	splitItems(r.String(), func(k, v string, ok bool) {
		out = append(out, Param{Key: k, Value: v})
	})
	return out
}

// MicrosoftAntispam is X-Microsoft-Antispam (docs/headers.md#antispam-reports): bulk and phishing
// confidence levels, plus undocumented items.
type MicrosoftAntispam struct {
	Field
	BCL    *int   `json:"bcl,omitempty"`    // bulk complaint level, 0–9
	PCL    *int   `json:"pcl,omitempty"`    // phishing confidence level, 0–8
	ARA    string `json:"ara,omitempty"`    // undocumented, "|"-separated numbers
	RULEID string `json:"ruleid,omitempty"` // undocumented rule list "(n)(n)…"
	SRVR   string `json:"srvr,omitempty"`   // the server that filtered
	// Unknown holds every other item in order, key as written.
	Unknown []Param `json:"unknown,omitempty"`
}

// ParseMicrosoftAntispam parses an X-Microsoft-Antispam value with the grammar of
// ParseAntispamReport. BCL and PCL must be integers from 0 to 9.
func ParseMicrosoftAntispam(v string) (MicrosoftAntispam, error) {
	var r MicrosoftAntispam
	var errs []error
	var seen uint8 // one bit per documented key
	level := func(k, val string) *int {
		n, err := strconv.Atoi(val)
		if err != nil || n < 0 || n > 9 {
			errs = append(errs, fmt.Errorf("%s %q is not an integer from 0 to 9", k, clip(val, 40)))
			return nil
		}
		return &n
	}
	splitItems(v, func(k, val string, ok bool) {
		if !ok {
			errs = append(errs, fmt.Errorf("item %q has no ':'", clip(k, 40)))
			return
		}
		uk := strings.ToUpper(k)
		switch uk {
		case "BCL", "PCL", "ARA", "RULEID", "SRVR":
			bit := msKeyBit(uk)
			if seen&bit != 0 {
				errs = append(errs, fmt.Errorf("%s given twice", uk))
				r.Unknown = append(r.Unknown, Param{Key: k, Value: val})
				return
			}
			seen |= bit
		}
		switch uk {
		case "BCL":
			if val != "" {
				r.BCL = level(uk, val)
			}
		case "PCL":
			if val != "" {
				r.PCL = level(uk, val)
			}
		case "ARA":
			r.ARA = val
		case "RULEID":
			r.RULEID = val
		case "SRVR":
			r.SRVR = val
		default:
			r.Unknown = append(r.Unknown, Param{Key: k, Value: val})
		}
	})
	if len(errs) > 0 {
		return r, fmt.Errorf("headers: X-Microsoft-Antispam: %w", errors.Join(errs...))
	}
	return r, nil
}

// msKeyBit returns a distinct bit for each documented key of X-Microsoft-Antispam (upper case),
// 0 for any other key.
func msKeyBit(k string) uint8 {
	switch k {
	case "BCL":
		return 1
	case "PCL":
		return 2
	case "ARA":
		return 4
	case "RULEID":
		return 8
	case "SRVR":
		return 16
	}
	return 0
}

// String formats the value as EXO does: BCL, PCL, RULEID, ARA, SRVR when set, then the unknown
// items, each "KEY:value;".
func (r MicrosoftAntispam) String() string {
	var b strings.Builder
	if r.BCL != nil {
		b.WriteString("BCL:" + strconv.Itoa(*r.BCL) + ";")
	}
	if r.PCL != nil {
		b.WriteString("PCL:" + strconv.Itoa(*r.PCL) + ";")
	}
	for _, p := range []Param{{"RULEID", r.RULEID}, {"ARA", r.ARA}, {"SRVR", r.SRVR}} {
		if p.Value != "" {
			b.WriteString(p.Key + ":" + p.Value + ";")
		}
	}
	for _, p := range r.Unknown {
		b.WriteString(p.Key + ":" + p.Value + ";")
	}
	return b.String()
}

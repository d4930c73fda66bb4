package topology

import (
	"fmt"

	"github.com/tenantgate/tenantgate"
)

// Severity ranks a Finding. The zero value is SeverityInfo; Lint's callers treat SeverityError as
// "this topology misroutes or leaks mail" and SeverityWarning as "this works but is fragile or
// weakens filtering". In JSON a Severity is its String form.
type Severity int

// Severities, from least to most serious.
const (
	SeverityInfo Severity = iota
	SeverityWarning
	SeverityError
)

// String returns "info", "warning" or "error" ("severity(N)" for an unknown value).
func (s Severity) String() string {
	switch s {
	case SeverityInfo:
		return "info"
	case SeverityWarning:
		return "warning"
	case SeverityError:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText encodes the severity as its String form.
func (s Severity) MarshalText() ([]byte, error) {
	switch s {
	case SeverityInfo, SeverityWarning, SeverityError:
		return []byte(s.String()), nil
	}
	return nil, fmt.Errorf("topology: unknown severity %d", int(s))
}

// UnmarshalText decodes "info", "warning" or "error".
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "info":
		*s = SeverityInfo
	case "warning":
		*s = SeverityWarning
	case "error":
		*s = SeverityError
	default:
		return fmt.Errorf("topology: unknown severity %q (want info, warning or error)", clipText(string(b)))
	}
	return nil
}

// Finding codes: the stable Finding.Code values of the checks in this file
// (testdata/scenarios/README.md lint codes). Checks added elsewhere (ORCA parity) use their own
// codes.
const (
	// FindingMisattribution: the gateway presents a tenant's certificate towards another Office
	// 365 tenant, which may attribute the mail to the wrong tenant
	// (docs/exchange-online.md#pitfalls).
	FindingMisattribution = "misattribution"
	// FindingConnectorType: an OnPremises inbound connector takes mail that needs a Partner
	// connector, or the reverse (docs/exchange-online.md#pitfalls).
	FindingConnectorType = "connector-type"
	// FindingLoop: a canonical flow loops between Exchange Online and the gateway (centralized
	// transport pointed at the gateway; 5.4.14 after 20 hops).
	FindingLoop = "loop"
	// FindingMissingEnhancedFiltering: the tenant's MX points at the gateway but the inbound
	// connector the gateway's mail arrives on has no Enhanced Filtering
	// (docs/exchange-online.md#enhanced-filtering).
	FindingMissingEnhancedFiltering = "missing-enhanced-filtering"
	// FindingRelayHole: another tenant (EchoSpoofing) or the Internet can relay through the
	// gateway to the Internet (docs/threat-model.md#echospoofing).
	FindingRelayHole = "relay-hole"
	// FindingMXBypass: Internet mail reaches the tenant directly, around the gateway, because no
	// Partner connector restricts the tenant's domains to the gateway.
	FindingMXBypass = "mx-bypass"
)

// Finding is one problem Lint found in a topology, with what it affects and how to fix it. Every
// field but Code, Severity, Summary and Fix may be empty.
type Finding struct {
	// Code is the stable identifier of the check ("misattribution", "loop", …; see the Finding…
	// constants). Scripts and scenario files compare it.
	Code string `json:"code"`
	// Severity ranks the finding.
	Severity Severity `json:"severity"`
	// ORCA is the ID of the equivalent check of Microsoft's ORCA report ("ORCA-233", …), "" when
	// there is none.
	ORCA string `json:"orca,omitempty"`
	// Tenant is the tenant the finding concerns; zero for a finding about the gateway alone.
	Tenant tenantgate.TenantID `json:"tenant,omitzero"`
	// Objects name the configuration objects involved, most relevant first, each as
	// "<kind> <name>": "inbound connector from-gateway", "outbound connector to-gateway",
	// "transport rule all-external-via-gateway", "accepted domain contoso.com",
	// "gateway identity contoso", "gateway".
	Objects []string `json:"objects,omitempty"`
	// Summary is one line saying what is wrong.
	Summary string `json:"summary"`
	// Detail explains why it matters and what the simulation saw.
	Detail string `json:"detail,omitempty"`
	// Fix says in words how to fix it.
	Fix string `json:"fix"`
	// PowerShell is the Exchange Online PowerShell command that fixes it, "" when the fix is not
	// in Exchange Online (the gateway's own configuration, DNS).
	PowerShell string `json:"powerShell,omitempty"`
	// Flow names the canonical flow whose simulation showed the problem ("internet-to-tenant",
	// …; see Lint), "" for a finding read from the configuration alone.
	Flow string `json:"flow,omitempty"`
	// Reasons are the decisions that led to the finding, in order: usually the reasons of the hop
	// of Flow where it went wrong.
	Reasons []tenantgate.Reason `json:"reasons,omitempty"`
}

// Lint checks a whole topology: for every tenant the gateway serves, in configuration order,
// it simulates the canonical flows (see the Flow… constants) with Simulate and o, and reads
// the traces for the pitfalls of docs/exchange-online.md#pitfalls, relay holes and MX bypass; then it checks the
// gateway as a whole (relay attempts from the Internet and from other tenants). Each finding
// carries a fix. A nil result means no findings. The result is deterministic: the same Directory
// and options give the same findings in the same order, at most one per code, tenant and
// objects. The zero Options is every decision function's default.
func Lint(d *tenantgate.Directory, o Options) []Finding {
	if d == nil {
		return nil
	}
	sim := newSimulator(d, o)
	// The linter reads the simulator's Directory: it may hold a stand-in for "another Office 365
	// tenant" (withStandInTenant), which is never served, so only the flows see it.
	l := &linter{d: sim.d, sim: sim, seen: map[string]bool{}}
	l.other, l.otherMX = otherTenantRecipient(d)
	ts := d.Tenants() // a copy: take it once
	for i := range ts {
		t := &ts[i]
		if !d.Serves(t.ID) {
			continue
		}
		l.tenant(t)
		l.tenantConfig(t)
	}
	l.gateway()
	return l.findings
}

// linter collects findings. Checks are methods on *linter that call add; tenant and gateway run
// them in a fixed order.
type linter struct {
	d        *tenantgate.Directory
	sim      *simulator
	findings []Finding
	seen     map[string]bool
	// other is a recipient in an Office 365 tenant the gateway does not serve, and the MX
	// override that makes its domain one (nil when the configuration has such a tenant).
	other   string
	otherMX map[tenantgate.Domain]string
}

// add appends f unless a finding with the same code, tenant and objects is already there.
func (l *linter) add(f Finding) {
	key := fmt.Sprintf("%s|%s|%q", f.Code, f.Tenant, f.Objects)
	if l.seen[key] {
		return
	}
	l.seen[key] = true
	l.findings = append(l.findings, f)
}

// clipText bounds text copied into error messages.
func clipText(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

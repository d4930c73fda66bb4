package exoimport

import (
	"fmt"
	"strings"
)

// Error is one value of an export that does not parse, with the file and the JSON path of the
// value, such as `$.inbound_connectors[0].SenderDomains[1]`.
type Error struct {
	File string `json:"file"`
	Path string `json:"path"`
	Msg  string `json:"message"`
}

func (e *Error) Error() string { return e.File + ": " + e.Path + ": " + e.Msg }

// Errors is every problem Import found, file by file, so that an administrator fixes an export
// in one pass. Import stops collecting after maxErrors.
type Errors []*Error

func (es Errors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "exoimport: %d error", len(es))
	if len(es) != 1 {
		b.WriteByte('s')
	}
	for _, e := range es {
		b.WriteString("\n  ")
		b.WriteString(e.Error())
	}
	return b.String()
}

// Warning is something Import read but did not carry into the Tenant (an object the model has no
// place for, a condition it does not represent), or a fact the export did not contain and that is
// therefore left at its PowerShell default. Code is a stable dotted identifier for scripts and
// tests; Msg is for humans and may change.
type Warning struct {
	File string `json:"file,omitempty"`
	Path string `json:"path,omitempty"`
	Code string `json:"code"`
	Msg  string `json:"message"`
}

func (w Warning) String() string {
	s := w.File
	if w.Path != "" {
		s += ": " + w.Path
	}
	return s + ": " + w.Msg + " [" + w.Code + "]"
}

// Warning codes.
const (
	// WarnEmpty: a file holds no objects (a cmdlet that returned nothing).
	WarnEmpty = "import.empty"
	// WarnIgnoredKey: a bundle key, Microsoft365DSC resource or cmdlet output the model has no
	// place for.
	WarnIgnoredKey = "import.ignored"
	// WarnAbsent: fields the checks read are missing from an object; they take the PowerShell
	// default, but their real value is not known.
	WarnAbsent = "import.absent"
	// WarnNotExported: a whole cmdlet's output is missing from the files (Get-OrganizationConfig,
	// Get-ArcConfig, Get-HostedConnectionFilterPolicy, Get-MxRecordReport).
	WarnNotExported = "import.not-exported"
	// WarnRuleIgnored: a transport rule that neither routes nor sets the SCL, or one that routes in
	// a way the model cannot hold (audit mode, a partner scope).
	WarnRuleIgnored = "import.rule.ignored"
	// WarnRuleConditions: a routing rule carries conditions or exceptions the model does not hold,
	// so the imported rule matches more mail than Exchange Online's.
	WarnRuleConditions = "import.rule.conditions"
	// WarnRuleDates: a rule is active only between ActivationDate and ExpiryDate; it is imported
	// as always active.
	WarnRuleDates = "import.rule.dates"
	// WarnNotApplied: a setting the model does not hold but that changes mail flow
	// (ScanAndDropRecipients, ClientHostNames).
	WarnNotApplied = "import.not-modelled"
	// WarnTenant: the tenant's ID or name could not be read from the exports.
	WarnTenant = "import.tenant"
	// WarnMXUnmatched: a Get-MxRecordReport row for a domain that is not an accepted domain.
	WarnMXUnmatched = "import.mx.unmatched"
	// WarnAbsentResource: a Microsoft365DSC resource with Ensure = "Absent".
	WarnAbsentResource = "import.dsc.absent"
)

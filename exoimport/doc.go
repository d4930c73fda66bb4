// Package exoimport reads the Exchange Online configuration exports administrators already have
// into a tenantgate.Tenant, so that the linter and the simulator run on a tenant's real settings
// instead of hand-written JSON.
//
// # Why a package of its own
//
// The root package's JSON is a strict public contract (README.md#configuration). Exports are not: PowerShell
// matches keys case-insensitively, writes enums as names, numbers or {"Value": …} objects, dates
// in two styles, one object bare and several as an array, and the REST API adds annotation keys.
// Keeping that tolerance here keeps it out of the model, and a library user who only loads our
// configuration never imports it.
//
// # What it reads
//
// The output of Get-InboundConnector, Get-OutboundConnector, Get-AcceptedDomain,
// Get-TransportRule, Get-OrganizationConfig (RejectDirectSend), Get-ArcConfig,
// Get-HostedConnectionFilterPolicy (IPAllowList) and Get-MxRecordReport, in these forms
// (docs/exchange-online.md#configuration-exports):
//   - `ConvertTo-Json` from Windows PowerShell 5.1 or PowerShell 7: a bare object, an array, null
//     or nothing; several cmdlets' objects may share one array. Which cmdlet wrote an object is
//     told by the keys only its output has.
//   - the admin REST API's {"value": […]}; keys containing "@" (@odata.type, @data.type) are
//     ignored.
//   - ORCA's `Invoke-ORCA -Output Config` dump, ScubaGear's ProviderSettingsExport.json and the
//     JSON report of Microsoft365DSC's New-M365DSCReportFromConfiguration, by their wrapper keys
//     or ResourceName; everything else in them is listed in one warning.
//
// Files written by Windows PowerShell 5.1's "> file" are UTF-16 with a byte order mark; they are
// decoded. Detect tells those formats, and tenantgate's own configuration, apart.
//
// # Rules
//
// Keys compare case-insensitively (Microsoft365DSC mixes UseMXRecord and UseMxRecord); two keys
// of one object that differ only in case are an error. Enumerations are read by name, given as a
// string or as {"Value": "…"}; numbers are refused with the instruction to re-export with
// `ConvertTo-Json -EnumsAsStrings`, because their codes are not documented.
// Multi-valued properties are arrays (null elements skipped, as in ScubaGear's [null]), a bare
// string or null. SenderDomains are read in the stored "smtp:<domain>;<cost>" form or bare.
// SetSCL and Priority are numbers or numeric strings. Dates are "\/Date(ms)\/" or ISO 8601.
// Every value that does not parse is an Error with its file and JSON path; Import reports all of
// them (up to 100) at once.
//
// An absent field is not the same as false. Pointer fields of the model stay nil; plain fields
// take their PowerShell default, and a WarnAbsent warning names each fact the checks need that
// an object lacked (Microsoft365DSC has no EFTestMode, for example). A whole cmdlet missing from
// the files (no Get-ArcConfig output, say) leaves its part of the Tenant nil and says so in a
// WarnNotExported warning.
//
// # Transport rules
//
// Get-TransportRule returns every mail flow rule. A rule with RouteMessageOutboundConnector
// becomes a tenantgate.TransportRule (Tenant.Rules); a rule with SetSCL becomes a
// tenantgate.SCLRule (Tenant.SCLRules) carrying the sender, IP and header conditions ORCA 118_2
// and 118_4 read; a rule that does both appears in both lists; any other rule is ignored with a
// warning. Both lists are in Priority order. A routing rule whose Conditions or Exceptions
// include predicates other than FromScope, SentToScope and the HeaderContains exception is
// imported with a WarnRuleConditions warning, because the model then matches more mail than
// Exchange Online does; a routing rule in audit mode, or scoped to ExternalPartner or
// ExternalNonPartner recipients, is not imported as routing. ActivationDate and ExpiryDate are
// not applied (the library has no clock): such a rule is imported as always active, with a
// warning.
//
// # Deliberate divergences
//
//   - The tenant ID is not in any of these exports: Import leaves it zero, with a warning.
//   - ConnectorSource is kept as written (the live "AdminUI" is not in the documented set).
//   - MX report rows are matched to accepted domains by Domain; rows for other domains are
//     ignored with a warning. Row order is kept, several rows per domain included.
//   - Import validates each value it keeps (domains, patterns, addresses) but not the rules that
//     combine them (an OnPremises connector without a certificate name, say): compile the result
//     with tenantgate.Compile for those.
//   - The Microsoft365DSC resource names EXOArcConfig and EXOHostedConnectionFilterPolicy, and
//     ORCA's OrganizationConfig key, are taken from the module and check sources as the
//     specification reports them, without a sample.
package exoimport

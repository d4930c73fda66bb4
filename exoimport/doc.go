// Package exoimport reads the Exchange Online configuration exports administrators already have
// into a tenantgate.Tenant, so that the linter and the simulator run on a tenant's real settings
// instead of hand-written JSON.
//
// Call Import with the files (the ConvertTo-Json output of Get-InboundConnector,
// Get-OutboundConnector, Get-AcceptedDomain, Get-TransportRule, Get-OrganizationConfig,
// Get-ArcConfig, Get-HostedConnectionFilterPolicy and Get-MxRecordReport, or an ORCA, ScubaGear
// or Microsoft365DSC dump); it returns the Tenant, Warnings for every fact an export lacked
// (the tenant ID is in none of them) and an Error for every value that does not parse. Merge the
// Tenant into a configuration and compile it with tenantgate.Compile. Detect tells the formats,
// and tenantgate's own configuration, apart.
//
// The formats accepted, the rules for reading them and the deliberate divergences are in
// docs/exoimport.md.
package exoimport

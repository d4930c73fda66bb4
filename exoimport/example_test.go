package exoimport_test

import (
	"fmt"

	"github.com/tenantgate/tenantgate/exoimport"
)

// Import two PowerShell 7 exports: Get-AcceptedDomain (an array) and Get-InboundConnector (one
// connector, so a bare object without -AsArray).
func ExampleImport() {
	domains := []byte(`[
  { "DomainName": "contoso.onmicrosoft.com", "DomainType": "Authoritative", "MatchSubDomains": false, "InitialDomain": true },
  { "DomainName": "contoso.com", "DomainType": "Authoritative", "MatchSubDomains": false, "InitialDomain": false }
]`)
	inbound := []byte(`{
  "Name": "From gateway", "Enabled": true, "ConnectorType": "Partner",
  "SenderDomains": ["smtp:*;1"], "SenderIPAddresses": [], "TlsSenderCertificateName": "*.gw.example.net",
  "RestrictDomainsToCertificate": true, "RestrictDomainsToIPAddresses": false,
  "EFSkipLastIP": true, "EFSkipIPs": [], "EFUsers": [], "EFTestMode": false,
  "WhenChangedUTC": "2026-11-20T08:14:02.1234567Z"
}`)
	t, warns, err := exoimport.Import(
		exoimport.File{Name: "domains.json", Data: domains},
		exoimport.File{Name: "inbound.json", Data: inbound},
	)
	if err != nil {
		fmt.Println(err)
		return
	}
	c := t.Inbound[0]
	fmt.Println(t.Name, len(t.AcceptedDomains), c.Name, c.SenderDomains, c.TLSSenderCertificateName, c.EnhancedFiltering())
	for _, w := range warns {
		if w.Code == exoimport.WarnAbsent {
			fmt.Println(w)
			continue
		}
		fmt.Println(w.Code)
	}
	// The connector export lacks five fields the checks read; they are named, not taken as false.
	// No file holds the other six cmdlets' output.
	//
	// Output:
	// contoso 2 From gateway [*] *.gw.example.net true
	// inbound.json: $: inbound connector "From gateway": not in the export, so not known (left at the PowerShell default): RequireTls, CloudServicesMailEnabled, TreatMessagesAsInternal, EFSkipMailGateway, TrustedOrganizations [import.absent]
	// import.tenant
	// import.not-exported
	// import.not-exported
	// import.not-exported
	// import.not-exported
	// import.not-exported
	// import.not-exported
}

// A numeric enum is refused with its JSON path and the fix.
func ExampleImport_numericEnum() {
	_, _, err := exoimport.Import(exoimport.File{Name: "outbound.json", Data: []byte(`[{"Name": "To gateway", "SmartHosts": ["gw.example.net"], "TlsSettings": 2}]`)})
	fmt.Println(err)
	// Output:
	// exoimport: 1 error
	//   outbound.json: $[0].TlsSettings: numeric enumeration value 2: its meaning is not documented; re-export with ConvertTo-Json -EnumsAsStrings
}

func ExampleDetect() {
	for _, s := range []string{
		`{"tenants": [], "gateway": {"name": "gw.example.net"}}`,
		`{"value": [{"DomainName": "contoso.com", "DomainType": "Authoritative"}]}`,
		`{"inbound_connectors": [null]}`,
		`[{"ResourceName": "EXOAcceptedDomain", "Identity": "contoso.com"}]`,
		`{"PointsToService": true, "Domain": "contoso.com"}`,
	} {
		fmt.Println(exoimport.Detect([]byte(s)))
	}
	// Output:
	// tenantgate configuration
	// Exchange Online admin API response
	// ScubaGear provider export
	// Microsoft365DSC JSON report
	// ConvertTo-Json output
}

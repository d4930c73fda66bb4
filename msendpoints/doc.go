// Package msendpoints reads the JSON of Microsoft's Microsoft 365 IP address and URL web service
// (https://learn.microsoft.com/microsoft-365/enterprise/microsoft-365-ip-web-service, the
// endpoints web method) and picks the ranges Exchange Online sends mail from, for
// gateway.exchangeOnline.networks (docs/exchange-online.md#clouds). It does no I/O: the caller
// downloads the file (endpoints.office.com/endpoints/<instance>?clientrequestid=<GUID>).
package msendpoints

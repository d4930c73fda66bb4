package classify

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/tlsid"
)

// maxCertNames bounds how many names of a presented certificate Attribute looks at; real
// certificates carry a few dozen at most.
const maxCertNames = 256

// Attribute decides, as Exchange Online does for a connection to *.mail.protection.outlook.com,
// which tenant each recipient belongs to, through which inbound connector, whether the mail is
// Originating or Incoming and Internal or Anonymous, or which reply rejects the recipient. It
// follows docs/exchange-online.md#attribution-algorithm, step by step:
//
//  1. Originating candidates (docs/exchange-online.md#attribution, rules 3–4): enabled OnPremises
//     connectors whose TLSSenderCertificateName matches a verified certificate name; only when none
//     does, those whose SenderIPAddresses contain the connecting IPv4 address.
//  2. The tenant among the candidates, by MC1226222's order: the tenant that accepts the
//     certificate domain (docs/exchange-online.md#certificate-domain: a wildcard connector
//     value's base, the matched name, the matched name's parent), else the tenant that accepts
//     the MAIL FROM domain, else — per recipient — the tenant that accepts the RCPT TO domain. A
//     certificate that matched only connectors with a non-wildcard value whose certificate
//     domain is not accepted fails with 550 5.7.51 for every recipient
//     (AttributeOptions.CertificateNameMailFromFallback for the older reading).
//  3. The November 2023 relay rule: only when the certificate domain or the MAIL FROM domain is
//     accepted is the mail Originating with relay rights, for every recipient. Otherwise a
//     recipient no tenant accepts gets 550 5.7.64 (so does one from a tenant's own MAIL FROM
//     domain when no OnPremises connector matched at all — a changed certificate or IP); any
//     other goes on as Incoming (AttributeOptions.RecipientStepOriginating: Originating without
//     relay rights when a candidate's tenant accepts it).
//  4. Incoming (anonymous) mail: the recipient's accepted-domain owner (MatchSubDomains aware), or
//     550 5.7.1 Unable to relay; that tenant's in-scope Partner connectors (SenderDomains against
//     the MAIL FROM domain) with RequireTLS, RestrictDomainsToIPAddresses and
//     RestrictDomainsToCertificate (550 5.7.51); then RejectDirectSend (550 5.7.68).
//  5. One tenant per transaction without relay rights: the first accepted recipient binds the
//     transaction; a later one of another tenant (AttributeOptions.RecipientBindingPerDomain:
//     another domain) gets 451 4.4.5 ATTR46 and is retried by the sender on its own.
//  6. The phase of each reply (Phase): relay refusals (5.7.64, 5.7.1) after DATA, everything else
//     at RCPT.
//  7. Enhanced Filtering on the connector that applied, and the stamps of each delivered copy.
//
// Attribute never fails: unparsable, unverified or inconsistent input only ever removes matches
// (an unverified certificate identifies nothing, an unparsable MAIL FROM is accepted nowhere).
//
// o chooses among the readings of rules Microsoft does not document; the zero AttributeOptions
// is the default reading.
func Attribute(d *tenantgate.Directory, c Connection, o AttributeOptions) Attribution {
	a := &attributor{d: d, c: c, o: o, ip: c.RemoteAddr.Unmap().WithZone("")}
	return a.run()
}

// certName is one usable name of the presented certificate: an exact domain, or a wildcard name
// ("*.gw.example" → wild true, dom "gw.example").
type certName struct {
	name string // normalised by tlsid.NormalizeName, "*." kept
	dom  tenantgate.Domain
	wild bool
}

// candidate is an OnPremises connector that identified the connection, with its certificate
// domains (none for an IP match).
type candidate struct {
	ref    *tenantgate.InboundRef
	method Method
	names  []tenantgate.Domain // certificate domains, certDomains
}

type attributor struct {
	d  *tenantgate.Directory
	c  Connection
	o  AttributeOptions
	ip netip.Addr

	fromDom   tenantgate.Domain // "" for the null or an unparsable reverse-path
	certs     []certName
	cands     []candidate
	granted   *candidate // Originating with relay rights, for every recipient
	certFail  *candidate // the certificate name rule refused the connection (5.7.51)
	reasons   []tenantgate.Reason
	recipient []recipientState

	// The ATTR46 binding of a transaction without relay rights: the first accepted recipient's
	// tenant and domain.
	bound       bool
	boundTenant tenantgate.TenantID
	boundDom    tenantgate.Domain
}

// recipientState is a recipient's result plus what Stamp and Enhanced Filtering need.
type recipientState struct {
	RecipientAttribution
	ref *tenantgate.InboundRef // the connector that applied, nil for none
	dir string
}

func (a *attributor) reason(code, format string, args ...any) {
	detail := format
	if len(args) > 0 {
		detail = fmt.Sprintf(format, args...)
	}
	if a.reasons == nil {
		a.reasons = make([]tenantgate.Reason, 0, 6) // most attributions give 3–6
	}
	a.reasons = append(a.reasons, reason(code, detail))
}

func (a *attributor) run() Attribution {
	a.readSender()
	a.readCertificate()
	a.findCandidates()
	a.chooseTenant()
	a.recipient = make([]recipientState, len(a.c.RcptTo))
	for i, rcpt := range a.c.RcptTo {
		r := a.attributeRecipient(rcpt)
		a.bindTransaction(&r)
		r.Phase = phaseOf(r.Reply)
		a.recipient[i] = r
	}
	out := Attribution{Recipients: make([]RecipientAttribution, len(a.recipient))}
	for i := range a.recipient {
		out.Recipients[i] = a.recipient[i].RecipientAttribution
	}
	out.Stamps = a.stamps()
	out.OriginalClientIP = a.ip
	if len(out.Stamps) > 0 {
		out.OriginalClientIP = out.Stamps[0].CIP
	}
	out.Reasons = a.reasons
	return out
}

// readSender parses MAIL FROM. The null reverse-path and an unparsable address both leave fromDom
// empty: neither is an accepted domain of anybody (the 2023 rule: a null P1 never qualifies).
func (a *attributor) readSender() {
	from := strings.TrimSpace(a.c.MailFrom)
	if from == "" || from == "<>" {
		a.reason(ReasonAttrMailFromNull, "null reverse-path: no MAIL FROM domain")
		return
	}
	dom, err := tenantgate.AddressDomain(from)
	if err != nil {
		a.reason(ReasonAttrMailFromInvalid, "MAIL FROM %q: %v; treated as no domain", clipAddr(from), err)
		return
	}
	a.fromDom = dom
}

// readCertificate keeps the certificate names Exchange Online would consider: only from a TLS
// session whose certificate verified (docs/exchange-online.md#certificate-names: CA-signed only).
func (a *attributor) readCertificate() {
	ev := a.c.TLS
	switch {
	case !ev.TLS && ev.Verified:
		a.reason(ReasonAttrTLSInconsistent, "certificate evidence marked verified on a plaintext session; ignored")
		return
	case !ev.TLS:
		return
	case !ev.Verified:
		if len(ev.Names) > 0 {
			a.reason(ReasonAttrTLSUnverified, "the client certificate did not verify (%s); its names identify nothing", orNone(ev.Error))
		}
		return
	}
	for i, n := range ev.Names {
		if i == maxCertNames {
			a.reason(ReasonAttrCertTooManyNames, "only the first %d certificate names are considered", maxCertNames)
			break
		}
		norm, ok := tlsid.NormalizeName(n)
		if !ok {
			a.reason(ReasonAttrCertNameInvalid, "certificate name %q is not a host name or a whole-label wildcard", clipAddr(n))
			continue
		}
		wild := strings.HasPrefix(norm, "*.")
		if wild && a.o.IgnoreCertificateWildcards {
			a.reason(ReasonAttrCertWildcardIgnored, "certificate name %q is a wildcard; wildcards are ignored by option", clipAddr(n))
			continue
		}
		a.certs = append(a.certs, certName{name: norm, dom: tenantgate.Domain(strings.TrimPrefix(norm, "*.")), wild: wild})
	}
}

// certMatches reports whether a connector's TLSSenderCertificateName matches one of the verified
// certificate names, and returns the connector's certificate domains (certDomains).
func (a *attributor) certMatches(p tenantgate.DomainPattern) (ok bool, domains []tenantgate.Domain) {
	if p == "" {
		return false, nil
	}
	for _, n := range a.certs {
		// tlsid.MatchConnectorName is the one implementation of EXO's name semantics
		// (docs/exchange-online.md#certificate-names), including the inferred rule for a wildcard
		// in the certificate.
		if tlsid.MatchConnectorName(p, n.name, a.wildcardRule()) {
			ok = true
			domains = certDomains(domains, p, n)
		}
	}
	return ok, domains
}

// certMatch is certMatches without the certificate domains (Partner connectors need none).
func (a *attributor) certMatch(p tenantgate.DomainPattern) bool {
	if p == "" {
		return false
	}
	for _, n := range a.certs {
		if tlsid.MatchConnectorName(p, n.name, a.wildcardRule()) {
			return true
		}
	}
	return false
}

// certDomains appends to out the certificate domains of connector value p matched by certificate
// name n, the domains the tenant's accepted domains are tested against
// (docs/exchange-online.md#certificate-domain):
//   - a wildcard value's base: "*.contoso.com" with CN mail.contoso.com relays because
//     contoso.com is accepted ("use *.contoso.com … because mail.contoso.com … may not be
//     registered domains",
//     https://learn.microsoft.com/troubleshoot/exchange/email-delivery/office-365-notice);
//   - the matched name itself, and its parent: for hostname.subdomain.contoso.com "you have to
//     add only subdomain.contoso.com"
//     (https://learn.microsoft.com/troubleshoot/exchange/hybrid-configuration-wizard-errors/relay-access-denied-attr36-ndr,
//     KB 4019940).
//
// A wildcard certificate name "*.X" stands for a name one label under X (inferred): the name it
// matched is the connector value when that is exact, and its parent is X.
func certDomains(out []tenantgate.Domain, p tenantgate.DomainPattern, n certName) []tenantgate.Domain {
	add := func(d tenantgate.Domain) {
		// A single label (a parent such as "com") is never an accepted domain.
		if strings.Contains(string(d), ".") && !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	if p.IsWildcard() {
		add(p.Base())
	}
	if n.wild {
		if !p.IsWildcard() {
			add(tenantgate.Domain(p))
		}
		add(n.dom)
		return out
	}
	add(n.dom)
	add(n.dom.Parent())
	return out
}

func (a *attributor) wildcardRule() tlsid.WildcardRule {
	if a.o.IgnoreCertificateWildcards {
		return tlsid.WildcardNever
	}
	return tlsid.WildcardOneLabel
}

func (a *attributor) ipMatches(ref *tenantgate.InboundRef) bool {
	if !a.ip.Is4() {
		return false
	}
	for _, p := range ref.SenderIPs {
		if p.Contains(a.ip) {
			return true
		}
	}
	return false
}

// onPremisesInScope applies AttributeOptions.OnPremisesSenderDomains.
func (a *attributor) onPremisesInScope(ref *tenantgate.InboundRef) bool {
	c := ref.Connector
	if c.Type() != tenantgate.ConnectorOnPremises || !c.IsEnabled() {
		return false
	}
	return !a.o.OnPremisesSenderDomains || a.senderInScope(c.SenderDomains)
}

// findCandidates is step A1/A2: certificate first, then sender IP (MC1226222 order).
func (a *attributor) findCandidates() {
	seen := map[*tenantgate.InboundRef]int{}
	add := func(ref *tenantgate.InboundRef, m Method) {
		if _, dup := seen[ref]; dup || !a.onPremisesInScope(ref) {
			return
		}
		var names []tenantgate.Domain
		if m == MethodCertificate {
			var ok bool
			if ok, names = a.certMatches(ref.Connector.TLSSenderCertificateName); !ok {
				return
			}
		}
		seen[ref] = len(a.cands)
		a.cands = append(a.cands, candidate{ref: ref, method: m, names: names})
	}
	for _, n := range a.certs {
		var refs []*tenantgate.InboundRef
		if n.wild {
			refs = a.d.InboundByCertWildcard(n.dom)
		} else {
			refs = a.d.InboundByCertName(n.dom)
		}
		for _, ref := range refs {
			add(ref, MethodCertificate)
		}
	}
	if len(a.cands) > 0 {
		a.reason(ReasonAttrOnPremCertMatch, "%d OnPremises connector(s) match the certificate, first %s", len(a.cands), connectorLabel(a.cands[0].ref))
		return
	}
	if !a.ip.Is4() {
		if a.ip.IsValid() {
			a.reason(ReasonAttrOnPremIPv6, "connecting address %s is IPv6; connectors list IPv4 only, so no IP match", a.ip)
		}
	} else {
		for _, ref := range a.d.InboundBySenderIP(a.ip) {
			add(ref, MethodSenderIP)
		}
	}
	if len(a.cands) > 0 {
		a.reason(ReasonAttrOnPremIPMatch, "%d OnPremises connector(s) list %s, first %s", len(a.cands), a.ip, connectorLabel(a.cands[0].ref))
		return
	}
	a.reason(ReasonAttrOnPremNone, "no enabled OnPremises connector matches the certificate or the connecting IP")
}

// chooseTenant is MC1226222's first two steps and the 2023 relay rule; the third step (RCPT TO)
// is per recipient.
func (a *attributor) chooseTenant() {
	if len(a.cands) == 0 {
		return
	}
	// Step 1: the tenant that accepts a certificate domain of its matched connector.
	var byCert []*candidate
	var certDom tenantgate.Domain
	for i := range a.cands {
		cd := &a.cands[i]
		for _, n := range cd.names {
			if a.d.Accepts(cd.ref.Tenant.ID, n) {
				if !containsTenant(byCert, cd.ref.Tenant.ID) {
					byCert = append(byCert, cd)
				}
				if certDom == "" {
					certDom = n
				}
				break
			}
		}
	}
	switch {
	case len(byCert) == 1 || (len(byCert) > 1 && a.o.TieBreakConfigOrder):
		a.granted = a.firstInConfigOrder(byCert)
		if len(byCert) > 1 {
			a.reason(ReasonAttrOnPremTieConfigOrder, "%d tenants accept a matched certificate name; %s is first in configuration order", len(byCert), a.granted.ref.Tenant.Name)
		}
		a.reason(ReasonAttrOnPremTenantByCertificate, "tenant %s (%s) accepts the certificate domain %s", a.granted.ref.Tenant.Name, a.granted.ref.Tenant.ID, a.grantedCertDomain(certDom))
		a.reason(ReasonAttrOnPremRelayAllowed, "certificate domain is an accepted domain (2023 relay rule)")
		return
	case len(byCert) > 1:
		a.reason(ReasonAttrOnPremAmbiguous, "%d tenants accept a matched certificate name; the certificate step decides nothing", len(byCert))
	case !a.o.CertificateNameMailFromFallback && a.certificateNameRule():
		return
	}
	// Step 2: the tenant that accepts the MAIL FROM domain.
	if a.fromDom != "" {
		if t, ok := a.d.OwnerInfo(a.fromDom); ok {
			for i := range a.cands {
				if a.cands[i].ref.Tenant.ID == t.ID {
					a.granted = &a.cands[i]
					a.reason(ReasonAttrOnPremTenantByMailFrom, "tenant %s (%s) accepts the MAIL FROM domain %s", t.Name, t.ID, a.fromDom)
					a.reason(ReasonAttrOnPremRelayAllowed, "MAIL FROM domain is an accepted domain (2023 relay rule)")
					return
				}
			}
		}
	}
	a.reason(ReasonAttrOnPremRelayDenied, "neither the certificate domain nor the MAIL FROM domain is an accepted domain of a matching connector's tenant (2023 relay rule)")
}

// grantedCertDomain returns the accepted certificate domain of the granted candidate (d when that
// is the granted tenant's).
func (a *attributor) grantedCertDomain(d tenantgate.Domain) tenantgate.Domain {
	for _, n := range a.granted.names {
		if a.d.Accepts(a.granted.ref.Tenant.ID, n) {
			return n
		}
	}
	return d
}

// certificateNameRule applies the June 2025 reading (AttributeOptions.CertificateNameMailFromFallback
// off): no tenant accepts a certificate domain, so certificate candidates whose connector value is
// not a wildcard fail — the name "must be an accepted domain", else 5.7.51
// (https://techcommunity.microsoft.com/blog/exchange/tls-certificates-in-exchange-hybrid---common-issues--how-to-fix-them/4420592).
// They are dropped; when no candidate is left the connection is refused and it reports true.
func (a *attributor) certificateNameRule() bool {
	kept := a.cands[:0:0]
	var failed *candidate
	for i := range a.cands {
		cd := a.cands[i]
		if cd.method == MethodCertificate && !cd.ref.Connector.TLSSenderCertificateName.IsWildcard() {
			if failed == nil {
				failed = &a.cands[i]
			}
			a.reason(ReasonAttrOnPremCertNameNotAccepted, "connector %s: TlsSenderCertificateName %s is not a wildcard and no accepted domain of tenant %s covers it or its parent", connectorLabel(cd.ref), cd.ref.Connector.TLSSenderCertificateName, cd.ref.Tenant.Name)
			continue
		}
		kept = append(kept, cd)
	}
	if failed == nil {
		return false
	}
	if len(kept) == 0 {
		a.certFail = failed
		a.cands = nil
		return true
	}
	a.cands = kept
	return false
}

func containsTenant(cs []*candidate, id tenantgate.TenantID) bool {
	for _, c := range cs {
		if c.ref.Tenant.ID == id {
			return true
		}
	}
	return false
}

// firstInConfigOrder returns the candidate whose tenant comes first in the configuration.
func (a *attributor) firstInConfigOrder(cs []*candidate) *candidate {
	if len(cs) == 1 {
		return cs[0]
	}
	first, at := cs[0], -1
	for _, c := range cs {
		if t, ok := a.d.TenantInfo(c.ref.Tenant.ID); ok && (at < 0 || t.Index < at) {
			first, at = c, t.Index
		}
	}
	return first
}

// candidateOf returns the first candidate of tenant id.
func (a *attributor) candidateOf(id tenantgate.TenantID) *candidate {
	for i := range a.cands {
		if a.cands[i].ref.Tenant.ID == id {
			return &a.cands[i]
		}
	}
	return nil
}

func (a *attributor) attributeRecipient(rcpt string) recipientState {
	r := recipientState{RecipientAttribution: RecipientAttribution{Rcpt: rcpt}}
	dom, err := tenantgate.AddressDomain(rcpt)
	if err != nil {
		r.Reply = ReplyBadRecipient
		a.reason(ReasonAttrRcptInvalid, "RCPT TO %q: %v", clipAddr(rcpt), err)
		return r
	}
	if cd := a.certFail; cd != nil {
		r.Tenant, r.Connector, r.Method = cd.ref.Tenant.ID, cd.ref.Connector.Name, MethodCertificate
		r.Reply = ReplyCertificateNotAccepted
		return r
	}
	owner, owned := a.d.OwnerInfo(dom)
	if a.granted != nil {
		t := a.granted.ref.Tenant
		a.originating(&r, a.granted, owned && owner.ID == t.ID)
		return r
	}
	if len(a.cands) > 0 {
		if !owned {
			r.Reply = ReplyTenantAttribution
			a.reason(ReasonAttrRcptRelayDenied, "%s: no tenant accepts %s and the relay rule failed", clipAddr(rcpt), dom)
			return r
		}
		if cd := a.candidateOf(owner.ID); cd != nil {
			if a.o.RecipientStepOriginating {
				a.reason(ReasonAttrOnPremTenantByRecipient, "%s: tenant %s accepts %s; Originating without relay rights by option", clipAddr(rcpt), owner.Name, dom)
				a.originating(&r, cd, true)
				return r
			}
			a.reason(ReasonAttrOnPremRecipientIncoming, "%s: only the recipient ties the OnPremises connector to tenant %s; attributed as Incoming", clipAddr(rcpt), owner.Name)
		}
	}
	if !owned {
		// A relay attempt from a tenant's own domain that no OnPremises connector identifies (the
		// certificate or IP changed, the connector is disabled, the client is IPv6) is the case
		// relay-access-denied-smtp documents: 5.7.64. Anonymous mail from anybody else to a domain
		// nobody hosts is 5.7.1 (NDR table).
		if a.fromDom != "" {
			if t, ok := a.d.OwnerInfo(a.fromDom); ok {
				r.Reply = ReplyTenantAttribution
				a.reason(ReasonAttrRcptRelayDenied, "%s: no tenant accepts %s; MAIL FROM is tenant %s's domain but no OnPremises connector identifies the connection", clipAddr(rcpt), dom, t.Name)
				return r
			}
		}
		r.Reply = ReplyRelayDenied
		a.reason(ReasonAttrRcptUnknown, "%s: no tenant accepts %s", clipAddr(rcpt), dom)
		return r
	}
	a.incoming(&r, owner)
	return r
}

// bindTransaction applies the ATTR46 binding to r: without relay rights, the first accepted
// recipient binds the transaction to its tenant (AttributeOptions.RecipientBindingPerDomain: its
// domain), and a later accepted recipient elsewhere is deferred with ReplyAddressDomainDifferent
// (451 4.4.5 ATTR46, as Exchange Online's NDRs and gateway vendors report it). Rejected
// recipients bind nothing.
func (a *attributor) bindTransaction(r *recipientState) {
	if a.granted != nil || !r.Accepted {
		return
	}
	dom, err := tenantgate.AddressDomain(r.Rcpt)
	if err != nil {
		return
	}
	if !a.bound {
		a.bound, a.boundTenant, a.boundDom = true, r.Tenant, dom
		return
	}
	if r.Tenant == a.boundTenant && (!a.o.RecipientBindingPerDomain || dom == a.boundDom) {
		return
	}
	what := "tenant"
	if a.o.RecipientBindingPerDomain {
		what = "domain " + string(a.boundDom)
	}
	a.reason(ReasonAttrRcptDomainDifferent, "%s: the transaction has no relay rights and is bound to the first accepted recipient's %s; deferred (ATTR46)", clipAddr(r.Rcpt), what)
	*r = recipientState{RecipientAttribution: RecipientAttribution{Rcpt: r.Rcpt, Tenant: r.Tenant, Reply: ReplyAddressDomainDifferent}}
}

// phaseOf returns when Exchange Online gives reply: unauthorised relay (5.7.64, 5.7.1) is refused
// after DATA, with 250 at RCPT; everything else is the answer to RCPT
// (docs/exchange-online.md#when-a-refusal-is-sent).
func phaseOf(reply tenantgate.Reply) Phase {
	if reply == ReplyTenantAttribution || reply == ReplyRelayDenied {
		return PhaseDATA
	}
	return PhaseRCPT
}

// originating fills r for Originating mail through candidate cd; own says the recipient belongs to
// cd's tenant (DIR:INT) rather than elsewhere (DIR:OUT).
func (a *attributor) originating(r *recipientState, cd *candidate, own bool) {
	t, conn := cd.ref.Tenant, cd.ref.Connector
	r.Accepted, r.Reply = true, ReplyRecipientOK
	r.Tenant, r.Connector, r.Method, r.Direction = t.ID, conn.Name, cd.method, Originating
	r.ref = cd.ref
	r.dir = "OUT"
	if own {
		r.dir = "INT"
	}
	// docs/exchange-online.md#originating-incoming-internal: Internal needs
	// CloudServicesMailEnabled with intact cross-premises headers, or TreatMessagesAsInternal with
	// an accepted sender domain; a connector match alone is Anonymous.
	r.AuthAs = AuthAsAnonymous
	switch {
	case conn.CloudServicesMailEnabled && a.c.CrossPremises:
		r.AuthAs = AuthAsInternal
	case conn.TreatMessagesAsInternal && a.fromDom != "" && a.d.Accepts(t.ID, a.fromDom):
		r.AuthAs = AuthAsInternal
	}
}

// senderInScope reports whether SenderDomains (nil: "*") cover the MAIL FROM domain.
func (a *attributor) senderInScope(pats []tenantgate.DomainPattern) bool {
	if pats == nil {
		pats = []tenantgate.DomainPattern{tenantgate.PatternAll}
	}
	for _, p := range pats {
		if a.fromDom == "" {
			if p == tenantgate.PatternAll && !a.o.NullSenderOutOfScope {
				return true
			}
			continue
		}
		if p.Match(a.fromDom) {
			return true
		}
	}
	return false
}

// incoming is step B for a recipient that tenant t accepts.
func (a *attributor) incoming(r *recipientState, t tenantgate.TenantInfo) {
	refs := a.d.Inbound(t.ID)
	var scoped, byCert, byIP, plain *tenantgate.InboundRef
	identified := false // any enabled connector of t matched by IP or certificate (RejectDirectSend)
	for i := range refs {
		ref := &refs[i]
		conn := ref.Connector
		if !conn.IsEnabled() {
			continue
		}
		certOK := a.certMatch(conn.TLSSenderCertificateName)
		ipOK := a.ipMatches(ref)
		if (certOK || ipOK) && (conn.Type() == tenantgate.ConnectorPartner || !a.o.DirectSendPartnerOnly) {
			identified = true
		}
		if conn.Type() != tenantgate.ConnectorPartner || !a.senderInScope(conn.SenderDomains) {
			continue
		}
		switch {
		case certOK && byCert == nil:
			byCert = ref
		case ipOK && byIP == nil:
			byIP = ref
		case conn.TLSSenderCertificateName == "" && len(ref.SenderIPs) == 0 && plain == nil:
			plain = ref
		}
		if scoped == nil && a.partnerRejects(ref, certOK, ipOK) != "" {
			scoped = ref
		}
	}
	var applied *tenantgate.InboundRef
	method := MethodRecipient
	switch {
	case byCert != nil:
		applied, method = byCert, MethodCertificate
	case byIP != nil:
		applied, method = byIP, MethodSenderIP
	case scoped != nil:
		applied = scoped
	case plain != nil:
		applied = plain
	}
	r.Tenant, r.Method = t.ID, method
	if applied != nil {
		r.Connector = applied.Connector.Name
		certOK := a.certMatch(applied.Connector.TLSSenderCertificateName)
		if code := a.partnerRejects(applied, certOK, a.ipMatches(applied)); code != "" {
			r.Reply = ReplyPartnerRestricted
			detail := "the connecting IP is not in SenderIPAddresses (RestrictDomainsToIPAddresses)"
			switch code {
			case ReasonAttrPartnerRequireTLS:
				r.Reply = ReplyPartnerRequireTLS
				detail = "the session is not TLS (RequireTls)"
			case ReasonAttrPartnerRestrictCert:
				detail = "no verified certificate name matches TlsSenderCertificateName (RestrictDomainsToCertificate)"
			}
			a.reason(code, "%s: Partner connector %s of tenant %s: %s", clipAddr(r.Rcpt), applied.Connector.Name, t.Name, detail)
			return
		}
		a.reason(ReasonAttrPartnerMatch, "%s: Partner connector %s of tenant %s applies (%s)", clipAddr(r.Rcpt), applied.Connector.Name, t.Name, method)
	}
	if a.fromDom != "" && a.d.Accepts(t.ID, a.fromDom) && !identified && a.rejectsDirectSend(t.ID) {
		r.Reply = ReplyDirectSend
		a.reason(ReasonAttrDirectSendRejected, "%s: tenant %s rejects Direct Send: MAIL FROM %s is its own domain and no connector matched by IP or certificate", clipAddr(r.Rcpt), t.Name, a.fromDom)
		return
	}
	r.Accepted, r.Reply = true, ReplyRecipientOK
	r.Direction, r.AuthAs = Incoming, AuthAsAnonymous
	r.ref, r.dir = applied, "INB"
	a.reason(ReasonAttrIncoming, "%s: Incoming to tenant %s (%s), Anonymous", clipAddr(r.Rcpt), t.Name, t.ID)
}

// rejectsDirectSend reports tenant id's RejectDirectSend. It copies the tenant, so it is asked
// only once the rest of the Direct Send test holds.
func (a *attributor) rejectsDirectSend(id tenantgate.TenantID) bool {
	t, ok := a.d.Tenant(id)
	return ok && t.RejectDirectSend
}

// partnerRejects returns the reason code of the first restriction of a Partner connector the
// connection fails, or "".
func (a *attributor) partnerRejects(ref *tenantgate.InboundRef, certOK, ipOK bool) string {
	conn := ref.Connector
	switch {
	case conn.RequireTLS && !a.c.TLS.TLS:
		return ReasonAttrPartnerRequireTLS
	case conn.RestrictDomainsToIPAddresses && !ipOK:
		return ReasonAttrPartnerRestrictIP
	case conn.RestrictDomainsToCertificate && !certOK:
		return ReasonAttrPartnerRestrictCert
	}
	return ""
}

func connectorLabel(ref *tenantgate.InboundRef) string {
	return fmt.Sprintf("%s/%s", ref.Tenant.Name, ref.Connector.Name)
}

func orNone(s string) string {
	if s == "" {
		return "no detail"
	}
	return s
}

// clipAddr bounds attacker-controlled text quoted in reasons.
func clipAddr(s string) string {
	const max = 200
	if len(s) > max {
		return s[:max] + "…"
	}
	return s
}

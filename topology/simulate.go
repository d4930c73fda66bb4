package topology

import (
	"net/netip"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/route"
)

// Entry says where an Internet sender connects.
type Entry string

// Entries. The zero value EntryMX is what an honest sender does.
const (
	// EntryMX: to the MX of each recipient's domain (see Injection.MX).
	EntryMX Entry = ""
	// EntryExchange: straight to the Exchange Online host of the recipient's tenant, around an
	// MX that points at the gateway — the MX bypass and Direct Send of
	// docs/threat-model.md#threat-31.
	EntryExchange Entry = "exchange"
	// EntryGateway: straight to the gateway, whatever the MX says — a relay attempt.
	EntryGateway Entry = "gateway"
)

// Injection is the message Simulate sends through the topology. The zero value of every
// optional field picks a documented default.
type Injection struct {
	// Origin is the kind of party that sends the message (the scenario format's inject.origin,
	// testdata/scenarios/README.md). Required; one of:
	//   - PartyInternet: an Internet host (by default it follows the recipients' MX; see Entry);
	//   - PartyMailbox: a cloud mailbox of the sending tenant submits it to Exchange Online;
	//   - PartyOnPremises: the sending tenant's on-premises server sends it to the tenant's
	//     Exchange Online host (its smart host), where an OnPremises inbound connector may
	//     recognise it.
	Origin PartyKind `json:"origin"`
	// Tenant is the sending tenant for PartyMailbox and PartyOnPremises; zero means the tenant
	// owning the domain of From.
	Tenant tenantgate.TenantID `json:"tenant,omitzero"`
	// RemoteAddr is the sending host's address (PartyInternet, PartyOnPremises). Zero means
	// 192.0.2.44 for an Internet host and 192.0.2.10 for an on-premises server (RFC 5737).
	RemoteAddr netip.Addr `json:"remoteAddr,omitzero"`
	// TLSNames are the names of the verified certificate the sending host presents
	// (PartyInternet, PartyOnPremises). nil: TLS without a client certificate.
	TLSNames []string `json:"tlsNames,omitempty"`
	// From is the envelope sender (also the header From); "" is the null reverse-path.
	From string `json:"from"`
	// To are the envelope recipients. Each is followed on its own path.
	To []string `json:"to"`
	// Entry is where an Internet sender connects (PartyInternet only).
	Entry Entry `json:"entry,omitempty"`
	// MX is the topology's DNS: the MX host of a domain (A-label, lower case). A domain not
	// listed gets the default:
	//   - an accepted domain of a served tenant: the gateway, unless the domain's tenant carries
	//     a Get-MxRecordReport whose every row points to Exchange Online — then the tenant's
	//     Exchange Online host;
	//   - an accepted domain of any other tenant of the configuration: that tenant's Exchange
	//     Online host (TenantSmartHost);
	//   - any other domain: an Internet host "mx.<domain>".
	// A host equal to the gateway's Name (or one of its Addresses) is the gateway; a host
	// IsEXOHost recognises is Exchange Online; any other host is on the Internet, and a message
	// that reaches it is delivered.
	MX map[tenantgate.Domain]string `json:"mx,omitempty"`
}

// PartyKind is what sort of participant a Party is.
type PartyKind string

// Party kinds.
const (
	PartyInternet   PartyKind = "internet"    // an Internet host: a sender or a receiving MX
	PartyOnPremises PartyKind = "on-premises" // a tenant's on-premises server or other smart host
	PartyMailbox    PartyKind = "mailbox"     // a mailbox of Tenant
	PartyExchange   PartyKind = "exchange"    // Exchange Online, acting for Tenant when known
	PartyGateway    PartyKind = "gateway"     // the gateway this library runs in
)

// Party is one participant of a simulated flow: who sent or received a step.
type Party struct {
	Kind PartyKind `json:"kind"`
	// Name identifies it for people and diagrams: a host name, the tenant's name for a mailbox or
	// Exchange Online acting for a tenant ("exchange" before a tenant is known), the gateway's
	// name.
	Name string `json:"name"`
	// Tenant is the tenant of a mailbox, or the tenant Exchange Online acts for; zero otherwise.
	Tenant tenantgate.TenantID `json:"tenant,omitzero"`
	// Host is the host name or address connected to, when it differs from Name (the tenant's
	// *.mail.protection.outlook.com host, an MX host); "" otherwise.
	Host string `json:"host,omitempty"`
}

// Stage names the function that decided a Step.
type Stage string

// Stages.
const (
	// StageSubmit: a mailbox submits the message to its tenant (no decision; Exchange Online
	// stamps it as the tenant's own).
	StageSubmit Stage = "submit"
	// StageExchangeIngress: Exchange Online receives an SMTP connection; classify.Attribute
	// decides (Attribution, Stamp).
	StageExchangeIngress Stage = "exchange-ingress"
	// StageExchangeRoute: Exchange Online routes the tenant's copy; Outbound decides (Route).
	StageExchangeRoute Stage = "exchange-route"
	// StageGateway: the gateway receives an SMTP connection; classify.Policy and Plan.Next
	// decide (Verdict, Hop).
	StageGateway Stage = "gateway"
	// StageDeliver: the copy reaches a mailbox or a host outside the topology.
	StageDeliver Stage = "deliver"
	// StageOnPremises: a tenant's on-premises server receives the copy (an OnPremises outbound
	// connector's smart host) and sends a cloud mailbox's copy back to the tenant's Exchange
	// Online, as a hybrid server does through its Send connector to the tenant
	// (https://learn.microsoft.com/exchange/transport-routing). Copies for its own mailboxes
	// (Tenant.OnPremises.Recipients) and for the Internet end there, delivered.
	StageOnPremises Stage = "on-premises"
)

// Decision is what the receiving side of a Step did.
type Decision string

// Decisions.
const (
	DecisionAccept    Decision = "accept"    // accepted and passed on (see the next step)
	DecisionReject    Decision = "reject"    // refused with Reply
	DecisionDeliver   Decision = "deliver"   // delivered: the end of this recipient's path
	DecisionLoop      Decision = "loop"      // the path loops: Reply is Exchange Online's 5.4.14
	DecisionUndecided Decision = "undecided" // the step could not be simulated (see Reasons)
)

// Step is one hop of a simulated flow: From hands the copy for Rcpt to To, and the decision
// taken there with its reasons. Every stage but StageExchangeRoute is an SMTP transaction (or a
// submission) decided by the receiving side To. A StageExchangeRoute step is Exchange Online's
// routing decision for its tenant From: To is the party it chose, and the transaction with that
// party is the next step (decided by it), or, for a mailbox, the delivery itself.
type Step struct {
	// N numbers the steps of a Trace from 1.
	N int `json:"n"`
	// Rcpt is the recipient whose copy this step moves.
	Rcpt string `json:"rcpt"`
	// Stage names the function that decided.
	Stage Stage `json:"stage"`
	// From sent, To received.
	From Party `json:"from"`
	To   Party `json:"to"`
	// MailFrom is the envelope sender of the transaction.
	MailFrom string `json:"mailFrom"`
	// RemoteAddr and HELO are the client's address and name as To saw them (SMTP steps only).
	RemoteAddr netip.Addr `json:"remoteAddr,omitzero"`
	HELO       string     `json:"helo,omitempty"`
	// TLS reports that the transaction used TLS; Certificate lists the names of the verified
	// client certificate From presented (nil: none); Identity is the gateway identity it came
	// from when From is the gateway.
	TLS         bool     `json:"tls,omitempty"`
	Certificate []string `json:"certificate,omitempty"`
	Identity    string   `json:"identity,omitempty"`
	// Decision is what To did; Summary says it in one line for people ("accepted for contoso as
	// Incoming through connector from-gateway"); Reply is the SMTP reply of a rejection or loop.
	Decision Decision         `json:"decision"`
	Summary  string           `json:"summary"`
	Reply    tenantgate.Reply `json:"reply,omitzero"`
	// Reasons are the deciding function's reasons for this recipient, in order.
	Reasons []tenantgate.Reason `json:"reasons,omitempty"`
	// The deciding function's full result, by Stage (nil for the others): Attribution and Stamp
	// (StageExchangeIngress; Stamp nil when rejected), Route (StageExchangeRoute), Verdict and Hop
	// (StageGateway).
	Attribution *classify.RecipientAttribution `json:"attribution,omitempty"`
	Stamp       *classify.Stamp                `json:"stamp,omitempty"`
	Route       *route.RecipientRoute          `json:"route,omitempty"`
	Verdict     *classify.Verdict              `json:"verdict,omitempty"`
	Hop         *route.Hop                     `json:"hop,omitempty"`
}

// Outcome is how a recipient's path, or a whole flow, ends.
type Outcome string

// Outcomes (the scenario format's expect.outcome values).
const (
	OutcomeDelivered Outcome = "delivered"
	OutcomeRejected  Outcome = "rejected"
	OutcomeLooped    Outcome = "looped"
)

// RecipientResult is where one recipient's path ended.
type RecipientResult struct {
	Rcpt    string  `json:"rcpt"`
	Outcome Outcome `json:"outcome"`
	// At is the party that delivered, rejected or detected the loop.
	At Party `json:"at"`
	// Reply is the rejection's or the loop's SMTP reply; zero when delivered.
	Reply tenantgate.Reply `json:"reply,omitzero"`
	// Steps is the number of steps of this recipient's path.
	Steps int `json:"steps"`
}

// Trace is the record of one simulated message: every step of every recipient's path in order
// (all of the first recipient's, then the next's), and how each path ended.
type Trace struct {
	Injection Injection `json:"injection"`
	Steps     []Step    `json:"steps"`
	// Recipients holds one result per Injection.To entry, in order.
	Recipients []RecipientResult `json:"recipients"`
	// Outcome sums the recipients up: looped if any path looped, else rejected if any was
	// rejected, else delivered (also for an injection without recipients: nothing failed).
	Outcome Outcome `json:"outcome"`
	// Reply is the reply of the first recipient that was not delivered; zero when all were.
	Reply tenantgate.Reply `json:"reply,omitzero"`
	// Reasons concern the whole simulation: an invalid injection, a gateway routing table that
	// NewPlan refuses (the simulation goes on with it, to show what Exchange Online then does).
	Reasons []tenantgate.Reason `json:"reasons,omitempty"`
}

// DeliveredTo returns the recipients whose copy was delivered, in injection order.
func (t *Trace) DeliveredTo() []string {
	var out []string
	for _, r := range t.Recipients {
		if r.Outcome == OutcomeDelivered {
			out = append(out, r.Rcpt)
		}
	}
	return out
}

// MaxSteps is the number of steps after which a path counts as a loop: Exchange Online gives up
// after 20 hops (ReplyEXOHopCountExceeded).
const MaxSteps = 20

// ReplyEXOHopCountExceeded is Exchange Online's reply when a message exceeds its hop-count limit,
// a routing loop (NDR 5.4.14,
// https://learn.microsoft.com/en-us/troubleshoot/exchange/email-delivery/ndr/fix-error-code-5-4-14-in-exchange-online).
// The gateway's own hop limit is classify.ReplyLoop (5.4.6). It is a value, not a constant,
// because a tenantgate.Reply is a struct: never assign to it.
var ReplyEXOHopCountExceeded = tenantgate.Reply{Code: 554, Enhanced: tenantgate.EnhancedCode{5, 4, 14}, Text: "Hop count exceeded - possible mail loop"}

package scenario

import (
	"encoding/json"

	"github.com/tenantgate/tenantgate/classify"
)

// File is one scenario file (testdata/scenarios/README.md). Every section is optional, but a file
// must hold at least one case; the configuration comes from exactly one of ConfigFile and Config.
type File struct {
	// Name is a short title; Source says where the expectations come from.
	Name   string `json:"name"`
	Source string `json:"source"`
	// ConfigFile is a configuration file (README.md#configuration), relative to the scenario file.
	ConfigFile string `json:"configFile,omitempty"`
	// Config is an inline configuration.
	Config json.RawMessage `json:"config,omitempty"`
	// Policy is the classify.PolicyConfig of the gateway section (and of the gateway in flows and
	// lint): the "policy" object, in the same JSON form as the relay's and the milter's policy
	// sections. testdata/scenarios/README.md names relayKinds and dkimFallback; the other fields are
	// optional additions. nil: the defaults.
	Policy *classify.PolicyConfig `json:"policy,omitempty"`
	// ExchangeOptions holds classify.AttributeOptions for the exchange section (an addition to
	// testdata/scenarios/README.md; the zero value is Attribute's default).
	ExchangeOptions *classify.AttributeOptions `json:"exchangeOptions,omitempty"`
	// SimulateOptions are the remaining topology.Options of the flows and lint sections (an
	// addition to testdata/scenarios/README.md). nil: the defaults.
	SimulateOptions *SimulateOptions `json:"simulateOptions,omitempty"`

	// ConfigErrors, when present, turns the file into a configuration test: compiling the
	// configuration must fail, and each entry must be a substring of one of the errors (an
	// addition to testdata/scenarios/README.md). Such a file holds no other section.
	ConfigErrors []string `json:"configErrors,omitempty"`

	Exchange []ExchangeCase `json:"exchange,omitempty"`
	Gateway  []GatewayCase  `json:"gateway,omitempty"`
	Flows    []FlowCase     `json:"flows,omitempty"`
	Lint     *LintCase      `json:"lint,omitempty"`
}

// SimulateOptions are topology.Options beyond the policy and exchangeOptions objects. Every field
// is optional; "" is the default.
type SimulateOptions struct {
	// NoClientAuth is topology.Options.NoClientAuth: "" (ignored) or "accepted".
	NoClientAuth string `json:"noClientAuth,omitempty"`
	// Precedence is route.OutboundOptions.Precedence: "" (most-specific), "most-specific" or
	// "stated-order".
	Precedence string `json:"precedence,omitempty"`
}

// TLS is a session's certificate evidence in a file. Omitted: plaintext; {}: TLS without a client
// certificate.
type TLS struct {
	Verified bool     `json:"verified,omitempty"`
	Names    []string `json:"names,omitempty"`
	// Error says why the certificate did not verify (optional, for reasons only).
	Error string `json:"error,omitempty"`
}

// ExchangeCase is one classify.Attribute case.
type ExchangeCase struct {
	Name       string         `json:"name"`
	Source     string         `json:"source"`
	Connection Connection     `json:"connection"`
	Expect     ExchangeExpect `json:"expect"`
}

// Connection is classify.Connection in a file.
type Connection struct {
	RemoteAddr string `json:"remoteAddr"`
	HELO       string `json:"helo,omitempty"`
	TLS        *TLS   `json:"tls,omitempty"`
	// MailFrom "" is the null reverse-path.
	MailFrom string   `json:"mailFrom"`
	RcptTo   []string `json:"rcptTo"`
	// Received are Received field values, top-most first.
	Received []string `json:"received,omitempty"`
	// CrossPremises: the message carries intact X-MS-Exchange-CrossPremises-* headers (an
	// addition to testdata/scenarios/README.md).
	CrossPremises bool `json:"crossPremises,omitempty"`
}

// ExchangeExpect names what must hold; fields left out are not compared.
type ExchangeExpect struct {
	// Recipients are matched to the result by rcpt.
	Recipients []RecipientExpect `json:"recipients,omitempty"`
	// OriginalClientIP is compared when present.
	OriginalClientIP *string `json:"originalClientIP,omitempty"`
	// Reasons are codes that must all be present.
	Reasons []string `json:"reasons,omitempty"`
	// Stamps are matched to the result's stamps by position (an addition to
	// testdata/scenarios/README.md).
	Stamps []StampExpect `json:"stamps,omitempty"`
}

// RecipientExpect is one recipient's expectation. Rcpt is required; every other field is compared
// only when present. Reply compares by prefix; Tenant "" means no tenant. Phase ("rcpt" or
// "data", when Exchange Online gives the reply: classify.Phase) is an addition to the first
// version of the format.
type RecipientExpect struct {
	Rcpt      string  `json:"rcpt"`
	Accepted  *bool   `json:"accepted,omitempty"`
	Tenant    *string `json:"tenant,omitempty"`
	Connector *string `json:"connector,omitempty"`
	Method    *string `json:"method,omitempty"`
	Direction *string `json:"direction,omitempty"`
	AuthAs    *string `json:"authAs,omitempty"`
	Reply     *string `json:"reply,omitempty"`
	Phase     *string `json:"phase,omitempty"`
}

// StampExpect is one classify.Stamp's expectation; fields are compared only when present. The two
// header values compare by prefix, except "" which means "not stamped".
type StampExpect struct {
	Tenant                         *string  `json:"tenant,omitempty"`
	Recipients                     []string `json:"recipients,omitempty"`
	Connector                      *string  `json:"connector,omitempty"`
	Direction                      *string  `json:"direction,omitempty"`
	AuthAs                         *string  `json:"authAs,omitempty"`
	FromEntityHeader               *string  `json:"fromEntityHeader,omitempty"`
	DIR                            *string  `json:"dir,omitempty"`
	CIP                            *string  `json:"cip,omitempty"`
	ExternalOriginalInternetSender *string  `json:"externalOriginalInternetSender,omitempty"`
	SkipListedInternetSender       *string  `json:"skipListedInternetSender,omitempty"`
}

// GatewayCase is one classify.Policy case.
type GatewayCase struct {
	Name    string  `json:"name"`
	Source  string  `json:"source"`
	Session Session `json:"session"`
	// MailFrom "" is the null reverse-path.
	MailFrom string   `json:"mailFrom"`
	RcptTo   []string `json:"rcptTo"`
	// Header is the header block (CRLF or LF line ends); HeaderFile names a file holding it,
	// relative to the scenario file. At most one of them.
	Header     string `json:"header,omitempty"`
	HeaderFile string `json:"headerFile,omitempty"`
	// DKIM holds the DKIM results the MTA verified, handed to classify.Policy.Decide
	// (an addition to testdata/scenarios/README.md).
	DKIM   []classify.DKIMResult `json:"dkim,omitempty"`
	Expect GatewayExpect         `json:"expect"`
}

// Session is classify.Session in a file.
type Session struct {
	RemoteAddr string `json:"remoteAddr"`
	HELO       string `json:"helo,omitempty"`
	TLS        *TLS   `json:"tls,omitempty"`
}

// GatewayExpect names what must hold; fields left out are not compared. DKIMDomain "" means
// "must not sign".
type GatewayExpect struct {
	Origin     *string                  `json:"origin,omitempty"`
	Tenant     *string                  `json:"tenant,omitempty"`
	Kind       *string                  `json:"kind,omitempty"`
	Recipients []GatewayRecipientExpect `json:"recipients,omitempty"`
	DKIMDomain *string                  `json:"dkimDomain,omitempty"`
	Reasons    []string                 `json:"reasons,omitempty"`
	// Additions to testdata/scenarios/README.md: the verdict's hop count, the names of the incoming
	// fields to remove (in block order, as spelled), and reason codes that must be absent.
	Hop       *int     `json:"hop,omitempty"`
	Remove    []string `json:"remove,omitempty"`
	NoReasons []string `json:"noReasons,omitempty"`
}

// GatewayRecipientExpect is one recipient's expected action; Reply compares by prefix.
type GatewayRecipientExpect struct {
	Rcpt   string  `json:"rcpt"`
	Action *string `json:"action,omitempty"`
	Reply  *string `json:"reply,omitempty"`
	// Tenant is the tenant an inbound recipient goes to, "" for none (an addition to
	// testdata/scenarios/README.md).
	Tenant *string `json:"tenant,omitempty"`
}

// FlowCase is one topology.Simulate case.
type FlowCase struct {
	Name   string     `json:"name"`
	Source string     `json:"source"`
	Inject Injection  `json:"inject"`
	Expect FlowExpect `json:"expect"`
}

// Injection is where a simulated message enters. Origin is "internet", "mailbox" or
// "on-premises" (the tenant is the sender's).
type Injection struct {
	Origin     string   `json:"origin"`
	RemoteAddr string   `json:"remoteAddr,omitempty"`
	From       string   `json:"from"`
	To         []string `json:"to"`
	// Additions to testdata/scenarios/README.md (topology.Injection): the sending tenant's ID
	// (default: the owner of From's domain), the verified certificate names the sending host
	// presents (default: TLS without a certificate), where an Internet sender connects ("" = the
	// MX, "exchange" = the tenant's Exchange Online host around the MX, "gateway"), and MX hosts by
	// domain.
	Tenant   string            `json:"tenant,omitempty"`
	TLSNames []string          `json:"tlsNames,omitempty"`
	Entry    string            `json:"entry,omitempty"`
	MX       map[string]string `json:"mx,omitempty"`
}

// FlowExpect names what must hold. Outcome is "delivered", "rejected" or "looped"; DeliveredTo
// is compared when present (an empty list means "delivered to nobody"); Reply compares by
// prefix; MaxHops bounds the trace.
type FlowExpect struct {
	Outcome     *string  `json:"outcome,omitempty"`
	DeliveredTo []string `json:"deliveredTo,omitempty"`
	Reply       *string  `json:"reply,omitempty"`
	MaxHops     *int     `json:"maxHops,omitempty"`
	// Additions to testdata/scenarios/README.md: reason codes that must all appear in the trace
	// (any step, or the trace's own reasons), and per-recipient expectations.
	Reasons    []string              `json:"reasons,omitempty"`
	Recipients []FlowRecipientExpect `json:"recipients,omitempty"`
}

// FlowRecipientExpect is one recipient's path (an addition to testdata/scenarios/README.md). Rcpt
// is required; Outcome and Reply (by prefix) are compared when present; Via, when present, must
// equal the receiving party of each of the recipient's steps in order, written "kind" or
// "kind:name" (topology.Party: "gateway", "exchange:contoso", "mailbox:contoso",
// "internet:mx.sender.example").
type FlowRecipientExpect struct {
	Rcpt    string   `json:"rcpt"`
	Outcome *string  `json:"outcome,omitempty"`
	Reply   *string  `json:"reply,omitempty"`
	Via     []string `json:"via,omitempty"`
}

// LintCase is the topology.Lint expectation of the file's topology.
type LintCase struct {
	Expect LintExpect `json:"expect"`
}

// LintExpect lists finding codes that must be present and codes that must be absent.
type LintExpect struct {
	Findings []string `json:"findings,omitempty"`
	Absent   []string `json:"absent,omitempty"`
}

package main

import (
	"bytes"
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/duration"
	"github.com/tenantgate/tenantgate/examples/internal/msranges"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// File is the relay's configuration file: the library's configuration (README.md#configuration),
// inline as "config" or in a file named by "configFile" (relative to this file), and the relay
// section.
type File struct {
	ConfigFile string          `json:"configFile,omitempty"`
	Config     json.RawMessage `json:"config,omitempty"`
	Ranges
	Relay Section `json:"relay"`
}

// Ranges optionally takes the configuration's exchangeOnline.networks from Microsoft's endpoint
// list (README.md, "Microsoft's ranges"), read at every load.
type Ranges = msranges.FileOptions

// Section is the relay's own part of the configuration. File names are relative to the
// configuration file. Every field but Listen, CertFile and KeyFile may be omitted.
type Section struct {
	// Listen is the address the SMTP server listens on, e.g. "0.0.0.0:25".
	Listen string `json:"listen"`
	// Hostname is the name in the greeting and in EHLO towards next hops; default gateway.name.
	Hostname string `json:"hostname,omitempty"`
	// CertFile and KeyFile are the server certificate offered with STARTTLS (PEM). Without them
	// no STARTTLS is offered, so no client can be verified Exchange Online.
	CertFile string `json:"certFile,omitempty"`
	KeyFile  string `json:"keyFile,omitempty"`
	// ClientCAFile holds the roots (PEM) that Exchange Online's client certificate must chain to.
	// Empty: the system roots.
	ClientCAFile string `json:"clientCAFile,omitempty"`
	// Identities holds the certificate and key of every gateway identity that has certNames,
	// keyed by identity name (gateway.identities[].name).
	Identities map[string]KeyPair `json:"identities,omitempty"`
	// NextHopCAFile holds the roots (PEM) next hops' server certificates are verified against
	// when a hop requires verification (a served tenant's Exchange Online). Empty: system roots.
	NextHopCAFile string `json:"nextHopCAFile,omitempty"`
	// NextHopPort is the TCP port of every next hop; default 25.
	NextHopPort int `json:"nextHopPort,omitempty"`
	// DNSServer is the resolver asked for MX and address records, "host:port"; required.
	DNSServer string `json:"dnsServer"`
	// Limits bound what one client may make the relay do.
	Limits Limits `json:"limits"`
	// Policy is the classify.PolicyConfig of the gateway.
	Policy classify.PolicyConfig `json:"policy"`
	// DKIM lists the keys own-tenant mail is signed with, per signing domain.
	DKIM []DKIMKey `json:"dkim,omitempty"`
	// Section holds mode, replyTexts, logLevel, metricsListen and watchInterval (README.md,
	// "Operation").
	ops.Section
}

// KeyPair names a PEM certificate chain and its private key.
type KeyPair struct {
	CertFile string `json:"certFile"`
	KeyFile  string `json:"keyFile"`
}

// Limits bound what clients can make the relay hold: connections, commands, time, memory, disk
// and next-hop sessions. Zero values take the defaults noted (README.md, "Limits"); a negative
// value is a configuration error, so no limit can be switched off.
type Limits struct {
	// MaxMessageBytes bounds a message (default 36 MiB, Exchange Online's default receive limit),
	// advertised as SIZE in EHLO, refused at MAIL for a larger SIZE= and while reading with
	// 552 5.3.4.
	MaxMessageBytes int64 `json:"maxMessageBytes,omitempty"`
	// MaxRecipients bounds RCPT commands per transaction (default 100): 452 4.5.3.
	MaxRecipients int `json:"maxRecipients,omitempty"`
	// MaxHeaderBytes and MaxHeaderFields bound the header block (headers.Limits defaults).
	MaxHeaderBytes  int `json:"maxHeaderBytes,omitempty"`
	MaxHeaderFields int `json:"maxHeaderFields,omitempty"`
	// MaxConnections bounds concurrent client connections (default 1000), MaxConnectionsPerIP
	// those from one client address, an IPv6 client's /64 (default 50); a connection over either gets 421 4.7.0.
	MaxConnections      int `json:"maxConnections,omitempty"`
	MaxConnectionsPerIP int `json:"maxConnectionsPerIP,omitempty"`
	// MaxCommands bounds the commands of one connection (default 1000); the next gets 421 4.7.0.
	MaxCommands int `json:"maxCommands,omitempty"`
	// IdleTimeout bounds the wait for a command outside a transaction, before MAIL (default 60s).
	IdleTimeout Duration `json:"idleTimeout,omitempty"`
	// ReadTimeout bounds the wait for the next command inside a transaction (default 5m, RFC 5321
	// §4.5.3.2.7); WriteTimeout each reply (default 5m).
	ReadTimeout  Duration `json:"readTimeout,omitempty"`
	WriteTimeout Duration `json:"writeTimeout,omitempty"`
	// DataBlockTimeout bounds each read of the message (default 3m, RFC 5321 §4.5.3.2.5);
	// DataTimeout the whole message from 354 to the final dot (default 10m, §4.5.3.2.6).
	DataBlockTimeout Duration `json:"dataBlockTimeout,omitempty"`
	DataTimeout      Duration `json:"dataTimeout,omitempty"`
	// MemoryBytes bounds the message bytes all transactions hold in memory together (default
	// 64 MiB); SpoolThreshold those of one message (default 1 MiB). The rest of a message goes to
	// a temporary file in SpoolDir (default the system's temporary directory), removed after the
	// transaction; SpoolBytes bounds all spool files together (default 4 GiB): 452 4.3.1 beyond.
	MemoryBytes    int64  `json:"memoryBytes,omitempty"`
	SpoolThreshold int64  `json:"spoolThreshold,omitempty"`
	SpoolDir       string `json:"spoolDir,omitempty"`
	SpoolBytes     int64  `json:"spoolBytes,omitempty"`
	// MaxNextHopSessions bounds the next-hop sessions open at once (default 250),
	// MaxNextHopSessionsPerIP those opened for one client address (default 20): 451 4.4.5 beyond.
	MaxNextHopSessions      int `json:"maxNextHopSessions,omitempty"`
	MaxNextHopSessionsPerIP int `json:"maxNextHopSessionsPerIP,omitempty"`
	// NextHopIdleTimeout closes a next-hop session opened at RCPT when the client sends no
	// further RCPT or DATA for this long (default 10s); DATA opens it again.
	NextHopIdleTimeout Duration `json:"nextHopIdleTimeout,omitempty"`
	// NextHopTimeout bounds DNS, connecting and every command towards a next hop (default 2m);
	// the message itself may take NextHopDataTimeout (default 10m).
	NextHopTimeout     Duration `json:"nextHopTimeout,omitempty"`
	NextHopDataTimeout Duration `json:"nextHopDataTimeout,omitempty"`
	// ShutdownTimeout is how long a shutdown waits for running sessions (default 30s).
	ShutdownTimeout Duration `json:"shutdownTimeout,omitempty"`
}

// DKIMKey is one signing key: own-tenant mail whose verdict allows signing for Domain is signed
// with it (classify.Verdict.DKIMDomain).
type DKIMKey struct {
	Domain   string `json:"domain"`
	Selector string `json:"selector"`
	KeyFile  string `json:"keyFile"`
}

// Duration is a time.Duration written as in Go ("30s", "2m").
type Duration = duration.Duration

// Defaults of Limits (README.md, "Limits", says why each).
const (
	DefaultMaxMessageBytes         = 36 << 20
	DefaultMaxRecipients           = 100
	DefaultMaxConnections          = 1000
	DefaultMaxConnectionsPerIP     = 50
	DefaultMaxCommands             = 1000
	DefaultIdleTimeout             = 60 * time.Second
	DefaultTimeout                 = 5 * time.Minute
	DefaultDataBlockTimeout        = 3 * time.Minute
	DefaultDataTimeout             = 10 * time.Minute
	DefaultMemoryBytes             = 64 << 20
	DefaultSpoolThreshold          = 1 << 20
	DefaultSpoolBytes              = 4 << 30
	DefaultMaxNextHopSessions      = 250
	DefaultMaxNextHopSessionsPerIP = 20
	DefaultNextHopIdleTimeout      = 10 * time.Second
	DefaultNextHopTimeout          = 2 * time.Minute
	DefaultNextHopDataTimeout      = 10 * time.Minute
	DefaultShutdownTimeout         = 30 * time.Second
)

// withDefaults returns l with every zero field set to its default.
func (l Limits) withDefaults() Limits {
	def := func(v *int64, d int64) {
		if *v == 0 {
			*v = d
		}
	}
	defi := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	dur := func(v *Duration, d time.Duration) { *v = Duration(v.Or(d)) }
	def(&l.MaxMessageBytes, DefaultMaxMessageBytes)
	defi(&l.MaxRecipients, DefaultMaxRecipients)
	defi(&l.MaxConnections, DefaultMaxConnections)
	defi(&l.MaxConnectionsPerIP, DefaultMaxConnectionsPerIP)
	defi(&l.MaxCommands, DefaultMaxCommands)
	dur(&l.IdleTimeout, DefaultIdleTimeout)
	dur(&l.ReadTimeout, DefaultTimeout)
	dur(&l.WriteTimeout, DefaultTimeout)
	dur(&l.DataBlockTimeout, DefaultDataBlockTimeout)
	dur(&l.DataTimeout, DefaultDataTimeout)
	def(&l.MemoryBytes, DefaultMemoryBytes)
	def(&l.SpoolThreshold, DefaultSpoolThreshold)
	def(&l.SpoolBytes, DefaultSpoolBytes)
	defi(&l.MaxNextHopSessions, DefaultMaxNextHopSessions)
	defi(&l.MaxNextHopSessionsPerIP, DefaultMaxNextHopSessionsPerIP)
	dur(&l.NextHopIdleTimeout, DefaultNextHopIdleTimeout)
	dur(&l.NextHopTimeout, DefaultNextHopTimeout)
	dur(&l.NextHopDataTimeout, DefaultNextHopDataTimeout)
	dur(&l.ShutdownTimeout, DefaultShutdownTimeout)
	if l.SpoolThreshold > l.MemoryBytes {
		l.SpoolThreshold = l.MemoryBytes
	}
	return l
}

// check reports every negative limit, each with its JSON field name.
func (l Limits) check() []error {
	var errs []error
	neg := func(field string, v int64) {
		if v < 0 {
			errs = append(errs, fmt.Errorf("limits.%s: negative", field))
		}
	}
	neg("maxMessageBytes", l.MaxMessageBytes)
	neg("maxRecipients", int64(l.MaxRecipients))
	neg("maxHeaderBytes", int64(l.MaxHeaderBytes))
	neg("maxHeaderFields", int64(l.MaxHeaderFields))
	neg("maxConnections", int64(l.MaxConnections))
	neg("maxConnectionsPerIP", int64(l.MaxConnectionsPerIP))
	neg("maxCommands", int64(l.MaxCommands))
	neg("memoryBytes", l.MemoryBytes)
	neg("spoolThreshold", l.SpoolThreshold)
	neg("spoolBytes", l.SpoolBytes)
	neg("maxNextHopSessions", int64(l.MaxNextHopSessions))
	neg("maxNextHopSessionsPerIP", int64(l.MaxNextHopSessionsPerIP))
	for field, d := range map[string]Duration{"idleTimeout": l.IdleTimeout, "readTimeout": l.ReadTimeout,
		"writeTimeout": l.WriteTimeout, "dataBlockTimeout": l.DataBlockTimeout, "dataTimeout": l.DataTimeout,
		"nextHopIdleTimeout": l.NextHopIdleTimeout, "nextHopTimeout": l.NextHopTimeout,
		"nextHopDataTimeout": l.NextHopDataTimeout, "shutdownTimeout": l.ShutdownTimeout} {
		neg(field, int64(d))
	}
	return errs
}

// Loaded is a configuration file read and checked: the compiled directory and the relay section
// with every file it names read.
type Loaded struct {
	Directory  *tenantgate.Directory
	Section    Section
	ServerCert *tls.Certificate // nil: no STARTTLS
	ClientCAs  *x509.CertPool   // nil: system roots
	NextHopCAs *x509.CertPool   // nil: system roots
	IdentCerts map[string]*tls.Certificate
	DKIM       map[tenantgate.Domain]DKIMSigner
	// Warnings are to be logged: a stale exchangeOnlineNetworksFile.
	Warnings []string
	// Files are the files the configuration was read from, for the file watch (reload); the
	// certificates and keys are not among them.
	Files []string
}

// DKIMSigner is a loaded DKIM key.
type DKIMSigner struct {
	Selector string
	Signer   crypto.Signer
}

// LoadFile reads the configuration file at path. Every problem is reported at once, each naming
// the field it concerns.
func LoadFile(path string) (*Loaded, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	l, err := Load(data, filepath.Dir(path))
	if err != nil {
		return nil, err
	}
	l.Files = append([]string{path}, l.Files...)
	return l, nil
}

// Load reads a configuration file's contents; dir is the directory file names are relative to.
func Load(data []byte, dir string) (*Loaded, error) {
	var f File
	if err := jsonstrict.Decode(data, &f); err != nil {
		return nil, err
	}
	rel := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(dir, p)
	}
	var cfgData []byte
	switch {
	case f.ConfigFile != "" && len(f.Config) > 0:
		return nil, errors.New("configFile and config: give one, not both")
	case f.ConfigFile != "":
		b, err := os.ReadFile(rel(f.ConfigFile))
		if err != nil {
			return nil, fmt.Errorf("configFile: %w", err)
		}
		cfgData = b
	case len(f.Config) > 0:
		cfgData = f.Config
	default:
		return nil, errors.New("config: missing (give config or configFile)")
	}
	cfg, err := tenantgate.LoadConfig(bytes.NewReader(cfgData))
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	warnings, err := f.Ranges.Apply(&cfg, rel)
	if err != nil {
		return nil, err
	}
	d, err := tenantgate.Compile(cfg)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	s := f.Relay
	l := &Loaded{Directory: d, Section: s, IdentCerts: map[string]*tls.Certificate{}, DKIM: map[tenantgate.Domain]DKIMSigner{}, Warnings: warnings}
	var errs []error
	bad := func(field string, err error) { errs = append(errs, fmt.Errorf("relay.%s: %w", field, err)) }
	if s.Listen == "" {
		bad("listen", errors.New("missing"))
	}
	if s.DNSServer == "" {
		bad("dnsServer", errors.New("missing"))
	}
	if s.NextHopPort < 0 || s.NextHopPort > 65535 {
		bad("nextHopPort", fmt.Errorf("%d is not a TCP port", s.NextHopPort))
	}
	if f.ConfigFile != "" {
		l.Files = append(l.Files, rel(f.ConfigFile))
	}
	if f.ExchangeOnlineNetworksFile != "" {
		l.Files = append(l.Files, rel(f.ExchangeOnlineNetworksFile))
	}
	errs = append(errs, s.Section.Check("relay.")...)
	for _, err := range s.Limits.check() {
		errs = append(errs, fmt.Errorf("relay.%w", err))
	}
	if (s.CertFile == "") != (s.KeyFile == "") {
		bad("certFile", errors.New("certFile and keyFile go together"))
	} else if s.CertFile != "" {
		c, err := tls.LoadX509KeyPair(rel(s.CertFile), rel(s.KeyFile))
		if err != nil {
			bad("certFile", err)
		} else {
			l.ServerCert = &c
		}
	}
	if s.ClientCAFile != "" {
		if l.ClientCAs, err = loadPool(rel(s.ClientCAFile)); err != nil {
			bad("clientCAFile", err)
		}
	}
	if s.NextHopCAFile != "" {
		if l.NextHopCAs, err = loadPool(rel(s.NextHopCAFile)); err != nil {
			bad("nextHopCAFile", err)
		}
	}
	for name, kp := range s.Identities {
		c, err := tls.LoadX509KeyPair(rel(kp.CertFile), rel(kp.KeyFile))
		if err != nil {
			bad("identities["+name+"]", err)
			continue
		}
		l.IdentCerts[name] = &c
	}
	for i, k := range s.DKIM {
		field := fmt.Sprintf("dkim[%d]", i)
		dom, err := tenantgate.ParseDomain(k.Domain)
		if err != nil {
			bad(field+".domain", err)
			continue
		}
		if k.Selector == "" || strings.ContainsAny(k.Selector, " ;=") {
			bad(field+".selector", fmt.Errorf("%q is not a selector", k.Selector))
			continue
		}
		signer, err := loadSigner(rel(k.KeyFile))
		if err != nil {
			bad(field+".keyFile", err)
			continue
		}
		if _, dup := l.DKIM[dom]; dup {
			bad(field+".domain", fmt.Errorf("%s has two keys", dom))
			continue
		}
		l.DKIM[dom] = DKIMSigner{Selector: k.Selector, Signer: signer}
	}
	for i, k := range s.Policy.RelayKinds {
		switch k {
		case classify.Mailbox, classify.OnPremises, classify.Relayed:
		default:
			bad(fmt.Sprintf("policy.relayKinds[%d]", i), fmt.Errorf("unknown kind %q", k))
		}
	}
	// The relay signs DKIM but verifies no signatures (classify.Transaction.DKIM stays empty), so a
	// DKIM requirement would refuse every message it applies to and a fallback would never apply.
	const noVerify = "the relay verifies no DKIM signatures (it only signs), so "
	if s.Policy.DKIMRequired {
		bad("policy.dkimRequired", errors.New(noVerify+"every message would be refused; DKIM verification is the milter's (examples/milter)"))
	}
	if s.Policy.DKIMFallback {
		bad("policy.dkimFallback", errors.New(noVerify+"it would never apply; DKIM verification is the milter's (examples/milter)"))
	}
	for i, t := range s.Policy.Tenants {
		if t.DKIMRequired != nil && *t.DKIMRequired {
			bad(fmt.Sprintf("policy.tenants[%d].dkimRequired", i), errors.New(noVerify+"every message of "+t.Tenant.String()+" would be refused; DKIM verification is the milter's (examples/milter)"))
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return l, nil
}

func loadPool(path string) (*x509.CertPool, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		return nil, fmt.Errorf("%s: no PEM certificate", path)
	}
	return p, nil
}

func loadSigner(path string) (crypto.Signer, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return nil, fmt.Errorf("%s: no PEM block", path)
	}
	if k, err := x509.ParsePKCS1PrivateKey(blk.Bytes); err == nil {
		return k, nil
	}
	k, err := x509.ParsePKCS8PrivateKey(blk.Bytes)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s, ok := k.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("%s: key cannot sign", path)
	}
	return s, nil
}

package main

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/examples/internal/testpki"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// ExampleLoad shows the relay's configuration format: the library configuration (inline here;
// "configFile" names a file instead) and the relay section.
func ExampleLoad() {
	l, err := Load([]byte(`{
	  "config": {
	    "tenants": [ { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso",
	                   "acceptedDomains": [ { "name": "contoso.com" } ] } ],
	    "gateway": { "name": "gw.example.net", "serves": [ "11111111-1111-1111-1111-111111111111" ] }
	  },
	  "relay": {
	    "listen": "0.0.0.0:25",
	    "dnsServer": "127.0.0.1:53",
	    "limits": { "maxMessageBytes": 10485760, "nextHopTimeout": "30s" },
	    "policy": { "relayKinds": [ "mailbox", "on-premises" ] }
	  }
	}`), ".")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(l.Section.Listen, l.Section.DNSServer, l.Directory.Gateway().Name)
	fmt.Println(l.Section.Limits.NextHopTimeout.Or(DefaultNextHopTimeout), l.Section.Limits.ReadTimeout.Or(DefaultTimeout))
	fmt.Println("starttls:", l.ServerCert != nil)
	// Output:
	// 0.0.0.0:25 127.0.0.1:53 gw.example.net
	// 30s 5m0s
	// starttls: false
}

func TestLoadErrors(t *testing.T) {
	const cfg = `"config": {"tenants": [{"id": "11111111-1111-1111-1111-111111111111", "name": "contoso"}],
	  "gateway": {"name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111"]}}`
	tests := []struct {
		name string
		in   string
		want []string // substrings of the error, each naming a field
	}{
		{"everything missing", `{` + cfg + `, "relay": {}}`, []string{"relay.listen: missing", "relay.dnsServer: missing"}},
		{"all problems at once", `{` + cfg + `, "relay": {"listen": ":25", "dnsServer": "x", "nextHopPort": 70000,
		  "certFile": "a.pem", "dkim": [{"domain": "contoso..com", "selector": "s", "keyFile": "k"}, {"domain": "contoso.com", "selector": "a b", "keyFile": "k"}],
		  "policy": {"relayKinds": ["everything"]}}}`,
			[]string{"relay.nextHopPort: 70000", "relay.certFile: certFile and keyFile go together", "relay.dkim[0].domain",
				"relay.dkim[1].selector", `relay.policy.relayKinds[0]: unknown kind "everything"`}},
		{"negative limits", `{` + cfg + `, "relay": {"listen": ":25", "dnsServer": "x", "limits": {"maxConnections": -1,
		  "maxNextHopSessionsPerIP": -1, "memoryBytes": -1}}}`,
			[]string{"relay.limits.maxConnections: negative", "relay.limits.maxNextHopSessionsPerIP: negative",
				"relay.limits.memoryBytes: negative"}},
		// The relay verifies no DKIM (it signs): a requirement would refuse all the mail it covers,
		// a fallback never apply (the milter verifies DKIM).
		{"dkim verification options", `{` + cfg + `, "relay": {"listen": ":25", "dnsServer": "x", "policy": {"dkimRequired": true, "dkimFallback": true,
		  "tenants": [{"tenant": "11111111-1111-1111-1111-111111111111", "dkimRequired": true}]}}}`,
			[]string{"relay.policy.dkimRequired: the relay verifies no DKIM signatures", "relay.policy.dkimFallback: the relay verifies no DKIM signatures",
				"relay.policy.tenants[0].dkimRequired: the relay verifies no DKIM signatures (it only signs), so every message of 11111111-1111-1111-1111-111111111111 would be refused"}},
		{"unknown field", `{` + cfg + `, "relay": {"listen": ":25", "dnsServer": "x", "maxSize": 1}}`, []string{"maxSize"}},
		{"bad duration", `{` + cfg + `, "relay": {"listen": ":25", "dnsServer": "x", "limits": {"readTimeout": 5}}}`, []string{"duration"}},
		{"no library config", `{"relay": {"listen": ":25", "dnsServer": "x"}}`, []string{"config: missing"}},
		{"both configs", `{"configFile": "x.json", ` + cfg + `, "relay": {}}`, []string{"give one"}},
		{"library config invalid", `{"config": {"tenants": [{"id": "nope"}]}, "relay": {}}`, []string{"config:"}},
		{"missing files", `{` + cfg + `, "relay": {"listen": ":25", "dnsServer": "x", "certFile": "none.pem", "keyFile": "none.key",
		  "identities": {"contoso": {"certFile": "c.pem", "keyFile": "c.key"}}, "clientCAFile": "ca.pem"}}`,
			[]string{"relay.certFile", "relay.identities[contoso]", "relay.clientCAFile"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Load([]byte(tc.in), t.TempDir())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error lacks %q:\n%v", w, err)
				}
			}
		})
	}
}

// TestLoadFileAndCheck writes a complete configuration with certificate and key files, loads it
// the way main does, and builds the relay (the -check path).
func TestLoadFileAndCheck(t *testing.T) {
	dir := t.TempDir()
	p := newPKI(t)
	srvCert, srvKey := writePEM(t, dir, "server", p.Leaf(t, []string{"gw.example.net"}))
	cCert, cKey := writePEM(t, dir, "contoso", p.Leaf(t, []string{"contoso.gw.example.net"}))
	fCert, fKey := writePEM(t, dir, "fabrikam", p.Leaf(t, []string{"fabrikam.gw.example.net"}))
	p.WriteCA(t, dir)
	lib, err := os.ReadFile("testdata/tenantgate.json")
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(dir, "tenantgate.json"), lib, 0o600)
	_, key, _ := ed25519.GenerateKey(rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	if err := os.WriteFile(filepath.Join(dir, "dkim.key"), testpki.PEM("PRIVATE KEY", der), 0o600); err != nil {
		t.Fatal(err)
	}
	rel := func(p string) string { return filepath.Base(p) }
	conf := fmt.Sprintf(`{"configFile": "tenantgate.json", "relay": {"listen": "127.0.0.1:0", "dnsServer": "127.0.0.1:53",
	  "certFile": %q, "keyFile": %q, "clientCAFile": "ca.pem", "nextHopCAFile": "ca.pem",
	  "identities": {"contoso": {"certFile": %q, "keyFile": %q}, "fabrikam": {"certFile": %q, "keyFile": %q}},
	  "dkim": [{"domain": "contoso.com", "selector": "s1", "keyFile": "dkim.key"}]}}`,
		rel(srvCert), rel(srvKey), rel(cCert), rel(cKey), rel(fCert), rel(fKey))
	path := filepath.Join(dir, "relay.json")
	os.WriteFile(path, []byte(conf), 0o600)
	if err := run(path, true, slog.New(slog.DiscardHandler), nil); err != nil {
		t.Fatal(err)
	}
	// An identity certificate that does not carry the configured name is refused at start
	// (tlsid.NewIdentities).
	l, err := LoadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l.IdentCerts["contoso"] = l.IdentCerts["fabrikam"]
	if _, err := New(l.Options(nil)); err == nil || !strings.Contains(err.Error(), "contoso") {
		t.Errorf("swapped identity certificate: err = %v, want one naming contoso", err)
	}
}

// TestDKIMSigning: own-tenant mail whose verdict allows signing for contoso.com (From in an
// accepted domain, threat cases 22–25) leaves signed with the configured key, and the signature
// verifies at the next hop.
func TestDKIMSigning(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(rand.Reader)
	w := newWorld(t, nil)
	w.r.dkim = map[tenantgate.Domain]DKIMSigner{"contoso.com": {Selector: "s1", Signer: key}}
	c := w.dial(t, w.clientTLS(w.exo))
	res, err := send(c, "carol@contoso.com", []string{"erin@woodgrove.example"},
		exoMessage(contosoID, "Carol <carol@contoso.com>", "erin@woodgrove.example", "tok-dkim"))
	if err != nil || res.Data != nil {
		t.Fatalf("send: %v %v", err, res.Data)
	}
	m := w.good.find(t, "tok-dkim")
	vs, err := dkim.VerifyWithOptions(strings.NewReader(string(m.Data)), &dkim.VerifyOptions{
		LookupTXT: func(name string) ([]string, error) {
			if name != "s1._domainkey.contoso.com" {
				return nil, fmt.Errorf("unexpected lookup %s", name)
			}
			return []string{"v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)}, nil
		}})
	if err != nil {
		t.Fatal(err)
	}
	if len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "contoso.com" {
		t.Fatalf("verifications = %+v, want one pass for contoso.com", vs)
	}
	// Mail that is not the own tenant's is never signed: inbound from the Internet.
	c2 := w.dial(t, nil)
	if res, err := send(c2, "bob@sender.example", []string{"alice@contoso.com"},
		"From: carol@contoso.com\r\nSubject: tok-dkim-in\r\n\r\nhi\r\n"); err != nil || res.Data != nil {
		t.Fatalf("send: %v %v", err, res.Data)
	}
	if strings.Contains(string(w.good.find(t, "tok-dkim-in").Data), "DKIM-Signature") {
		t.Error("inbound Internet mail was signed")
	}
}

// TestLimitsDefaults: an empty limits object (every existing configuration file) gets the
// defaults README.md, "Limits", documents and justifies.
func TestLimitsDefaults(t *testing.T) {
	l, err := Load([]byte(`{"config": {"tenants": [{"id": "11111111-1111-1111-1111-111111111111", "name": "contoso"}],
	  "gateway": {"name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111"]}},
	  "relay": {"listen": ":25", "dnsServer": "x", "limits": {"maxMessageBytes": 10485760, "readTimeout": "5m"}}}`), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got := l.Section.Limits.withDefaults()
	want := Limits{
		MaxMessageBytes: 10 << 20, // as configured
		MaxRecipients:   100,
		MaxConnections:  1000, MaxConnectionsPerIP: 50, MaxCommands: 1000,
		IdleTimeout: Duration(time.Minute), ReadTimeout: Duration(5 * time.Minute), WriteTimeout: Duration(5 * time.Minute),
		DataBlockTimeout: Duration(3 * time.Minute), DataTimeout: Duration(10 * time.Minute),
		MemoryBytes: 64 << 20, SpoolThreshold: 1 << 20, SpoolBytes: 4 << 30,
		MaxNextHopSessions: 250, MaxNextHopSessionsPerIP: 20, NextHopIdleTimeout: Duration(10 * time.Second),
		NextHopTimeout: Duration(2 * time.Minute), NextHopDataTimeout: Duration(10 * time.Minute), ShutdownTimeout: Duration(30 * time.Second),
	}
	if got != want {
		t.Errorf("defaults:\n got %+v\nwant %+v", got, want)
	}
	if d := (Limits{}).withDefaults().MaxMessageBytes; d != 36<<20 {
		t.Errorf("default maxMessageBytes %d, want 36 MiB (Exchange Online's default receive limit)", d)
	}
}

// TestREADMEConfigSample: the configuration sample in README.md uses only fields the relay
// knows, and its limits are the defaults the README's Limits table states.
func TestREADMEConfigSample(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), "## Configuration")
	_, rest, _ = strings.Cut(rest, "```json\n")
	sample, _, ok := strings.Cut(rest, "```")
	if !ok {
		t.Fatal("README.md has no configuration sample")
	}
	var f File
	if err := jsonstrict.Decode([]byte(sample), &f); err != nil {
		t.Fatalf("README sample: %v", err)
	}
	l := f.Relay.Limits
	l.SpoolDir = ""
	d := (Limits{}).withDefaults()
	d.MaxHeaderBytes, d.MaxHeaderFields = headers.DefaultMaxBytes, headers.DefaultMaxFields // headers.Limits' own defaults
	if l != d {
		t.Errorf("README sample limits differ from the defaults:\n sample %+v\ndefault %+v", l, d)
	}
}

package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/tenantgate/tenantgate"
)

// envCase is one transaction sent line by line to the relay, with the replies wanted and the
// MAIL and RCPT lines the next hop must have received, byte for byte.
type envCase struct {
	name    string
	cert    bool     // STARTTLS presenting Exchange Online's certificate
	cmds    []string // MAIL, RCPT, … lines
	msg     string   // sent with DATA when not empty
	want    []string // the replies to cmds, then to the final dot
	wantEnv []string // nil: the next hop received no MAIL and no RCPT
}

const inboundMsg = "From: bob@sender.example\r\nTo: alice@contoso.com\r\nSubject: tok-env\r\n\r\nhi\r\n"

// TestEnvelopeEndToEnd drives client → relay → next hop for every address form of issue 12 item 1
// and asserts the next hop's MAIL and RCPT lines. go-smtp's server decodes a quoted local part;
// the relay must re-encode it (RFC 5321 §4.1.2) or refuse it, never paste the decoded text.
// MAIL lines carry " BODY=8BITMIME" because go-smtp's client declares it to every next hop that
// offers 8BITMIME (this sink does); SIZE and SMTPUTF8 only when the client sent them.
func TestEnvelopeEndToEnd(t *testing.T) {
	w := newEnvWorld(t, []string{"8BITMIME", "SMTPUTF8", "SIZE 50000000", "PIPELINING"})
	const mailBob = "MAIL FROM:<bob@sender.example>"
	tests := []envCase{{
		// The attack of issue 12: a quoted local part that, pasted unquoted, closes the path and
		// adds a DSN parameter at the tenant's Exchange Online. '>' is refused (553 5.1.3).
		name: "attack: recipient smuggles a path end and a parameter",
		cmds: []string{mailBob, `RCPT TO:<"victim@evil.example> ORCPT=rfc822;x"@contoso.com>`},
		want: []string{"250 2.0.0", "553 5.1.3"},
	}, {
		name: "attack: sender smuggles a path end and a parameter",
		cmds: []string{`MAIL FROM:<"ceo@contoso.com> ENVID=x"@internet.example>`, "RCPT TO:<alice@contoso.com>"},
		// go-smtp answers RCPT without an accepted MAIL with 502 5.5.1.
		want: []string{"553 5.1.3", "502 5.5.1"},
	}, {
		// The same local part without '<' or '>': forwarded quoted, so the next hop sees the
		// mailbox the client named, in contoso.com, as the policy did.
		name:    "quoted @ stays quoted",
		cmds:    []string{mailBob, `RCPT TO:<"victim@evil.example"@contoso.com>`},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{mailBob + " BODY=8BITMIME", `RCPT TO:<"victim@evil.example"@contoso.com>`},
	}, {
		name:    "quoted sender with @ and space",
		cmds:    []string{`MAIL FROM:<"ceo@contoso.com x"@sender.example>`, "RCPT TO:<alice@contoso.com>"},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{`MAIL FROM:<"ceo@contoso.com x"@sender.example> BODY=8BITMIME`, "RCPT TO:<alice@contoso.com>"},
	}, {
		// RFC 5321 §4.1.2 quoted-pairSMTP: '"' and '\' are escaped inside the quotes.
		name:    "escaped quote and backslash",
		cmds:    []string{mailBob, `RCPT TO:<"a\"b\\c"@contoso.com>`},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{mailBob + " BODY=8BITMIME", `RCPT TO:<"a\"b\\c"@contoso.com>`},
	}, {
		// A quoted local part that is a Dot-string is the same mailbox; it goes in its simplest
		// form (RFC 5322 §3.4.1: the dot-atom form SHOULD be used when possible).
		name:    "needless quotes dropped",
		cmds:    []string{mailBob, `RCPT TO:<"alice"@contoso.com>`},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{mailBob + " BODY=8BITMIME", "RCPT TO:<alice@contoso.com>"},
	}, {
		name:    "dots that are no Dot-string stay quoted",
		cmds:    []string{mailBob, `RCPT TO:<"a..b."@contoso.com>`},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{mailBob + " BODY=8BITMIME", `RCPT TO:<"a..b."@contoso.com>`},
	}, {
		// RFC 6531: with SMTPUTF8 on MAIL, UTF-8 local parts and domains are forwarded as named,
		// with SMTPUTF8, to a next hop that offers it.
		name:    "UTF-8 with SMTPUTF8",
		cmds:    []string{"MAIL FROM:<jörg@bücher.example> SMTPUTF8", "RCPT TO:<zoë@contoso.com>"},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{"MAIL FROM:<jörg@bücher.example> BODY=8BITMIME SMTPUTF8", "RCPT TO:<zoë@contoso.com>"},
	}, {
		// RFC 6531 §3.5: a non-ASCII address without SMTPUTF8 gets 553 5.6.7.
		name: "UTF-8 recipient without SMTPUTF8",
		cmds: []string{mailBob, "RCPT TO:<zoë@contoso.com>"},
		want: []string{"250 2.0.0", "553 5.6.7"},
	}, {
		name: "UTF-8 sender without SMTPUTF8",
		cmds: []string{"MAIL FROM:<jörg@sender.example>", "RCPT TO:<alice@contoso.com>"},
		want: []string{"553 5.6.7", "502 5.5.1"},
	}, {
		name: "invalid UTF-8 refused",
		cmds: []string{"MAIL FROM:<bob@sender.example> SMTPUTF8", "RCPT TO:<a\xffb@contoso.com>"},
		want: []string{"250 2.0.0", "553 5.1.3"},
	}, {
		// RFC 5321 §4.1.3 address literals are forwarded as named. The policy finds no domain
		// in a sender literal (attr.mailfrom.invalid: no accepted domain of anybody) ...
		name:    "address literal sender",
		cmds:    []string{"MAIL FROM:<bob@[192.0.2.1]>", "RCPT TO:<alice@contoso.com>"},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{"MAIL FROM:<bob@[192.0.2.1]> BODY=8BITMIME", "RCPT TO:<alice@contoso.com>"},
	}, {
		name:    "IPv6 address literal sender",
		cmds:    []string{"MAIL FROM:<bob@[IPv6:2001:db8::1]>", "RCPT TO:<alice@contoso.com>"},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{"MAIL FROM:<bob@[IPv6:2001:db8::1]> BODY=8BITMIME", "RCPT TO:<alice@contoso.com>"},
	}, {
		// ... and refuses a recipient literal (classify.ReplyBadRecipient): no tenant can be
		// chosen for it, so nothing is sent.
		name: "address literal recipient refused by the policy",
		cmds: []string{mailBob, "RCPT TO:<alice@[192.0.2.1]>"},
		want: []string{"250 2.0.0", "501 5.1.3"},
	}, {
		name: "malformed address literal",
		cmds: []string{"MAIL FROM:<bob@[300.0.0.1]>", "MAIL FROM:<bob@[x:y]>", "MAIL FROM:<bob@[IPv6:1.2.3.4]>"},
		want: []string{"553 5.1.3", "553 5.1.3", "553 5.1.3"},
	}, {
		// RFC 5321 §4.1.2: control characters MUST NOT be used in MAIL or RCPT. A bare CR reaches
		// the relay inside a line.
		name: "control characters refused",
		cmds: []string{mailBob, "RCPT TO:<a\x01b@contoso.com>", "RCPT TO:<a\rb@contoso.com>", "RCPT TO:<\"a\x00b\"@contoso.com>", "RCPT TO:<\"a\tb\"@contoso.com>", "RCPT TO:<a\x7fb@contoso.com>"},
		want: []string{"250 2.0.0", "553 5.1.3", "553 5.1.3", "553 5.1.3", "553 5.1.3", "553 5.1.3"},
	}, {
		// go-smtp reads the domain up to a space, tab or '>': anything else ends up in it.
		name: "malformed domains refused",
		cmds: []string{mailBob, "RCPT TO:<alice@contoso.com.>", `RCPT TO:<alice@contoso.com"x>`, "RCPT TO:<alice@con_toso.com>", "RCPT TO:<alice@-contoso.com>", "RCPT TO:<alice@contoso..com>"},
		want: []string{"250 2.0.0", "553 5.1.3", "553 5.1.3", "553 5.1.3", "553 5.1.3", "553 5.1.3"},
	}, {
		// go-smtp reads an unquoted "a@b@contoso.com" as local part "a", domain "b@contoso.com",
		// and hands the relay the same string as for `"a@b"@contoso.com`. The relay splits at the
		// last '@', as tenantgate.AddressDomain does: local part "a@b" in contoso.com, quoted.
		name:    "unquoted second @",
		cmds:    []string{mailBob, "RCPT TO:<a@b@contoso.com>"},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{mailBob + " BODY=8BITMIME", `RCPT TO:<"a@b"@contoso.com>`},
	}, {
		// Parameters: SIZE forwarded (validated numeric by go-smtp), BODY declared by go-smtp's
		// client from the next hop's EHLO, AUTH= dropped (RFC 4954 §5 lets a relay send none).
		name:    "parameters forwarded only as validated",
		cmds:    []string{"MAIL FROM:<bob@sender.example> SIZE=1000 BODY=8BITMIME AUTH=<>", "RCPT TO:<alice@contoso.com>"},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{"MAIL FROM:<bob@sender.example> BODY=8BITMIME SIZE=1000", "RCPT TO:<alice@contoso.com>"},
	}, {
		// The relay does not offer DSN: RET, ENVID, NOTIFY and ORCPT are refused by go-smtp.
		name: "DSN parameters refused",
		cmds: []string{"MAIL FROM:<bob@sender.example> RET=FULL", "MAIL FROM:<bob@sender.example> ENVID=x", mailBob,
			"RCPT TO:<alice@contoso.com> NOTIFY=NEVER", "RCPT TO:<alice@contoso.com> ORCPT=rfc822;victim@evil.example"},
		want: []string{"504 5.5.4", "504 5.5.4", "250 2.0.0", "504 5.5.4", "504 5.5.4"},
	}, {
		// A refused MAIL ends the transaction: go-smtp still counts the earlier MAIL as received,
		// and the relay must not go on with a sender the client did not name.
		name: "RCPT after a refused second MAIL",
		cmds: []string{mailBob, `MAIL FROM:<"x>"@sender.example>`, "RCPT TO:<alice@contoso.com>"},
		want: []string{"250 2.0.0", "553 5.1.3", "503 5.5.1"},
	}, {
		name:    "null reverse-path",
		cmds:    []string{"MAIL FROM:<>", "RCPT TO:<alice@contoso.com>"},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{"MAIL FROM:<> BODY=8BITMIME", "RCPT TO:<alice@contoso.com>"},
	}, {
		// The relayed path: verified Exchange Online, own tenant's header; MAIL and RCPT go to
		// the Internet MX after the header was read, re-encoded the same way.
		name:    "relayed to the Internet, quoted",
		cert:    true,
		cmds:    []string{`MAIL FROM:<"carol smith"@contoso.com>`, `RCPT TO:<"erin\\x"@woodgrove.example>`},
		msg:     exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", "tok-relayed"),
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{`MAIL FROM:<"carol smith"@contoso.com> BODY=8BITMIME`, `RCPT TO:<"erin\\x"@woodgrove.example>`},
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { runEnvCase(t, w, tc) })
	}
}

func runEnvCase(t *testing.T, w *envWorld, tc envCase) {
	t.Helper()
	w.sink.clear()
	logStart := len(w.logs.String())
	var cert = w.exo
	if !tc.cert {
		cert = nil
	}
	c := w.rawDial(t, cert)
	var got []string
	for _, l := range tc.cmds {
		got = append(got, c.cmd(l))
	}
	if tc.msg != "" {
		got = append(got, c.data(tc.msg))
	}
	c.cmd("QUIT")
	if diff := cmp.Diff(tc.want, got); diff != "" {
		t.Errorf("replies (-want +got):\n%s", diff)
	}
	env := w.sink.envelope()
	if diff := cmp.Diff(tc.wantEnv, env); diff != "" {
		t.Errorf("next hop's MAIL and RCPT lines (-want +got):\n%s", diff)
	}
	// The policy classified the same address the next hop received: the domain of every path
	// the sink got (parsed back with the test's own RFC 5321 parser) is the domain
	// tenantgate.AddressDomain finds in the address the relay logged as given to the policy.
	saw := policyAddresses(w.logs.String()[logStart:])
	for _, line := range env {
		p, err := parseCommandPath(line)
		if err != nil {
			t.Fatalf("next hop received %q: %v", line, err)
		}
		if p.Mailbox == "" {
			continue
		}
		found := false
		for _, a := range saw {
			if d, err := tenantgate.AddressDomain(a); err == nil && string(d) == p.Domain && a == p.Path {
				found = true
			}
			if _, err := tenantgate.AddressDomain(a); err != nil && a == p.Path && p.Literal {
				found = true
			}
		}
		if !found {
			t.Errorf("next hop received %q (domain %q); the policy saw none with that domain: %q", line, p.Domain, saw)
		}
	}
}

// policyAddresses returns the from= and rcpt= values of the relay's text log: the addresses the
// session handed to classify.Policy.
func policyAddresses(log string) []string {
	var out []string
	for _, key := range []string{" from=", " rcpt="} {
		for rest := log; ; {
			i := strings.Index(rest, key)
			if i < 0 {
				break
			}
			rest = rest[i+len(key):]
			var v string
			if strings.HasPrefix(rest, `"`) {
				q, err := strconv.QuotedPrefix(rest)
				if err != nil {
					continue
				}
				v, _ = strconv.Unquote(q)
			} else {
				v, _, _ = strings.Cut(rest, " ")
				v = strings.TrimSuffix(v, "\n")
			}
			out = append(out, v)
		}
	}
	return out
}

// TestEnvelopeNextHopCapabilities: SMTPUTF8 goes only to a next hop that offers it, and a message
// declared 8BITMIME only to one that offers 8BITMIME (RFC 6531 §3.2, RFC 6152 §3); otherwise
// the RCPT that would open the session is refused and nothing is sent.
func TestEnvelopeNextHopCapabilities(t *testing.T) {
	w := newEnvWorld(t, []string{"SIZE"})
	for _, tc := range []envCase{{
		name: "SMTPUTF8 to a next hop without it",
		cmds: []string{"MAIL FROM:<bob@sender.example> SMTPUTF8", "RCPT TO:<alice@contoso.com>"},
		want: []string{"250 2.0.0", "550 5.6.7"},
	}, {
		name: "8BITMIME to a next hop without it",
		cmds: []string{"MAIL FROM:<bob@sender.example> BODY=8BITMIME", "RCPT TO:<alice@contoso.com>"},
		want: []string{"250 2.0.0", "550 5.6.3"},
	}, {
		// A relayed recipient's MX is contacted after the header: the refusal is DATA's reply.
		name: "SMTPUTF8 relayed to an MX without it",
		cert: true,
		cmds: []string{"MAIL FROM:<carol@contoso.com> SMTPUTF8", "RCPT TO:<erin@woodgrove.example>"},
		msg:  exoMessage(contosoID, "carol@contoso.com", "erin@woodgrove.example", "tok-noutf8"),
		want: []string{"250 2.0.0", "250 2.0.0", "550 5.6.7"},
	}, {
		name:    "7-bit ASCII to a next hop without either",
		cmds:    []string{"MAIL FROM:<bob@sender.example> BODY=7BIT", `RCPT TO:<"a b"@contoso.com>`},
		msg:     inboundMsg,
		want:    []string{"250 2.0.0", "250 2.0.0", "250 2.0.0"},
		wantEnv: []string{"MAIL FROM:<bob@sender.example>", `RCPT TO:<"a b"@contoso.com>`},
	}} {
		t.Run(tc.name, func(t *testing.T) { runEnvCase(t, w, tc) })
	}
}

// TestEnvelopeLogLines: an address with a bare CR or other control character cannot start a
// forged record in the relay's text log (slog's TextHandler quotes such values; main.go uses the
// JSON handler, which escapes them). Every log line is one record.
func TestEnvelopeLogLines(t *testing.T) {
	w := newEnvWorld(t, nil)
	c := w.rawDial(t, nil)
	c.cmd("MAIL FROM:<bob@sender.example>")
	c.cmd("RCPT TO:<a\rlevel=ERROR msg=forged@contoso.com>")
	c.cmd("RCPT TO:<\"x\x0blevel=ERROR\"@contoso.com>")
	c.cmd("QUIT")
	for _, l := range strings.Split(strings.TrimSuffix(w.logs.String(), "\n"), "\n") {
		if !strings.HasPrefix(l, "time=") || strings.ContainsAny(l, "\r\x0b") {
			t.Errorf("log line %q is not one whole record", l)
		}
	}
}

package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/mail"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// nothingConfigured says why data configures nothing — an empty file, white space, null, an
// empty list or an empty object — or returns "". A failed export leaves such a file, and linting
// it must not pass (issue 16: "a failed export makes a green CI run").
func nothingConfigured(data []byte) string {
	t, err := jsonstrict.Text(data)
	if err != nil {
		return ""
	}
	if len(t) > 1024 {
		return ""
	}
	switch strings.Join(strings.Fields(string(t)), "") { // "{ }" is "{}"
	case "":
		return "the file is empty or only white space: it configures nothing (a failed export leaves an empty file)"
	case "null":
		return "the file holds only null: it configures nothing (a cmdlet that found nothing writes null)"
	case "[]":
		return "the file holds an empty list: it configures nothing (a cmdlet that found nothing writes [])"
	case "{}":
		return "the file holds an empty object: it configures nothing (no \"tenants\" and no \"gateway\")"
	}
	return ""
}

// nothingHint is what to do about a file that configures nothing.
const nothingHint = `a configuration is one JSON object with "tenants" and a "gateway", as the README's "Configuration" section shows; re-run a failed export`

// noGateway is the error for a configuration that compiles but has no gateway: lint, simulate,
// explain and test all check the gateway in front of Exchange Online.
func noGateway(name string) error {
	return &inputError{File: name,
		Lines: []string{`no gateway: the configuration has no "gateway" object, so there is no gateway in front of Exchange Online to check`},
		Hint:  `add "gateway": {"name": …, "serves": […]} as the README's "Configuration" section shows`}
}

// limitFlags registers --max-bytes, --max-fields and --max-line on fs.
func limitFlags(fs *flag.FlagSet, l *headers.Limits) {
	fs.IntVar(&l.MaxBytes, "max-bytes", headers.DefaultMaxBytes, "refuse a header block over this many bytes")
	fs.IntVar(&l.MaxFields, "max-fields", headers.DefaultMaxFields, "refuse a header block with more fields")
	fs.IntVar(&l.MaxLineLength, "max-line", headers.DefaultMaxLineLength, "refuse a header line longer than this")
}

// checkLimits refuses limits below 1: headers.Limits would take them as "the default", which
// is not what a user who typed --max-line 0 or -5 meant.
func checkLimits(cmd string, l headers.Limits) error {
	for _, f := range []struct {
		flag string
		v    int
	}{{"--max-bytes", l.MaxBytes}, {"--max-fields", l.MaxFields}, {"--max-line", l.MaxLineLength}} {
		if f.v < 1 {
			return fmt.Errorf("%s: %s %d: want a positive number", cmd, f.flag, f.v)
		}
	}
	return nil
}

// flagError is a library error reworded for the command line; errors.Is still sees the original.
type flagError struct {
	err  error
	text string
}

func (e *flagError) Error() string { return e.text }
func (e *flagError) Unwrap() error { return e.err }

// readMessage reads a message's header block within l. Outlook's .msg files and mbox mailboxes
// are refused with what they are and how to get the headers out; a limit error names the flag
// that raises the limit.
func readMessage(r io.Reader, l headers.Limits) (textproto.Header, error) {
	br := bufio.NewReader(r)
	head, _ := br.Peek(8)
	switch {
	// A .msg file is a compound file ([MS-OXMSG],
	// https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxmsg/), whose header
	// starts with these eight bytes ([MS-CFB] 2.2, https://learn.microsoft.com/openspecs/windows_protocols/ms-cfb/).
	case bytes.Equal(head, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}):
		return textproto.Header{}, errors.New(`this is an Outlook .msg file (Outlook's own binary format), not a message in Internet format: ` +
			`in Outlook open the message, choose File > Properties and save the "Internet headers" box as a text file ` +
			`(Outlook on the web: View > View message details), then pass that file`)
	// An mbox mailbox starts each message with a "From " line (RFC 4155).
	case bytes.HasPrefix(head, []byte("From ")):
		return textproto.Header{}, errors.New(`this is an mbox mailbox (it starts with a "From " line, RFC 4155), not one message: ` +
			`save the single message as .eml ("Save as" or "Show original" in most mail clients), ` +
			`or delete the first line if the file holds one message`)
	}
	h, err := headers.Read(br, l)
	if err != nil && errors.Is(err, headers.ErrLimit) {
		// Name the flags that raise the limits, not the fields of headers.Limits.
		r := strings.NewReplacer("MaxBytes", "--max-bytes", "MaxFields", "--max-fields", "MaxLineLength", "--max-line")
		err = &flagError{err: err, text: r.Replace(err.Error())}
	}
	return h, err
}

// checkAddress refuses a --from or --to value that is not a bare address: a display name or
// angle brackets (`Erin <erin@contoso.com>`) are refused with the bare address to give instead.
func checkAddress(flagName, v string) error {
	if v == "" || v == "<>" {
		if flagName == "--from" {
			return nil // the null sender
		}
		return fmt.Errorf("%s %q: not an email address (want local-part@domain)", flagName, v)
	}
	if t := strings.TrimSpace(v); strings.HasPrefix(t, "<") && strings.HasSuffix(t, ">") && !strings.ContainsAny(t[1:len(t)-1], "<>") {
		v = t[1 : len(t)-1] // the SMTP form <erin@contoso.com>
	}
	a, err := mail.ParseAddress(v)
	if err != nil {
		return fmt.Errorf("%s %q: not an email address (want local-part@domain, such as erin@contoso.com)", flagName, v)
	}
	if a.Name != "" || strings.ContainsAny(v, "<>") {
		return fmt.Errorf("%s %q: give the bare address %s, without the display name", flagName, v, a.Address)
	}
	if !strings.Contains(a.Address, "@") {
		return fmt.Errorf("%s %q: not an email address (want local-part@domain)", flagName, v)
	}
	return nil
}

// bareAddress is a --from or --to value checkAddress accepted, without the angle brackets of
// the SMTP form.
func bareAddress(v string) string {
	return strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(v), "<"), ">")
}

// refuseNothing returns an error when every one of the files configures nothing
// (nothingConfigured): one such file among real exports is a cmdlet that found nothing, but
// nothing at all is never a clean result.
func refuseNothing(names []string, first []byte, stdin io.Reader) error {
	why := nothingConfigured(first)
	if why == "" {
		return nil
	}
	for _, n := range names[1:] {
		data, err := readInput(n, stdin)
		if err != nil {
			return err
		}
		if nothingConfigured(data) == "" {
			return nil
		}
	}
	ie := &inputError{File: names[0], Lines: []string{why}, Hint: nothingHint}
	for _, n := range names[1:] {
		ie.Other = append(ie.Other, n+": configures nothing either")
	}
	return ie
}

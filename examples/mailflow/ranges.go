package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/examples/internal/msranges"
)

// runRanges is "mailflow ranges --endpoints FILE CONFIG": the configuration with
// gateway.exchangeOnline.networks replaced by the mail endpoint set of Microsoft's endpoint list.
func runRanges(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow ranges", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpoints := fs.String("endpoints", "", "Microsoft's endpoint list for the configuration's cloud, saved from\nhttps://endpoints.office.com/endpoints/<instance>?clientrequestid=<GUID> (required)")
	maxAge := fs.Duration("max-age", msranges.DefaultMaxAge, "warn when the endpoint list's file is older than this")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: mailflow ranges --endpoints ENDPOINTS.json CONFIG.json > new-config.json

Writes CONFIG with gateway.exchangeOnline.networks set to the ranges of the endpoint list's
mail endpoint set (service area Exchange, TCP port 25: worldwide ID 10). Everything else in
CONFIG is kept: the same keys in the same order with the same values (only re-indented). The
list must be of the cloud in gateway.exchangeOnline.cloud (default worldwide): instances
Worldwide, USGovGCCHigh, USGovDoD, China. The result is compiled before it is written.`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 1 || *endpoints == "" {
		fs.Usage()
		return 2
	}
	out, notes, err := refreshRanges(fs.Arg(0), *endpoints, *maxAge, time.Now())
	for _, n := range notes {
		fmt.Fprintln(stderr, "mailflow ranges:", n)
	}
	if err != nil {
		fmt.Fprintf(stderr, "mailflow ranges: %v\n", err)
		return 1
	}
	if _, err := stdout.Write(out); err != nil {
		fmt.Fprintf(stderr, "mailflow ranges: %v\n", err)
		return 1
	}
	return 0
}

// refreshRanges returns the configuration file at cfgPath with its Exchange Online networks taken
// from the endpoint list at endpointsPath, and notes for stderr.
func refreshRanges(cfgPath, endpointsPath string, maxAge time.Duration, now time.Time) ([]byte, []string, error) {
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		return nil, nil, err
	}
	cfg, err := tenantgate.LoadConfig(bytes.NewReader(data))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", cfgPath, err)
	}
	cloud, err := tenantgate.ParseCloud(string(cfg.Gateway.ExchangeOnline.Cloud))
	if err != nil {
		return nil, nil, fmt.Errorf("%s: gateway.exchangeOnline.cloud: %w", cfgPath, err)
	}
	l, err := msranges.Load(endpointsPath, cloud, maxAge, now)
	if err != nil {
		return nil, nil, err
	}
	notes := append([]string{fmt.Sprintf("gateway.exchangeOnline.networks: %d ranges of endpoint set %v (%v) of %s, modified %s",
		len(l.Mail.Networks), l.Mail.SetIDs, l.Mail.URLs, endpointsPath, l.ModTime.UTC().Format(time.RFC3339))}, l.Warnings...)
	out, err := setNetworks(data, l.Mail.Networks)
	if err != nil {
		return nil, notes, fmt.Errorf("%s: %w", cfgPath, err)
	}
	check, err := tenantgate.LoadConfig(bytes.NewReader(out))
	if err == nil {
		_, err = tenantgate.Compile(check)
	}
	if err != nil {
		return nil, notes, fmt.Errorf("the refreshed configuration does not compile: %w", err)
	}
	return out, notes, nil
}

// member is one key and its value, as written.
type member struct {
	key string
	val json.RawMessage
}

// readObject reads a JSON object's members in their order.
func readObject(data []byte) ([]member, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, errors.New("not a JSON object")
	}
	var ms []member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		ms = append(ms, member{t.(string), v})
	}
	return ms, nil
}

// writeObject writes members as a JSON object, in order.
func writeObject(ms []member) []byte {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, m := range ms {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(m.key)
		b.Write(k)
		b.WriteByte(':')
		b.Write(m.val)
	}
	b.WriteByte('}')
	return b.Bytes()
}

// setMember sets key in ms to val: in place, or appended.
func setMember(ms []member, key string, val json.RawMessage) []member {
	for i := range ms {
		if ms[i].key == key {
			ms[i].val = val
			return ms
		}
	}
	return append(ms, member{key, val})
}

// getMember returns key's value in ms, or "{}" when absent.
func getMember(ms []member, key string) json.RawMessage {
	for _, m := range ms {
		if m.key == key {
			return m.val
		}
	}
	return json.RawMessage("{}")
}

// setNetworks returns the configuration data with gateway.exchangeOnline.networks set, every
// other key and value as it was, indented by two spaces.
func setNetworks(data []byte, networks []netip.Prefix) ([]byte, error) {
	top, err := readObject(data)
	if err != nil {
		return nil, err
	}
	gw, err := readObject(getMember(top, "gateway"))
	if err != nil {
		return nil, fmt.Errorf("gateway: %w", err)
	}
	exo, err := readObject(getMember(gw, "exchangeOnline"))
	if err != nil {
		return nil, fmt.Errorf("gateway.exchangeOnline: %w", err)
	}
	nets, err := json.Marshal(networks)
	if err != nil {
		return nil, err
	}
	exo = setMember(exo, "networks", nets)
	gw = setMember(gw, "exchangeOnline", writeObject(exo))
	top = setMember(top, "gateway", writeObject(gw))
	var out bytes.Buffer
	if err := json.Indent(&out, writeObject(top), "", "  "); err != nil {
		return nil, err
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

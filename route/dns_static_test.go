package route

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func staticZone() StaticResolver {
	return StaticResolver{
		MX: map[string][]*net.MX{
			"contoso.com": {{Host: "B.example.", Pref: 20}, {Host: "a.example", Pref: 20}, {Host: "c.example", Pref: 5}},
			"null.test":   {{Host: ".", Pref: 0}},
			// RFC 7505 §3 forbids a null MX next to other MX records; MailHosts still refuses.
			"mixed.test": {{Host: "a.example", Pref: 10}, {Host: ".", Pref: 0}},
			"dup.test":   {{Host: "a.example", Pref: 10}, {Host: "A.example.", Pref: 10}},
		},
		Hosts: map[string][]netip.Addr{
			"a.example":  {netip.MustParseAddr("2001:db8::1"), netip.MustParseAddr("192.0.2.1")},
			"nomx.test":  {netip.MustParseAddr("192.0.2.9")},
			"empty.test": nil,
		},
		Fail: map[string]bool{"broken.test": true},
	}
}

func TestStaticResolver(t *testing.T) {
	r := staticZone()
	ctx := t.Context()

	mx, err := r.LookupMX(ctx, "Contoso.COM.")
	if err != nil {
		t.Fatal(err)
	}
	// Sorted by preference, then host, lower case without the dot (the Resolver contract).
	want := []*net.MX{{Host: "c.example", Pref: 5}, {Host: "a.example", Pref: 20}, {Host: "b.example", Pref: 20}}
	if diff := cmp.Diff(want, mx); diff != "" {
		t.Errorf("LookupMX (-want +got):\n%s", diff)
	}
	mx[0].Host = "changed"
	if again, _ := r.LookupMX(ctx, "contoso.com"); again[0].Host != "c.example" {
		t.Error("LookupMX returned records that alias the resolver's maps")
	}

	// A name known only from Hosts exists: NODATA, not NXDOMAIN.
	if mx, err := r.LookupMX(ctx, "nomx.test"); err != nil || mx == nil || len(mx) != 0 {
		t.Errorf("LookupMX(nomx.test) = %v, %v; want an empty list and no error", mx, err)
	}
	if _, err := r.LookupMX(ctx, "missing.test"); !IsPermanent(err) {
		t.Errorf("LookupMX(missing.test) error %v: want permanent NXDOMAIN", err)
	}
	if _, err := r.LookupMX(ctx, "broken.test"); !IsTemporary(err) {
		t.Errorf("LookupMX(broken.test) error %v: want temporary SERVFAIL", err)
	}

	addrs, err := r.LookupHost(ctx, "a.example")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]netip.Addr{netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")}, addrs, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("LookupHost (-want +got):\n%s", diff)
	}
	for _, name := range []string{"empty.test", "contoso.com"} { // exist, no addresses
		_, err := r.LookupHost(ctx, name)
		if de, ok := errors.AsType[*DNSError](err); !ok || !de.NotFound || de.Rcode != 0 || !IsPermanent(err) {
			t.Errorf("LookupHost(%s) error %v: want permanent NOERROR/NotFound", name, err)
		}
	}
	if _, err := r.LookupHost(ctx, "missing.test"); !IsPermanent(err) {
		t.Errorf("LookupHost(missing.test) error %v: want permanent", err)
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := r.LookupMX(cancelled, "contoso.com"); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled context: error %v, want context.Canceled", err)
	}

	var zero StaticResolver
	if _, err := zero.LookupMX(ctx, "contoso.com"); !IsPermanent(err) {
		t.Errorf("zero StaticResolver: error %v, want permanent NXDOMAIN", err)
	}
}

func TestMailHostsStatic(t *testing.T) {
	r := staticZone()
	tests := []struct {
		domain  string
		want    []*net.MX
		wantErr error
	}{
		{domain: "contoso.com", want: []*net.MX{{Host: "c.example", Pref: 5}, {Host: "a.example", Pref: 20}, {Host: "b.example", Pref: 20}}},
		{domain: "nomx.test", want: []*net.MX{{Host: "nomx.test", Pref: 0}}}, // RFC 5321 §5.1 implicit MX
		{domain: "null.test", wantErr: ErrNullMX},                            // RFC 7505
		{domain: "mixed.test", wantErr: ErrNullMX},                           // a null MX among others still says "no mail"
		{domain: "empty.test", wantErr: ErrNoMailHost},                       // exists, nothing to deliver to
		{domain: "dup.test", want: []*net.MX{{Host: "a.example", Pref: 10}}}, // one host listed twice is tried once
	}
	for _, tc := range tests {
		t.Run(tc.domain, func(t *testing.T) {
			got, err := MailHosts(t.Context(), r, tc.domain)
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			if tc.wantErr != nil && !IsPermanent(err) {
				t.Errorf("error %v is not permanent", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrorPredicates(t *testing.T) {
	tests := []struct {
		name                 string
		err                  error
		temporary, permanent bool
	}{
		{"nil", nil, false, false},
		{"servfail", &DNSError{Name: "x", Type: "MX", Rcode: 2, Temporary: true}, true, false},
		{"nxdomain", &DNSError{Name: "x", Type: "MX", Rcode: 3, NotFound: true}, false, true},
		{"wrapped", errors.Join(errors.New("delivery"), &DNSError{Rcode: 3}), false, true},
		{"deadline", context.DeadlineExceeded, true, false},
		{"null mx sentinel", ErrNullMX, false, true},
		{"cancelled", context.Canceled, false, false},
		{"other", errors.New("something"), false, false},
	}
	for _, tc := range tests {
		if IsTemporary(tc.err) != tc.temporary || IsPermanent(tc.err) != tc.permanent {
			t.Errorf("%s: IsTemporary = %v, IsPermanent = %v; want %v, %v", tc.name, IsTemporary(tc.err), IsPermanent(tc.err), tc.temporary, tc.permanent)
		}
	}
}

func TestDNSErrorMessage(t *testing.T) {
	tests := []struct {
		err  *DNSError
		want string
	}{
		{&DNSError{Name: "x.test", Type: "MX", Server: "127.0.0.1:53", Rcode: 2, Temporary: true}, "route: lookup MX x.test on 127.0.0.1:53: SERVFAIL (temporary)"},
		{&DNSError{Name: "x.test", Type: "A", Rcode: 0, NotFound: true}, "route: lookup A x.test: no such record (permanent)"},
		{&DNSError{Name: "x.test", Type: "MX", Rcode: 0, Err: ErrNullMX}, "route: lookup MX x.test: route: domain accepts no mail (null MX, RFC 7505) (permanent)"},
		{&DNSError{Name: "x.test", Type: "MX", Rcode: 3, NotFound: true}, "route: lookup MX x.test: NXDOMAIN (permanent)"},
	}
	for _, tc := range tests {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("Error() = %q, want %q", got, tc.want)
		}
	}
}

package tenantgate

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"reflect"
	"strings"
	"testing"
)

// richConfig sets every field of the configuration that Compile keeps and that is a pointer, a
// slice or a map, so that the copy tests below reach all of them.
const richConfig = `{
  "tenants": [
    { "id": "11111111-1111-1111-1111-111111111111", "name": "contoso", "rejectDirectSend": true,
      "acceptedDomains": [ { "name": "contoso.com", "mxReport": [ { "highestPriorityMailhost": "mx.contoso.com", "pointsToService": false } ] },
                           { "name": "sub.contoso.net", "domainType": "InternalRelay", "matchSubDomains": true } ],
      "dkimSigningDomains": ["contoso.com"],
      "inbound": [
        { "name": "onprem", "connectorType": "OnPremises", "enabled": true, "tlsSenderCertificateName": "mail.contoso.com",
          "senderIPAddresses": ["192.0.2.10"], "senderDomains": ["*.contoso.com"], "associatedAcceptedDomains": ["contoso.com"],
          "trustedOrganizations": ["fabrikam.onmicrosoft.com"], "efSkipIPs": ["198.51.100.1"], "efUsers": ["a@contoso.com"],
          "efTestMode": false, "efSkipMailGateway": ["203.0.113.1"] } ],
      "outbound": [
        { "name": "gw", "enabled": true, "recipientDomains": ["*"], "smartHosts": ["gw.example.net"], "useMXRecord": false } ],
      "rules": [ { "name": "r", "enabled": true, "routeMessageOutboundConnector": "gw",
                   "exceptIfHeaderContainsMessageHeader": "X-Done", "exceptIfHeaderContainsWords": ["yes"] } ],
      "sclRules": [ { "name": "s", "enabled": true, "setSCL": -1, "senderDomainIs": ["contoso.com"],
                      "fromAddressContainsWords": ["a"], "fromAddressMatchesPatterns": ["b"], "senderIpRanges": ["192.0.2.1"],
                      "headerContainsMessageHeader": "X-A", "headerContainsWords": ["c"],
                      "headerMatchesMessageHeader": "X-B", "headerMatchesPatterns": ["d"],
                      "exceptIfHeaderContainsMessageHeader": "X-C", "exceptIfHeaderContainsWords": ["e"],
                      "exceptIfHeaderMatchesMessageHeader": "X-D", "exceptIfHeaderMatchesPatterns": ["f"] } ],
      "arcConfig": { "arcTrustedSealers": ["sealer.example"] },
      "connectionFilterPolicies": [ { "name": "Default", "ipAllowList": ["192.0.2.0/24"] } ],
      "sendAs": ["partner.example"] },
    { "id": "22222222-2222-2222-2222-222222222222", "name": "fabrikam",
      "acceptedDomains": [ { "name": "fabrikam.com" } ] }
  ],
  "gateway": { "name": "gw.example.net", "serves": ["11111111-1111-1111-1111-111111111111", "22222222-2222-2222-2222-222222222222"],
    "addresses": ["192.0.2.99"],
    "exchangeOnline": { "certNames": ["mail.protection.outlook.com"], "networks": ["40.92.0.0/15"] },
    "identities": [ { "name": "contoso", "for": "11111111-1111-1111-1111-111111111111", "certNames": ["contoso.gw.example.net"] },
                    { "name": "out", "for": "internet", "certNames": ["gw.example.net"] } ],
    "smartHosts": { "11111111-1111-1111-1111-111111111111": "contoso-com.mail.protection.outlook.com" } } }`

// mutate changes every value reachable from v that a caller could change: strings, numbers and
// booleans, slice and array elements, pointer targets and map values. It does not change slice
// lengths: appending to a copy never reaches the original. netip values (unexported fields) are
// replaced whole.
func mutate(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			v.SetString(v.String() + "-mutated")
		}
	case reflect.Bool:
		if v.CanSet() {
			v.SetBool(!v.Bool())
		}
	case reflect.Int, reflect.Int64:
		if v.CanSet() {
			v.SetInt(v.Int() + 1)
		}
	case reflect.Uint8:
		if v.CanSet() {
			v.SetUint(v.Uint() + 1)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			mutate(v.Elem())
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			mutate(v.Index(i))
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			e := reflect.New(v.Type().Elem()).Elem()
			e.Set(v.MapIndex(k))
			mutate(e)
			v.SetMapIndex(k, e)
		}
	case reflect.Struct:
		switch x := v.Addr().Interface().(type) {
		case *netip.Addr:
			*x = netip.MustParseAddr("192.0.2.254")
			return
		case *netip.Prefix:
			*x = netip.MustParsePrefix("192.0.2.254/32")
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				mutate(v.Field(i))
			}
		}
	}
}

// TestAccessorCopies: changing what an accessor returned — every string, number, flag, slice
// element, pointer target and map value in it — does not change what any accessor returns later.
// Before the accessors copied, Tenants()[0].AcceptedDomains[0].Name = "x" renamed the domain in
// the Directory.
func TestAccessorCopies(t *testing.T) {
	d := compileString(t, richConfig)
	contoso := MustParseTenantID("11111111-1111-1111-1111-111111111111")
	fabrikam := MustParseTenantID("22222222-2222-2222-2222-222222222222")
	accessors := map[string]func() any{
		"Config":   func() any { return d.Config() },
		"Gateway":  func() any { return d.Gateway() },
		"Tenants":  func() any { return d.Tenants() },
		"Tenant":   func() any { t, _ := d.Tenant(contoso); return t },
		"Identity": func() any { id, _ := d.Identity("contoso"); return id },
		"TenantIdentity": func() any {
			id, _ := d.TenantIdentity(contoso)
			return id
		},
		"InternetIdentity": func() any { return d.InternetIdentity() },
		"Owner.tenant": func() any {
			o, _, _ := d.Owner(MustParseDomain("contoso.com"))
			return o
		},
		"Owner.accepted": func() any {
			_, ad, _ := d.Owner(MustParseDomain("contoso.com"))
			return ad
		},
		"SenderDomain": func() any {
			m := d.SenderDomain(fabrikam, MustParseDomain("contoso.com"))
			return &m
		},
		"OwnerInfo": func() any {
			i, _ := d.OwnerInfo(MustParseDomain("contoso.com"))
			return &i
		},
		"TenantInfo": func() any { i, _ := d.TenantInfo(contoso); return &i },
	}
	// snapshot is what every accessor returns, in JSON (a deep record that shares nothing with
	// the Directory), and what the lookups answer.
	snapshot := func() map[string]string {
		s := map[string]string{}
		for name, f := range accessors {
			s[name] = jsonOf(t, f())
		}
		s["lookups"] = fmt.Sprint(d.Accepts(contoso, "contoso.com"), d.Serves(fabrikam),
			len(d.InboundByCertName("mail.contoso.com")), len(d.InboundBySenderIP(netip.MustParseAddr("192.0.2.10"))))
		return s
	}
	want := snapshot()
	if want["lookups"] != "true true 1 1" {
		t.Fatalf("lookups before any change: %v", want["lookups"])
	}
	for name, f := range accessors {
		got := f()
		v := reflect.ValueOf(got)
		if v.Kind() == reflect.Slice { // Tenants: make the elements addressable through a pointer
			p := reflect.New(v.Type())
			p.Elem().Set(v)
			v = p
		}
		mutate(v)
		if jsonOf(t, got) == want[name] {
			t.Fatalf("%s: mutate changed nothing in %s", name, want[name])
		}
		for other, w := range snapshot() {
			if w != want[other] {
				t.Errorf("changing the result of %s changed what %s returns:\n got %s\nwant %s", name, other, w, want[other])
			}
		}
	}
}

func jsonOf(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCompileCopiesInput: the Directory shares nothing with the Config it was compiled from, so
// changing that Config afterwards changes no lookup.
func TestCompileCopiesInput(t *testing.T) {
	c, err := LoadConfig(strings.NewReader(richConfig))
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	want := jsonOf(t, d.Config())
	mutate(reflect.ValueOf(&c))
	if got := jsonOf(t, d.Config()); got != want {
		t.Errorf("changing the input Config changed the Directory:\n got %+v\nwant %+v", got, want)
	}
}

// TestCloneShares: the clone functions copy every pointer, slice and map field, so nothing in a
// clone shares memory with its original. fill sets every field, so a field added to a type
// without a line in its clone function fails here.
func TestCloneShares(t *testing.T) {
	var c Config
	fill(reflect.ValueOf(&c).Elem())
	cp := cloneConfig(&c)
	if !reflect.DeepEqual(cp, c) {
		t.Fatalf("clone differs from the original")
	}
	orig := addresses(reflect.ValueOf(c), map[uintptr]string{}, "Config")
	for addr, path := range addresses(reflect.ValueOf(cp), map[uintptr]string{}, "Config") {
		if o, shared := orig[addr]; shared {
			t.Errorf("clone's %s shares memory with the original's %s", path, o)
		}
	}
}

// fill sets every exported field reachable from v: slices of two elements, non-nil pointers, a
// map entry, non-zero scalars.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem())
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			if v.Index(i).Kind() == reflect.Uint8 {
				v.Index(i).SetUint(uint64(i + 1))
			}
		}
	case reflect.Map:
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k)
		fill(e)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(k, e)
	case reflect.Struct:
		if v.Type().PkgPath() == "net/netip" {
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	}
}

// addresses records the memory every pointer, slice and map reachable from v refers to.
func addresses(v reflect.Value, seen map[uintptr]string, path string) map[uintptr]string {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			seen[v.Pointer()] = path
			addresses(v.Elem(), seen, path)
		}
	case reflect.Slice:
		if v.Cap() > 0 {
			seen[v.Pointer()] = path
		}
		for i := range v.Len() {
			addresses(v.Index(i), seen, fmt.Sprintf("%s[%d]", path, i))
		}
	case reflect.Map:
		if !v.IsNil() {
			seen[v.Pointer()] = path
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				addresses(v.Field(i), seen, path+"."+v.Type().Field(i).Name)
			}
		}
	}
	return seen
}

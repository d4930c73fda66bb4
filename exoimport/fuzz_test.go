package exoimport

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// FuzzImport: Import never panics; it either fails with path-named Errors, or returns a Tenant
// whose JSON our strict config reader accepts and writes back unchanged, from a file Detect
// calls an export.
func FuzzImport(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "exports", "*.json"))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, s := range []string{
		`[null]`, `null`, ``, `{"value":[]}`, `[{"Name":"a","ConnectorType":{"value":1,"Value":"Partner"},"SenderDomains":"smtp:*;1"}]`,
		`{"MXReports":[[{"Domain":"a.example","PointsToService":false}]]}`,
		`[{"ResourceName":"EXOArcConfig","ArcTrustedSealers":"a.example,,b.example"}]`,
		`[{"Name":"r","State":"Enabled","Priority":"2","SetSCL":"-1","ActivationDate":"/Date(0)/"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		format := Detect(data)
		tn, warns, err := Import(File{Name: "f", Data: data})
		if err != nil {
			var es Errors
			if !errors.As(err, &es) || len(es) == 0 || len(es) > maxErrors {
				t.Fatalf("error %v is not 1..%d Errors", err, maxErrors)
			}
			for _, e := range es {
				if !strings.HasPrefix(e.Path, "$") || e.File != "f" {
					t.Fatalf("error without file or JSON path: %#v", e)
				}
			}
			return
		}
		if format == FormatConfig || format == FormatUnknown {
			t.Fatalf("Import accepted a file Detect calls %v", format)
		}
		if len(warns) == 0 {
			t.Fatal("no warnings: the tenant ID warning is always there")
		}
		out, err := json.Marshal(tn)
		if err != nil {
			t.Fatal(err)
		}
		var back tenantgate.Tenant
		if err := jsonstrict.Decode(out, &back); err != nil {
			t.Fatalf("imported tenant is not valid config JSON: %v\n%s", err, out)
		}
		again, _ := json.Marshal(back)
		if string(again) != string(out) {
			t.Fatalf("config JSON does not round-trip:\n%s\n%s", out, again)
		}
	})
}

// FuzzParseDate: parseDate never panics, and what it accepts as ISO 8601 it reads as the instant
// time.RFC3339Nano writes back.
func FuzzParseDate(f *testing.F) {
	for _, s := range []string{`/Date(1772500523000)/`, `/Date(-1+0100)/`, "2026-07-23T21:51:45.0000000+00:00", "1/2/2006 3:04:05 PM", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := parseDate(s)
		if err != nil {
			return
		}
		if d.Location().String() != "UTC" {
			t.Fatalf("parseDate(%q) = %v, not in UTC", s, d)
		}
		if d2, err := parseDate(d.Format("2006-01-02T15:04:05.9999999Z07:00")); err != nil || !d2.Equal(d) {
			t.Fatalf("parseDate(%q) = %v does not round-trip: %v %v", s, d, d2, err)
		}
	})
}

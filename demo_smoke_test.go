package tenantgate

import (
	"os"
	"testing"
)

func TestDemoConfigCompiles(t *testing.T) {
	f, err := os.Open("testdata/config/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	c, err := LoadConfig(f)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Compile(c)
	if err != nil {
		t.Fatal(err)
	}
	ten, ad, ok := d.Owner(MustParseDomain("eu.sub.contoso.net"))
	if !ok || ten.Name != "contoso" || ad.Name != "sub.contoso.net" {
		t.Fatalf("Owner(eu.sub.contoso.net) = %v %v %v", ten, ad, ok)
	}
}

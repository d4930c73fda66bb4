package headers_test

import (
	"fmt"
	"net/netip"
	"strings"

	"github.com/emersion/go-message/textproto"
	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
)

func ExampleRead() {
	block := "Subject: hi\r\nX-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\n\r\nbody"
	h, err := headers.Read(strings.NewReader(block), headers.Limits{})
	fmt.Println(h.Len(), err)

	_, err = headers.Read(strings.NewReader(strings.Repeat("A: b\r\n", 10)), headers.Limits{MaxFields: 5})
	fmt.Println(err)
	// Output:
	// 2 <nil>
	// headers: limit exceeded: more than MaxFields (5) fields at line 6
}

func ExampleParse() {
	block := "Received: from mx.example (mx.example [192.0.2.7]) by gw.example.net; Thu, 26 Nov 2026 10:00:00 +0000\r\n" +
		"X-Forefront-Antispam-Report: CIP:192.0.2.7;SCL:1;SFV:NSPM;DIR:INB;\r\n" +
		"X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\n" +
		"X-MS-Exchange-CrossTenant-FromEntityHeader: Internet\r\n\r\n"
	h, _ := headers.Read(strings.NewReader(block), headers.Limits{})
	m := headers.Parse(h)
	id, err := m.CrossTenantID()
	fmt.Println(id, err)
	fmt.Println(m.LatestPass().FromEntityHeader, m.Antispam[0].DIR, *m.Antispam[0].SCL)
	fmt.Println(m.Received[0].FromIP, len(m.Problems))
	// Output:
	// 11111111-1111-1111-1111-111111111111 <nil>
	// Internet INB 1
	// 192.0.2.7 0
}

func ExampleMessage_CrossTenantID() {
	// Two occurrences that disagree: fail closed.
	block := "X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111\r\n" +
		"x-ms-exchange-crosstenant-id: 22222222-2222-2222-2222-222222222222\r\n\r\n"
	h, _ := headers.Read(strings.NewReader(block), headers.Limits{})
	_, err := headers.Parse(h).CrossTenantID()
	fmt.Println(err)
	// Output:
	// headers: X-MS-Exchange-CrossTenant-Id fields disagree: 11111111-1111-1111-1111-111111111111 (field 0) and 22222222-2222-2222-2222-222222222222 (field 1)
}

func ExampleParseReceived() {
	r, err := headers.ParseReceived("from ccm27.constantcontact.com (208.75.123.162) by\r\n" +
		" HE1EUR04FT039.mail.protection.outlook.com (10.152.26.153) with Microsoft SMTP\r\n" +
		" Server (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n" +
		" 15.20.3174.21 via Frontend Transport; Tue, 14 Jul 2020 18:41:21 +0000")
	fmt.Println(err)
	fmt.Println(r.From, r.FromIP)
	fmt.Println(r.By, "|", r.With, "|", r.TLS)
	fmt.Println(r.Date.UTC())
	// Output:
	// <nil>
	// ccm27.constantcontact.com 208.75.123.162
	// HE1EUR04FT039.mail.protection.outlook.com | Microsoft SMTP Server | version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384
	// 2020-07-14 18:41:21 +0000 UTC
}

func ExampleExplain() {
	r, _ := headers.ParseAntispamReport("CIP:255.255.255.255;SCL:-1;SFV:SKI;CAT:NONE;DIR:OUT;")
	for _, it := range r.Items() {
		meaning, ok := headers.Explain(it.Key, it.Value)
		if !ok {
			meaning = headers.ExplainField(it.Key) // no table for the value: say what the field is
		}
		fmt.Printf("%s:%s — %s\n", it.Key, it.Value, meaning)
	}
	// Output:
	// CIP:255.255.255.255 — connecting IP address
	// SCL:-1 — not spam: filtering skipped (safe sender or recipient, IP Allow List, internal, or a rule)
	// SFV:SKI — intra-organization message, marked by its content
	// CAT:NONE — no category
	// DIR:OUT — outbound: sent by the organization
}

func ExampleCrossTenant_Stamp() {
	var h textproto.Header
	h.Add("Subject", "hello")
	c := headers.CrossTenant{
		ID:               tenantgate.MustParseTenantID("11111111-1111-1111-1111-111111111111"),
		AuthAs:           "Internal",
		FromEntityHeader: "Hosted",
		Stamped:          "AM0PR01MB1234",
	}
	if err := c.Stamp(&h); err != nil {
		fmt.Println(err)
	}
	for f := h.Fields(); f.Next(); {
		raw, _ := f.Raw()
		fmt.Println(strings.TrimRight(string(raw), "\r\n"))
	}
	// Output:
	// Subject: hello
	// X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111
	// X-MS-Exchange-CrossTenant-AuthAs: Internal
	// X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted
	// X-MS-Exchange-Transport-CrossTenantHeadersStamped: AM0PR01MB1234
}

func ExampleComputeHops() {
	a, _ := headers.ParseReceived("from a by b; Thu, 26 Nov 2026 10:00:00 +0000")
	b, _ := headers.ParseReceived("from b by c; Thu, 26 Nov 2026 10:00:03 +0000")
	hops := headers.ComputeHops([]headers.Received{b, a}) // top-most first, as in the block
	for _, h := range hops.List {
		fmt.Println(h.Number, h.From, "→", h.By, h.Delay)
	}
	fmt.Println("total", hops.Total)
	// Output:
	// 1 a → b 0s
	// 2 b → c 3s
	// total 3s
}

func ExampleParseAuthResults() {
	// Exchange Online's form: no authserv-id, a stray "contoso.com" segment.
	a, err := headers.ParseAuthResults("spf=pass (sender IP is 192.0.2.7) smtp.mailfrom=contoso.com; contoso.com; dkim=pass (signature was verified) header.d=contoso.com;dmarc=pass action=none header.from=contoso.com;compauth=pass reason=100")
	fmt.Println(err, a.ServID == "", a.Stray)
	for _, r := range a.Results {
		fmt.Println(strings.TrimSpace(r.Method + " " + r.Result + " " + r.Reason))
	}
	dkim, _ := a.Result("dkim")
	d, _ := dkim.Prop("header", "d")
	fmt.Println(d)
	// Output:
	// <nil> true [contoso.com]
	// spf pass
	// dkim pass
	// dmarc pass
	// compauth pass 100
	// contoso.com
}

func ExampleParseTenantConnectingIP() {
	c, err := headers.ParseTenantConnectingIP("TenantId=11111111-1111-1111-1111-111111111111; Ip=[198.51.100.25];\r\n Helo=[gw.example.net]")
	fmt.Println(c.TenantID, c.IP, c.HELO, err)
	fmt.Println(c)
	// Output:
	// 11111111-1111-1111-1111-111111111111 198.51.100.25 gw.example.net <nil>
	// TenantId=11111111-1111-1111-1111-111111111111;Ip=[198.51.100.25];Helo=[gw.example.net]
}

func ExampleParseArrivalTime() {
	t, err := headers.ParseArrivalTime("14 Jul 2020 18:41:21.6249\r\n (UTC)")
	fmt.Println(t, err)
	fmt.Println(headers.FormatArrivalTime(t))
	// Output:
	// 2020-07-14 18:41:21.6249 +0000 UTC <nil>
	// 14 Jul 2020 18:41:21.6249 (UTC)
}

func ExampleStampAntispam() {
	var h textproto.Header
	scl := -1
	r := headers.AntispamReport{CIP: netip.MustParseAddr("198.51.100.25"), SCL: &scl, SFV: "SKN", DIR: "INB"}
	if err := headers.StampAntispam(&h, r); err != nil {
		fmt.Println(err)
	}
	fmt.Println(h.Get("X-Forefront-Antispam-Report"))
	// Output:
	// CIP:198.51.100.25;SCL:-1;SFV:SKN;DIR:INB;
}

func ExampleMessage_FromMailbox() {
	h, _ := headers.Read(strings.NewReader("From: carol@contoso.com\r\nFrom: eve@evil.example\r\n\r\n"), headers.Limits{})
	_, ok := headers.Parse(h).FromMailbox()
	fmt.Println(ok) // two From fields: no single author, so no DKIM signature
	// Output:
	// false
}

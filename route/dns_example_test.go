package route_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"

	"github.com/miekg/dns"
	"github.com/tenantgate/tenantgate/route"
)

// MailHosts applies RFC 5321 §5.1 and RFC 7505 on top of any Resolver; a StaticResolver stands in
// for DNS here.
func ExampleMailHosts() {
	r := route.StaticResolver{
		MX: map[string][]*net.MX{
			"woodgrove.example": {{Host: "mx2.woodgrove.example.", Pref: 20}, {Host: "mx1.woodgrove.example.", Pref: 10}},
			"parked.example":    {{Host: ".", Pref: 0}},
		},
		Hosts: map[string][]netip.Addr{"small.example": {netip.MustParseAddr("192.0.2.80")}},
	}
	for _, domain := range []string{"woodgrove.example", "small.example", "parked.example", "nowhere.example"} {
		hosts, err := route.MailHosts(context.Background(), r, domain)
		switch {
		case errors.Is(err, route.ErrNullMX):
			fmt.Printf("%s: accepts no mail, bounce now\n", domain)
		case route.IsPermanent(err):
			fmt.Printf("%s: permanent failure\n", domain)
		case err != nil:
			fmt.Printf("%s: try again later\n", domain)
		default:
			for _, h := range hosts {
				fmt.Printf("%s: %d %s\n", domain, h.Pref, h.Host)
			}
		}
	}
	// Output:
	// woodgrove.example: 10 mx1.woodgrove.example
	// woodgrove.example: 20 mx2.woodgrove.example
	// small.example: 0 small.example
	// parked.example: accepts no mail, bounce now
	// nowhere.example: permanent failure
}

// NewDNSResolver asks one server; here a miekg/dns server on the loopback interface that answers
// every MX query with one record.
func ExampleNewDNSResolver() {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		fmt.Println(err)
		return
	}
	started := make(chan struct{})
	srv := &dns.Server{PacketConn: pc, NotifyStartedFunc: func() { close(started) },
		Handler: dns.HandlerFunc(func(w dns.ResponseWriter, req *dns.Msg) {
			m := new(dns.Msg).SetReply(req)
			rr, _ := dns.NewRR(req.Question[0].Name + " 300 IN MX 10 mail.woodgrove.example.")
			m.Answer = append(m.Answer, rr)
			_ = w.WriteMsg(m)
		})}
	go func() { _ = srv.ActivateAndServe() }()
	<-started
	defer func() { _ = srv.Shutdown() }()

	r := route.NewDNSResolver(pc.LocalAddr().String(), route.DNSOptions{})
	mxs, err := r.LookupMX(context.Background(), "woodgrove.example")
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, mx := range mxs {
		fmt.Println(mx.Pref, mx.Host)
	}
	// Output:
	// 10 mail.woodgrove.example
}

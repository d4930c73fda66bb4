package headers

import (
	"net/netip"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// cmpOpts compares times as instants and addresses by value.
var cmpOpts = cmp.Options{
	cmp.Comparer(func(a, b time.Time) bool { return a.Equal(b) }),
	cmp.Comparer(func(a, b netip.Addr) bool { return a == b }),
}

func mustTime(t *testing.T, layout, s string) time.Time {
	t.Helper()
	v, err := time.Parse(layout, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestParseReceived(t *testing.T) {
	const rfc = "Mon, 2 Jan 2006 15:04:05 -0700"
	tests := []struct {
		name  string
		value string
		want  Received
	}{{
		// Exchange Online hop with IPv6 in the comment and TLS details in the with comment
		// (corpus MHA file; docs/headers.md#received).
		name: "exchange-ipv6-tls",
		value: "from HE1EUR04FT039.eop-eur04.prod.protection.outlook.com\r\n (2a01:111:e400:7e0d::4f) by\r\n" +
			" HE1EUR04HT207.eop-eur04.prod.protection.outlook.com (2a01:111:e400:7e0d::405)\r\n" +
			" with Microsoft SMTP Server (version=TLS1_2,\r\n cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\r\n" +
			" 15.20.3174.21 via Frontend Transport; Tue, 14 Jul 2020 18:41:21 +0000",
		want: Received{
			From:   "HE1EUR04FT039.eop-eur04.prod.protection.outlook.com",
			FromIP: netip.MustParseAddr("2a01:111:e400:7e0d::4f"),
			By:     "HE1EUR04HT207.eop-eur04.prod.protection.outlook.com",
			ByIP:   netip.MustParseAddr("2a01:111:e400:7e0d::405"),
			With:   "Microsoft SMTP Server", ID: "15.20.3174.21", Via: "Frontend Transport",
			TLS:      "version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
			DateText: "Tue, 14 Jul 2020 18:41:21 +0000",
		},
	}, {
		// Postfix: rDNS and [ip] in the comment, for <addr>, date with a (zone) comment.
		name: "postfix",
		value: "from mm01.cs.columbia.edu (mm01.cs.columbia.edu [128.59.11.253])\n\tby mail.lfdr.de (Postfix) with ESMTP id 8D2A25E5E4\n" +
			"\tfor <lists+kvmarm@lfdr.de>; Wed,  3 Jul 2019 15:59:41 +0200 (CEST)",
		want: Received{
			From: "mm01.cs.columbia.edu", FromReverse: "mm01.cs.columbia.edu", FromIP: netip.MustParseAddr("128.59.11.253"),
			By: "mail.lfdr.de", With: "ESMTP", ID: "8D2A25E5E4", For: "lists+kvmarm@lfdr.de",
			DateText: "Wed,  3 Jul 2019 15:59:41 +0200 (CEST)",
		},
	}, {
		// Postfix without reverse DNS writes "unknown": that is no name (FromReverse stays empty).
		// TLS in Postfix's "(using TLSv1.3 with cipher …)" comment.
		name: "postfix-unknown-tls",
		value: "from helo.example (unknown [IPv6:2001:db8::25]) (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits))" +
			" by mx.example (Postfix) with ESMTPS id 4Abc; Thu, 26 Nov 2026 10:00:00 +0000",
		want: Received{
			From: "helo.example", FromIP: netip.MustParseAddr("2001:db8::25"),
			By: "mx.example", With: "ESMTPS", ID: "4Abc",
			TLS:      "using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
			DateText: "Thu, 26 Nov 2026 10:00:00 +0000",
		},
	}, {
		// qmail: the "(qmail N invoked from network)" comment holds no clause; the date follows ';'.
		name:  "qmail-invoked",
		value: "(qmail 12345 invoked from network); 26 Nov 2026 10:00:00 -0000",
		want:  Received{DateText: "26 Nov 2026 10:00:00 -0000"},
	}, {
		// qmail SMTP hop: HELO in a comment, the IP in the next comment.
		name:  "qmail-helo",
		value: "from unknown (HELO mail.example) (192.0.2.7) by mx.example with SMTP; 26 Nov 2026 10:00:00 -0000",
		want: Received{
			From: "unknown", FromIP: netip.MustParseAddr("192.0.2.7"), By: "mx.example", With: "SMTP",
			DateText: "26 Nov 2026 10:00:00 -0000",
		},
	}, {
		// SendGrid writes no ';' before the date: the date starts at the weekday
		// (docs/headers.md#dates).
		name:  "sendgrid-no-semicolon",
		value: "by filter0001p1las1.sendgrid.net with SMTP id abc Wed, 14 Jan 2026 10:00:00 +0000 (UTC)",
		want: Received{
			By: "filter0001p1las1.sendgrid.net", With: "SMTP", ID: "abc",
			DateText: "Wed, 14 Jan 2026 10:00:00 +0000 (UTC)",
		},
	}, {
		// No ';' and a dashed date: the other MHA fallback; the "UTC" word is the zone.
		name:  "dashed-date-utc",
		value: "from a.example ([192.0.2.1]) by b.example 2026-01-14 10:00:00.123 UTC",
		want: Received{
			From: "a.example", FromIP: netip.MustParseAddr("192.0.2.1"), By: "b.example",
			DateText: "2026-01-14 10:00:00.123 UTC",
		},
	}, {
		// Folding between day and year (docs/headers.md#dates), fractional seconds, "+0000 UTC"
		// suffix.
		name:  "folded-date-fraction",
		value: "from x.example ([10.0.0.1:47944] helo=h.example) by y.example; Wed, 14 Jan\n 2026 10:00:00.5 +0000 UTC",
		want: Received{
			From: "x.example", FromIP: netip.MustParseAddr("10.0.0.1"), By: "y.example",
			DateText: "Wed, 14 Jan 2026 10:00:00.5 +0000 UTC",
		},
	}, {
		// An address literal as the HELO name with no comment: it is the only address there is.
		name:  "literal-helo",
		value: "from [172.16.0.6] by MTLCAS01.mtl.com; Tue, 25 Jun 2019 01:32:06 +0300",
		want: Received{
			From: "[172.16.0.6]", FromIP: netip.MustParseAddr("172.16.0.6"), By: "MTLCAS01.mtl.com",
			DateText: "Tue, 25 Jun 2019 01:32:06 +0300",
		},
	}, {
		// IPv4-mapped IPv6 is unmapped so callers compare it with IPv4 ranges.
		name:  "mapped",
		value: "from h ([::ffff:192.0.2.9]) by m; Thu, 26 Nov 2026 10:00:00 +0000",
		want: Received{
			From: "h", FromIP: netip.MustParseAddr("192.0.2.9"), By: "m",
			DateText: "Thu, 26 Nov 2026 10:00:00 +0000",
		},
	}, {
		// Keywords inside comments are not clauses; a ';' inside a comment is not the date separator.
		name:  "keywords-in-comment",
		value: "from a (by evil with X; for y) by b; Thu, 26 Nov 2026 10:00:00 +0000",
		want: Received{
			From: "a", By: "b",
			DateText: "Thu, 26 Nov 2026 10:00:00 +0000",
		},
	}, {
		// Duplicate keyword: the first wins (MHA concatenates; we keep one value per field).
		name:  "duplicate-by",
		value: "by me by you; Thu, 26 Nov 2026 10:00:00 +0000",
		want:  Received{By: "me", DateText: "Thu, 26 Nov 2026 10:00:00 +0000"},
	}, {
		// An unparsable date leaves Date zero but keeps DateText.
		name:  "bad-date",
		value: "from a by b; yesterday",
		want:  Received{From: "a", By: "b", DateText: "yesterday"},
	}}
	dates := map[string]time.Time{
		"exchange-ipv6-tls":     mustTime(t, rfc, "Tue, 14 Jul 2020 18:41:21 +0000"),
		"postfix":               mustTime(t, rfc, "Wed, 3 Jul 2019 15:59:41 +0200"),
		"postfix-unknown-tls":   mustTime(t, rfc, "Thu, 26 Nov 2026 10:00:00 +0000"),
		"qmail-invoked":         mustTime(t, rfc, "Thu, 26 Nov 2026 10:00:00 +0000"),
		"qmail-helo":            mustTime(t, rfc, "Thu, 26 Nov 2026 10:00:00 +0000"),
		"sendgrid-no-semicolon": mustTime(t, rfc, "Wed, 14 Jan 2026 10:00:00 +0000"),
		"dashed-date-utc":       mustTime(t, time.RFC3339Nano, "2026-01-14T10:00:00.123Z"),
		"folded-date-fraction":  mustTime(t, time.RFC3339Nano, "2026-01-14T10:00:00.5Z"),
		"literal-helo":          mustTime(t, rfc, "Tue, 25 Jun 2019 01:32:06 +0300"),
		"mapped":                mustTime(t, rfc, "Thu, 26 Nov 2026 10:00:00 +0000"),
		"keywords-in-comment":   mustTime(t, rfc, "Thu, 26 Nov 2026 10:00:00 +0000"),
		"duplicate-by":          mustTime(t, rfc, "Thu, 26 Nov 2026 10:00:00 +0000"),
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseReceived(tc.value)
			if err != nil {
				t.Fatalf("ParseReceived: %v", err)
			}
			tc.want.Raw = unfold(tc.value)
			tc.want.Date = dates[tc.name]
			if diff := cmp.Diff(tc.want, got, cmpOpts); diff != "" {
				t.Errorf("(-want +got)\n%s", diff)
			}
		})
	}
}

func TestParseReceivedErrors(t *testing.T) {
	for _, v := range []string{"", "  \r\n ", "garbage words only", "((("} {
		if _, err := ParseReceived(v); err == nil {
			t.Errorf("ParseReceived(%q): no error", v)
		}
	}
}

func FuzzParseReceived(f *testing.F) {
	f.Add("from a.example (b.example [192.0.2.1]) by c.example with ESMTPS id x for <u@d>; Thu, 26 Nov 2026 10:00:00 +0000")
	f.Add("from x (2603:10b6::1) by y (version=TLS1_2, cipher=C) id 1 via Frontend Transport; Wed, 3 Jul\r\n 2019 13:59:24 +0000")
	f.Add("by s with SMTP id abc Wed, 14 Jan 2026 10:00:00 +0000 (UTC)")
	f.Add("(qmail 1 invoked from network); 26 Nov 2026 10:00:00 -0000")
	f.Fuzz(func(t *testing.T, v string) {
		r, err := ParseReceived(v)
		if err == nil && r.From == "" && r.By == "" && r.With == "" && r.ID == "" && r.For == "" && r.Via == "" && r.Date.IsZero() {
			t.Errorf("no error but nothing parsed from %q", v)
		}
		if r.FromIP.Is4In6() {
			t.Errorf("FromIP %v not unmapped", r.FromIP)
		}
	})
}

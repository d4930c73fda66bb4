package main

import "testing"

func TestSelectRows(t *testing.T) {
	all := rows()
	got, err := selectRows(all, "")
	if err != nil || len(got) != len(all) {
		t.Fatalf(`selectRows("") = %d rows, %v; want all %d`, len(got), err, len(all))
	}
	got, err = selectRows(all, "^BenchmarkParse$")
	if err != nil || len(got) != 1 || got[0].Pkg != "./headers" {
		t.Fatalf("selectRows(^BenchmarkParse$) = %+v, %v; want the headers row alone", got, err)
	}
	if _, err := selectRows(all, "NoSuchBenchmark"); err == nil {
		t.Error("a pattern matching no row must be an error")
	}
	if _, err := selectRows(all, "("); err == nil {
		t.Error("an invalid pattern must be an error")
	}
}

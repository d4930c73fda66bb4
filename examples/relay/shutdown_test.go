package main

import (
	"log/slog"
	"net"
	"testing"
	"time"
)

// TestShutdown: a shutdown stops accepting connections at once, lets a running transaction finish
// (its message is delivered and acknowledged), and cuts sessions still open at the timeout — whose
// clients, without an answer to DATA, keep their messages.
func TestShutdown(t *testing.T) {
	w := newWorld(t, nil)
	busy := w.dial(t, nil)
	if err := busy.Mail("bob@sender.example", nil); err != nil {
		t.Fatal(err)
	}
	if err := busy.Rcpt("alice@contoso.com", nil); err != nil {
		t.Fatal(err)
	}
	idle := w.dial(t, nil)
	if err := idle.Noop(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- shutdown(w.r, w.srv, 2*time.Second, slog.New(slog.DiscardHandler)) }()
	// New connections are refused once the listener is closed.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", w.relay, time.Second)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("relay still accepts connections after shutdown began")
		}
		time.Sleep(20 * time.Millisecond)
	}
	wc, err := busy.Data()
	if err != nil {
		t.Fatal(err)
	}
	wc.Write([]byte("From: bob@sender.example\r\nSubject: tok-shutdown\r\n\r\nhi\r\n"))
	if err := wc.Close(); err != nil {
		t.Fatalf("running transaction cut by shutdown: %v", err)
	}
	busy.Quit()
	if n := w.good.count("tok-shutdown"); n != 1 {
		t.Fatalf("sink holds %d copies of the acknowledged message", n)
	}
	// The idle session keeps the shutdown waiting until the timeout, then is closed.
	select {
	case err := <-done:
		if err != nil {
			t.Logf("shutdown: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("shutdown did not return after its timeout")
	}
	if err := idle.Noop(); err == nil {
		t.Error("idle session still open after shutdown")
	}
}

package main

import (
	"context"
	"embed"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strings"
	"time"
)

// webAssets holds the page: index.html, app.js and style.css, served as they are (no build step,
// no request leaves the machine).
//
//go:embed web
var webAssets embed.FS

// maxRequestBytes bounds the body of every request to the page's API: a header block, a
// configuration or a few export or scenario files pasted into a browser.
const maxRequestBytes = 16 << 20

// maxConcurrent bounds the requests the API works on at once; more wait for a free slot.
const maxConcurrent = 4

// contentSecurityPolicy allows the page's own script and style sheet and nothing else: no inline
// script or style, no remote origin, no frames, no form posts.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; " +
	"connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// runServe is "mailflow serve [--listen ADDR] [--config CONFIG.json]": the page for gateway
// administrators.
func runServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("mailflow serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	listen := fs.String("listen", "127.0.0.1:8025", "address to listen on (loopback unless you mean otherwise)")
	config := fs.String("config", "", "a configuration the page starts with (the page can load another)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `usage: mailflow serve [--listen 127.0.0.1:8025] [--config CONFIG.json]

Starts a local web page: paste a message's header block to see what Exchange Online's fields
say and the gateway's verdict; load a configuration or Exchange Online exports to see lint
findings and every canonical flow as a diagram; run scenario files. Everything is processed
in memory: nothing is written to disk or logged, and the page makes no external request.`)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fs.Usage()
		return 2
	}
	srv, err := newServer(*config)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow serve: %v\n", err)
		return 1
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintf(stderr, "mailflow serve: %v\n", err)
		return 1
	}
	addr := ln.Addr().(*net.TCPAddr)
	srv.port = fmt.Sprint(addr.Port)
	open, warning := listenNotice(addr)
	if warning != "" {
		fmt.Fprintln(stderr, "mailflow serve: warning: "+warning)
	}
	fmt.Fprintf(stdout, "mailflow serve: open %s (Ctrl-C stops)\n", open)
	hs := srv.httpServer()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
		fmt.Fprintf(stderr, "mailflow serve: %v\n", err)
		return 1
	}
	return 0
}

// listenNotice returns the URL to open for a listening address, and a warning when the address
// is not loopback: then anyone who can reach it can use the page.
func listenNotice(addr *net.TCPAddr) (url, warning string) {
	if ap, ok := netip.AddrFromSlice(addr.IP); !ok || !ap.Unmap().IsLoopback() {
		warning = fmt.Sprintf("listening on %s, which is not a loopback address: anyone who can reach it can use the page", addr)
	}
	host := addr.IP.String()
	if addr.IP.IsUnspecified() {
		host = "127.0.0.1"
	}
	return "http://" + net.JoinHostPort(host, fmt.Sprint(addr.Port)) + "/", warning
}

// server is the page's state: the configuration given with --config (read once at start) and
// the port it listens on, which Host and Origin must name. Nothing a request sends is kept.
type server struct {
	config     *pageConfig
	port       string
	slots      chan struct{}
	assetsRoot fs.FS
}

// pageConfig is the configuration the page starts with: its name and text, which the page
// sends back with each request as if the user had loaded it.
type pageConfig struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// newServer reads and checks the --config file, if any.
func newServer(config string) (*server, error) {
	s := &server{slots: make(chan struct{}, maxConcurrent)}
	sub, err := fs.Sub(webAssets, "web")
	if err != nil {
		return nil, err
	}
	s.assetsRoot = sub
	if config != "" {
		data, err := readInput(config, os.Stdin)
		if err != nil {
			return nil, err
		}
		if _, _, err := parseConfig(config, data); err != nil {
			return nil, err
		}
		s.config = &pageConfig{Name: config, Text: string(data)}
	}
	return s, nil
}

// httpServer returns the HTTP server: bounded header size and time, and no error log (the
// standard library would write client addresses and protocol errors to stderr).
func (s *server) httpServer() *http.Server {
	return &http.Server{
		Handler:           s.handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          log.New(io.Discard, "", 0),
	}
}

// handler routes the page's assets and API, behind the checks every request passes.
func (s *server) handler() http.Handler {
	mux := http.NewServeMux()
	files := http.FileServerFS(s.assetsRoot)
	mux.Handle("GET /{$}", files)
	mux.Handle("GET /app.js", files)
	mux.Handle("GET /style.css", files)
	mux.HandleFunc("GET /api/session", s.handleSession)
	mux.HandleFunc("POST /api/message", s.api(s.handleMessage))
	mux.HandleFunc("POST /api/topology", s.api(s.handleTopology))
	mux.HandleFunc("POST /api/simulate", s.api(s.handleSimulate))
	mux.HandleFunc("POST /api/scenario", s.api(s.handleScenario))
	return s.guard(mux)
}

// guard sets the security headers of every response and refuses a request whose Host is not
// this server (DNS rebinding: a page of another site whose name resolves to 127.0.0.1), and a
// POST that does not come from this page (Origin, Sec-Fetch-Site: another tab's form or fetch).
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentSecurityPolicy)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Cache-Control", "no-store")
		if !s.hostAllowed(r.Host) {
			http.Error(w, "mailflow serve: Host "+quoteHeader(r.Host)+" is not this server's address", http.StatusMisdirectedRequest)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if o := r.Header.Get("Origin"); o != "http://"+r.Host {
				http.Error(w, "mailflow serve: Origin "+quoteHeader(o)+" is not this page", http.StatusForbidden)
				return
			}
			if sf := r.Header.Get("Sec-Fetch-Site"); sf != "" && sf != "same-origin" {
				http.Error(w, "mailflow serve: Sec-Fetch-Site "+quoteHeader(sf)+": only this page may post", http.StatusForbidden)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// hostAllowed reports whether a Host header names this server: "localhost" or an IP address
// literal, with the port listened on. A DNS name other than localhost is refused whatever it
// resolves to, which is what defeats DNS rebinding.
func (s *server) hostAllowed(hostport string) bool {
	host, port, err := net.SplitHostPort(hostport)
	if err != nil || port != s.port {
		return false
	}
	if strings.EqualFold(host, "localhost") {
		return true
	}
	_, err = netip.ParseAddr(host)
	return err == nil
}

// quoteHeader quotes a request header value for an error reply, bounded.
func quoteHeader(v string) string {
	return fmt.Sprintf("%q", clip(v, 100))
}

package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/topology"
)

// testServer starts the page's handler on a loopback port; the server's port is the test
// server's, so that Host and Origin checks see what a browser would send.
func testServer(t *testing.T, config string) (*httptest.Server, *server) {
	t.Helper()
	s, err := newServer(config)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s.handler())
	t.Cleanup(ts.Close)
	u, _ := url.Parse(ts.URL)
	s.port = u.Port()
	return ts, s
}

// postJSON posts body to path with the page's own Origin and returns the status and the
// decoded answer.
func postJSON(t *testing.T, ts *httptest.Server, path string, body any, out any) int {
	t.Helper()
	data, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest("POST", ts.URL+path, bytes.NewReader(data))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", ts.URL)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	return resp.StatusCode
}

func demoPageConfig(t *testing.T) *pageConfig {
	data, err := os.ReadFile("testdata/demo.json")
	if err != nil {
		t.Fatal(err)
	}
	return &pageConfig{Name: "demo.json", Text: string(data)}
}

func readTestFile(t *testing.T, name string) string {
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestServeSecurityHeaders: every response carries the strict CSP (no inline script or style,
// no remote origin), and the page itself holds no inline script, style or event handler, which
// that CSP would block.
func TestServeSecurityHeaders(t *testing.T) {
	ts, _ := testServer(t, "")
	for _, p := range []string{"/", "/app.js", "/style.css", "/api/session"} {
		resp, err := ts.Client().Get(ts.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("GET %s: %d", p, resp.StatusCode)
		}
		csp := resp.Header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "style-src 'self'", "connect-src 'self'", "frame-ancestors 'none'"} {
			if !strings.Contains(csp, want) {
				t.Errorf("GET %s: CSP %q lacks %q", p, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe") || strings.Contains(csp, "http") {
			t.Errorf("GET %s: CSP %q allows inline code or a remote origin", p, csp)
		}
		if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("GET %s: no nosniff", p)
		}
		if p == "/" {
			for _, bad := range []*regexp.Regexp{regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`), regexp.MustCompile(`<style`),
				regexp.MustCompile(`\sstyle=`), regexp.MustCompile(`\son[a-z]+=`), regexp.MustCompile(`(src|<link[^>]*href)="(https?:)?//`)} {
				if loc := bad.FindIndex(body); loc != nil {
					t.Errorf("index.html has %q, which the CSP forbids or which loads a remote asset", body[loc[0]:loc[1]])
				}
			}
		}
		if p == "/app.js" && (bytes.Contains(body, []byte("innerHTML")) || bytes.Contains(body, []byte("eval("))) {
			t.Errorf("app.js sets innerHTML or evaluates strings: values must go through textContent")
		}
	}
	// The SVG diagrams are styled by class only: an inline style attribute would be blocked.
	if strings.Contains(flowSVG(namedTrace{}), "style=") || strings.Contains(timelineSVG(demoHops(t)), "style=") {
		t.Error("an SVG diagram carries a style attribute")
	}
}

// TestServeHostCheck: a Host that is not this server's address — a DNS name that an attacker's
// site made resolve to 127.0.0.1 (DNS rebinding), or another port — is refused, for GET too.
func TestServeHostCheck(t *testing.T) {
	ts, s := testServer(t, "")
	for host, want := range map[string]int{
		"127.0.0.1:" + s.port:        200,
		"localhost:" + s.port:        200,
		"[::1]:" + s.port:            200,
		"attacker.example:" + s.port: http.StatusMisdirectedRequest,
		"127.0.0.1:1":                http.StatusMisdirectedRequest,
		"127.0.0.1":                  http.StatusMisdirectedRequest,
	} {
		req, _ := http.NewRequest("GET", ts.URL+"/api/session", nil)
		req.Host = host
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %q: status %d, want %d", host, resp.StatusCode, want)
		}
	}
}

// TestServeOriginCheck: a POST must come from this page: no Origin (a non-browser or an old
// form), another site's Origin, or a cross-site Sec-Fetch-Site is refused before the body is
// read.
func TestServeOriginCheck(t *testing.T) {
	ts, _ := testServer(t, "")
	body := `{"header": "From: a@b.example\r\n\r\n"}`
	for _, tc := range []struct {
		name, origin, site string
		want               int
	}{
		{"same origin", ts.URL, "same-origin", 200},
		{"same origin, no Sec-Fetch-Site", ts.URL, "", 200},
		{"no Origin", "", "", http.StatusForbidden},
		{"other site", "http://attacker.example", "cross-site", http.StatusForbidden},
		{"other port", "http://127.0.0.1:1", "same-site", http.StatusForbidden},
		{"null origin", "null", "", http.StatusForbidden},
		{"right Origin, cross-site fetch", ts.URL, "cross-site", http.StatusForbidden},
	} {
		req, _ := http.NewRequest("POST", ts.URL+"/api/message", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if tc.origin != "" {
			req.Header.Set("Origin", tc.origin)
		}
		if tc.site != "" {
			req.Header.Set("Sec-Fetch-Site", tc.site)
		}
		resp, err := ts.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tc.want {
			t.Errorf("%s: status %d, want %d", tc.name, resp.StatusCode, tc.want)
		}
	}
}

// TestServeLimits: a body over maxRequestBytes is refused with 413; a header block over the
// library's limit with the library's error; a form post (not JSON) with 415.
func TestServeLimits(t *testing.T) {
	ts, _ := testServer(t, "")
	var e apiError
	big := map[string]string{"header": strings.Repeat("x", maxRequestBytes)}
	if st := postJSON(t, ts, "/api/message", big, &e); st != http.StatusRequestEntityTooLarge || !strings.Contains(e.Error, "larger than") {
		t.Errorf("oversized request: %d %q", st, e.Error)
	}
	huge := map[string]string{"header": "Subject: " + strings.Repeat("y", 2<<20) + "\r\n\r\n"}
	if st := postJSON(t, ts, "/api/message", huge, &e); st != http.StatusUnprocessableEntity || !strings.Contains(e.Error, "header block") {
		t.Errorf("header over the library limit: %d %q", st, e.Error)
	}
	req, _ := http.NewRequest("POST", ts.URL+"/api/message", strings.NewReader("header=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", ts.URL)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType {
		t.Errorf("form post: %d, want 415", resp.StatusCode)
	}
}

// TestServeMessageVerdict: the Message view's answer is explain's: a contoso mailbox's message
// from a verified Exchange Online peer is own-tenant and relayed; the same message from an
// unverified certificate is not (fail closed). The summary rows are the CLI's.
func TestServeMessageVerdict(t *testing.T) {
	ts, _ := testServer(t, "")
	header := readTestFile(t, "testdata/explain-contoso.eml")
	for _, tc := range []struct {
		name   string
		peer   peerRequest
		origin string
	}{
		{"verified EXO", peerRequest{IP: "40.92.0.1", CertName: "mail.protection.outlook.com", Verified: true}, "own-tenant"},
		{"unverified", peerRequest{IP: "40.92.0.1", CertName: "mail.protection.outlook.com"}, "internet"},
		{"no address", peerRequest{}, "internet"},
	} {
		var d messageResponse
		if st := postJSON(t, ts, "/api/message", messageRequest{Header: header, Config: demoPageConfig(t), Peer: tc.peer}, &d); st != 200 {
			t.Fatalf("%s: status %d", tc.name, st)
		}
		if d.Explain == nil {
			t.Fatalf("%s: no verdict (%s)", tc.name, d.ExplainError)
		}
		if got := string(d.Explain.Verdict.Origin); got != tc.origin {
			t.Errorf("%s: origin %s, want %s", tc.name, got, tc.origin)
		}
	}
	var d messageResponse
	postJSON(t, ts, "/api/message", messageRequest{Header: header}, &d)
	if d.Explain != nil || len(d.Summary) == 0 || d.Summary[0].Key != "Tenant" || !strings.HasPrefix(d.Summary[0].Value, "11111111-1111-1111-1111-111111111111") {
		t.Errorf("without a configuration: explain %v, summary %v", d.Explain, d.Summary)
	}
	if len(d.Fields) == 0 || d.Fields[0].Name != "X-MS-Exchange-CrossTenant-Id" || !strings.HasPrefix(d.Fields[0].Doc, "https://learn.microsoft.com/") {
		t.Errorf("fields: %+v", d.Fields)
	}
}

// TestServeFieldsExplained: every Exchange Online field of a real message has a meaning and a
// Microsoft documentation link; antispam codes carry their meanings.
func TestServeFieldsExplained(t *testing.T) {
	ts, _ := testServer(t, "")
	var d messageResponse
	postJSON(t, ts, "/api/message", messageRequest{Header: readTestFile(t, "testdata/demo.eml")}, &d)
	if len(d.Fields) < 5 {
		t.Fatalf("only %d fields explained", len(d.Fields))
	}
	sawSFV := false
	for _, f := range d.Fields {
		if f.Meaning == "" || !strings.HasPrefix(f.Doc, "https://learn.microsoft.com/") {
			t.Errorf("field %d %s: meaning %q, doc %q", f.Index, f.Name, f.Meaning, f.Doc)
		}
		for _, c := range f.Codes {
			if c.Key == "SFV" && c.Meaning != "" {
				sawSFV = true
			}
		}
	}
	if !sawSFV {
		t.Error("no X-Forefront-Antispam-Report SFV code explained")
	}
	if !strings.Contains(d.Timeline, `class="hoprow"`) {
		t.Error("timeline has no hop rows")
	}
}

// TestServeEscapesMessageText: attacker-controlled text reaches the page only as JSON strings
// (shown with textContent) and as escaped SVG text; no diagram carries markup from a message.
func TestServeEscapesMessageText(t *testing.T) {
	ts, _ := testServer(t, "")
	header := "Received: from a by <script>alert(1)</script>.example with SMTP; Thu, 26 Nov 2026 10:00:00 +0000\r\n" +
		"Subject: <script>alert(2)</script>\r\nFrom: \"<img src=x onerror=alert(3)>\" <x@example.com>\r\n\r\n"
	var d messageResponse
	postJSON(t, ts, "/api/message", messageRequest{Header: header}, &d)
	if strings.Contains(d.Timeline, "<script") || !strings.Contains(d.Timeline, "&lt;script&gt;") {
		t.Errorf("timeline not escaped: %s", d.Timeline)
	}
	if err := xml.Unmarshal([]byte(d.Timeline), new(struct{})); err != nil {
		t.Errorf("timeline is not well-formed XML: %v", err)
	}
	found := false
	for _, r := range d.Summary {
		found = found || r.Value == "<script>alert(2)</script>"
	}
	if !found {
		t.Errorf("the Subject is not kept as text for textContent: %+v", d.Summary)
	}
}

// TestServeTopologyDemo: the demo configuration's findings and one diagram per canonical flow,
// each well-formed SVG naming the gateway as a participant.
func TestServeTopologyDemo(t *testing.T) {
	ts, _ := testServer(t, "")
	var d topologyResponse
	if st := postJSON(t, ts, "/api/topology", topologyRequest{Config: demoPageConfig(t)}, &d); st != 200 {
		t.Fatalf("status %d", st)
	}
	if len(d.Report.Flows) == 0 || len(d.Diagrams) != len(d.Report.Flows) {
		t.Fatalf("%d flows, %d diagrams", len(d.Report.Flows), len(d.Diagrams))
	}
	for i, svg := range d.Diagrams {
		if err := xml.Unmarshal([]byte(svg), new(struct{})); err != nil {
			t.Errorf("flow %s: not well-formed: %v", d.Report.Flows[i].Name, err)
		}
		f := d.Report.Flows[i]
		// The participants are the parties of the trace's steps, labelled as --format mermaid does.
		for _, st := range f.Trace.Steps {
			for _, p := range []topology.Party{st.From, st.To} {
				if kind, _ := partyLabel(p); !strings.Contains(svg, `">`+svgText(clip(kind, 28))+`</text>`) {
					t.Errorf("flow %s: no participant %q", f.Name, kind)
				}
			}
		}
		if f.Name == topology.FlowInternetToTenant && !strings.Contains(svg, `<text class="kind" x="295" y="22">gateway</text>`) {
			t.Errorf("flow %s: the gateway is not the second participant", f.Name)
		}
		if n := strings.Count(svg, "data-step="); n != len(d.Report.Flows[i].Trace.Steps) {
			t.Errorf("flow %s: %d clickable steps, %d steps", d.Report.Flows[i].Name, n, len(d.Report.Flows[i].Trace.Steps))
		}
	}
	var e apiError
	if st := postJSON(t, ts, "/api/topology", topologyRequest{Config: &pageConfig{Name: "bad.json", Text: "{"}}, &e); st != 422 || !strings.HasPrefix(e.Error, "bad.json:") {
		t.Errorf("bad configuration: %d %q", st, e.Error)
	}
}

// TestServeTopologyExports: Exchange Online exports alone get the ORCA-parity findings, as lint.
func TestServeTopologyExports(t *testing.T) {
	ts, _ := testServer(t, "")
	var d topologyResponse
	files := []namedFile{{"orca-config.json", readTestFile(t, "testdata/exports/orca-config.json")}}
	if st := postJSON(t, ts, "/api/topology", topologyRequest{Exports: files}, &d); st != 200 {
		t.Fatalf("status %d", st)
	}
	if len(d.Report.Findings) == 0 {
		t.Error("no findings from the ORCA export")
	}
	// With the tenant's ID the exports are merged into the loaded configuration, as lint --config
	// --tenant-id: the whole topology is linted and its flows drawn.
	var m topologyResponse
	// testdata/gateway.json serves 22222222-… and holds no tenant: the import brings it.
	gw := &pageConfig{Name: "gateway.json", Text: readTestFile(t, "testdata/gateway.json")}
	req := topologyRequest{Config: gw, Exports: files, TenantID: "22222222-2222-2222-2222-222222222222"}
	if st := postJSON(t, ts, "/api/topology", req, &m); st != 200 || !strings.Contains(m.Report.Source, "merged into gateway.json") || len(m.Diagrams) == 0 {
		t.Errorf("merge: status %d, source %q, %d diagrams", st, m.Report.Source, len(m.Diagrams))
	}
	if len(m.Notes) == 0 || !strings.Contains(strings.Join(m.Notes, "\n"), "warning: no Get-OutboundConnector output") {
		t.Errorf("merge notes: %q", m.Notes)
	}
}

// TestServeSimulate: the simulate form follows one message, with its diagram; a bad address is
// named.
func TestServeSimulate(t *testing.T) {
	ts, _ := testServer(t, "")
	var d simulateResponse
	if st := postJSON(t, ts, "/api/simulate", simulateRequest{Config: demoPageConfig(t), From: "carol@contoso.com", To: "erin@woodgrove.example"}, &d); st != 200 {
		t.Fatalf("status %d", st)
	}
	if d.Trace.Outcome != "delivered" || !strings.Contains(d.Diagram, "data-step=") {
		t.Errorf("outcome %s", d.Trace.Outcome)
	}
	var e apiError
	if st := postJSON(t, ts, "/api/simulate", simulateRequest{Config: demoPageConfig(t), From: "not an address", To: "erin@woodgrove.example"}, &e); st != 422 || !strings.Contains(e.Error, `from "not an address"`) {
		t.Errorf("bad from: %d %q", st, e.Error)
	}
}

// TestServeScenario: scenario files run against the loaded configuration; without one, a file
// that names its configuration by file is refused (the page reads no file a page names).
func TestServeScenario(t *testing.T) {
	ts, _ := testServer(t, "")
	files := []namedFile{{"demo.json", readTestFile(t, "testdata/scenarios/demo.json")}}
	var d scenarioResponse
	if st := postJSON(t, ts, "/api/scenario", scenarioRequest{Config: demoPageConfig(t), Files: files}, &d); st != 200 || !d.OK || len(d.Runs[0].Cases) == 0 {
		t.Fatalf("status %d, %+v", st, d)
	}
	postJSON(t, ts, "/api/scenario", scenarioRequest{Files: files}, &d)
	if d.OK || !strings.Contains(d.Runs[0].Error, "configFile") {
		t.Errorf("configFile without a loaded configuration: %+v", d.Runs)
	}
	hf := []namedFile{{"hf.json", `{"name": "x", "config": {}, "gateway": [{"name": "c", "headerFile": "/etc/passwd"}]}`}}
	postJSON(t, ts, "/api/scenario", scenarioRequest{Files: hf}, &d)
	if d.OK || !strings.Contains(d.Runs[0].Error, "headerFile") {
		t.Errorf("headerFile: %+v", d.Runs)
	}
}

// TestServeStartupConfig: --config is read and checked at start and handed to the page.
func TestServeStartupConfig(t *testing.T) {
	if _, err := newServer("testdata/no-such.json"); err == nil {
		t.Error("a missing --config file starts the server")
	}
	ts, _ := testServer(t, "testdata/demo.json")
	resp, err := ts.Client().Get(ts.URL + "/api/session")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var s struct{ Config *pageConfig }
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil || s.Config == nil || s.Config.Name != "testdata/demo.json" {
		t.Errorf("session: %+v %v", s.Config, err)
	}
}

func demoHops(t *testing.T) headers.Hops {
	t.Helper()
	ts, _ := testServer(t, "")
	var d messageResponse
	postJSON(t, ts, "/api/message", messageRequest{Header: readTestFile(t, "testdata/demo.eml")}, &d)
	return d.Headers.Hops
}

// TestServeListenNotice: the URL printed for the listening address, and the warning for any
// address that is not loopback.
func TestServeListenNotice(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		url  string
		warn bool
	}{
		{"127.0.0.1", "http://127.0.0.1:8025/", false},
		{"::1", "http://[::1]:8025/", false},
		{"0.0.0.0", "http://127.0.0.1:8025/", true},
		{"192.0.2.10", "http://192.0.2.10:8025/", true},
		{"::", "http://127.0.0.1:8025/", true},
	} {
		url, warning := listenNotice(&net.TCPAddr{IP: net.ParseIP(tc.ip), Port: 8025})
		if url != tc.url || (warning != "") != tc.warn {
			t.Errorf("%s: %q, warning %q", tc.ip, url, warning)
		}
	}
}

// TestServeDefaultListen: without --listen the page binds loopback (the flag's default).
func TestServeDefaultListen(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"serve", "-h"}, io.Discard, &stderr); code != 0 || !strings.Contains(stderr.String(), `(default "127.0.0.1:8025")`) {
		t.Errorf("serve -h: %d\n%s", code, stderr.String())
	}
}

// TestFieldDocsReachable: no prefix entry hides a more specific entry listed after it.
func TestFieldDocsReachable(t *testing.T) {
	for _, d := range fieldDocs() {
		if strings.HasSuffix(d.name, "-") {
			continue
		}
		if m, _, ok := fieldDoc(d.name); !ok || m != d.meaning {
			t.Errorf("%s: explained as %q", d.name, m)
		}
	}
}

// TestServeLogsNothing: the HTTP server's own error log (client addresses, protocol errors) is
// discarded, and the handlers have no logger: what a page sends is never written anywhere.
func TestServeLogsNothing(t *testing.T) {
	s, err := newServer("")
	if err != nil {
		t.Fatal(err)
	}
	if w := s.httpServer().ErrorLog.Writer(); w != io.Discard {
		t.Errorf("error log writes to %T", w)
	}
}

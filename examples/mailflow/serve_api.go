package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/netip"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/exoimport"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
	"github.com/tenantgate/tenantgate/scenario"
	"github.com/tenantgate/tenantgate/topology"
)

// The page's API: each handler decodes a small JSON request, calls the functions the CLI's
// commands call to build their reports, and answers with those reports as the commands'
// --format json prints them, plus the SVG diagrams the page shows. Errors are {"error": "…"}
// with the CLI's wording.

// apiError is the answer to a request that cannot be served.
type apiError struct {
	Error string `json:"error"`
}

// namedFile is one file the user dropped or pasted, by name.
type namedFile struct {
	Name string `json:"name"`
	Text string `json:"text"`
}

// api wraps a handler: it bounds the request body and the requests in progress, decodes nothing
// itself, and writes the handler's answer as JSON.
func (s *server) api(h func(r *http.Request) (any, int)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.slots <- struct{}{}:
			defer func() { <-s.slots }()
		case <-r.Context().Done():
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxRequestBytes)
		v, status := h(r)
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
}

// decodeRequest reads the JSON request body into v, refusing unknown fields and bodies over
// maxRequestBytes.
func decodeRequest(r *http.Request, v any) (any, int, bool) {
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		return apiError{"send the request as application/json"}, http.StatusUnsupportedMediaType, false
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return apiError{fmt.Sprintf("the request is larger than %d bytes", maxRequestBytes)}, http.StatusRequestEntityTooLarge, false
		}
		return apiError{"the request is not the JSON this page sends: " + err.Error()}, http.StatusBadRequest, false
	}
	return nil, 0, true
}

// handleSession tells the page the configuration --config gave, if any.
func (s *server) handleSession(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(struct {
		Config *pageConfig `json:"config"`
		Demo   pageConfig  `json:"demo"`
	}{s.config, pageConfig{Name: demoSource, Text: string(demoConfig)}})
}

// compilePage compiles a configuration the page sent (parseConfig, as every command).
func compilePage(c *pageConfig) (tenantgate.Config, *tenantgate.Directory, error) {
	name := c.Name
	if name == "" {
		name = "configuration"
	}
	return parseConfig(name, []byte(c.Text))
}

// messageRequest is a header block, and optionally the configuration and peer the gateway's
// verdict is asked for.
type messageRequest struct {
	Header string      `json:"header"`
	Config *pageConfig `json:"config,omitempty"`
	Peer   peerRequest `json:"peer"`
}

// peerRequest describes the SMTP client, as explain's --peer-ip, --helo, --peer-cert-name and
// --verified do.
type peerRequest struct {
	IP       string `json:"ip"`
	HELO     string `json:"helo"`
	CertName string `json:"certName"`
	Verified bool   `json:"verified"`
}

// messageResponse is what the Message view shows. Headers is what `mailflow headers --format
// json` prints; Explain what `mailflow explain --format json` prints for the chosen peer.
type messageResponse struct {
	Summary      []summaryRow       `json:"summary"`
	Headers      *headers.Analysis  `json:"headers"`
	Fields       []fieldExplanation `json:"fields"`
	Timeline     string             `json:"timeline"`
	Explain      *explanation       `json:"explain,omitempty"`
	ExplainError string             `json:"explainError,omitempty"`
}

// handleMessage is headers (and explain with a configuration) on a pasted header block.
func (s *server) handleMessage(r *http.Request) (any, int) {
	var req messageRequest
	if e, st, ok := decodeRequest(r, &req); !ok {
		return e, st
	}
	h, err := headers.Read(strings.NewReader(req.Header), headers.Limits{})
	if err != nil {
		return apiError{"the header block: " + strings.TrimPrefix(err.Error(), "headers: ")}, http.StatusUnprocessableEntity
	}
	a := headers.Analyze(h)
	resp := messageResponse{Summary: summaryRows(a), Headers: a, Fields: explainFields(h), Timeline: timelineSVG(a.Hops)}
	if req.Config == nil {
		return resp, http.StatusOK
	}
	_, d, err := compilePage(req.Config)
	if err != nil {
		resp.ExplainError = err.Error()
		return resp, http.StatusOK
	}
	var sess classify.Session
	if req.Peer.IP != "" {
		a, err := netip.ParseAddr(strings.TrimSpace(req.Peer.IP))
		if err != nil {
			resp.ExplainError = fmt.Sprintf("peer address %q is not an IP address", req.Peer.IP)
			return resp, http.StatusOK
		}
		sess.RemoteAddr = a
	}
	sess.HELO = req.Peer.HELO
	if n := strings.TrimSpace(req.Peer.CertName); n != "" {
		sess.TLS = nameEvidence([]string{n}, req.Peer.Verified)
	}
	from := defaultMailFrom(h)
	to, why := defaultRcpt(a)
	if len(to) == 0 {
		resp.ExplainError = why + " (mailflow explain takes --rcpt)"
		return resp, http.StatusOK
	}
	p, err := classify.NewPolicy(d, classify.PolicyConfig{})
	if err != nil {
		resp.ExplainError = err.Error()
		return resp, http.StatusOK
	}
	v := p.Decide(classify.Transaction{Session: sess, MailFrom: from, RcptTo: to, Header: h})
	resp.Explain = &explanation{Message: "pasted message", Session: explainSession{sess.RemoteAddr, sess.HELO, sess.TLS},
		MailFrom: from, RcptTo: to, Verdict: v}
	return resp, http.StatusOK
}

// topologyRequest is a configuration, or Exchange Online exports of one tenant (merged into the
// configuration when both and the tenant's ID are given, as lint --config --tenant-id).
type topologyRequest struct {
	Config   *pageConfig `json:"config,omitempty"`
	Exports  []namedFile `json:"exports,omitempty"`
	TenantID string      `json:"tenantId,omitempty"`
}

// topologyResponse is `mailflow lint --flows --format json` with one sequence diagram per flow,
// and the notes and warnings lint prints to standard error.
type topologyResponse struct {
	Report   topologyReport `json:"report"`
	Diagrams []string       `json:"diagrams"`
	Notes    []string       `json:"notes,omitempty"`
}

// handleTopology is lint --flows of a configuration or exports.
func (s *server) handleTopology(r *http.Request) (any, int) {
	var req topologyRequest
	if e, st, ok := decodeRequest(r, &req); !ok {
		return e, st
	}
	var resp topologyResponse
	switch {
	case len(req.Exports) > 0:
		files := make([]exoimport.File, len(req.Exports))
		var names []string
		for i, f := range req.Exports {
			files[i] = exoimport.File{Name: f.Name, Data: []byte(f.Text)}
			names = append(names, f.Name)
		}
		t, warnings, err := importFiles(files)
		if err != nil {
			return apiError{err.Error()}, http.StatusUnprocessableEntity
		}
		source := strings.Join(names, ", ")
		if req.TenantID != "" {
			warnings = withoutTenantIDWarning(warnings)
		}
		for _, w := range warnings {
			resp.Notes = append(resp.Notes, "warning: "+strings.TrimPrefix(w.String(), ": "))
		}
		if req.Config != nil && req.TenantID != "" {
			cfg, err := tenantgate.LoadConfig(bytes.NewReader([]byte(req.Config.Text)))
			if err != nil {
				return apiError{req.Config.Name + ": " + strings.TrimPrefix(err.Error(), "tenantgate: ")}, http.StatusUnprocessableEntity
			}
			var notes bytes.Buffer
			_, d, err := mergeTenant(cfg, req.Config.Name, t, req.TenantID, &notes, "mailflow serve")
			for _, l := range strings.Split(strings.TrimSpace(notes.String()), "\n") {
				if l != "" {
					resp.Notes = append(resp.Notes, strings.TrimPrefix(l, "mailflow serve: "))
				}
			}
			if err != nil {
				return apiError{err.Error()}, http.StatusUnprocessableEntity
			}
			resp.Report = newTopologyReport(source+" merged into "+req.Config.Name, d, true)
			break
		}
		if req.TenantID != "" {
			id, err := tenantgate.ParseTenantID(req.TenantID)
			if err != nil {
				return apiError{"tenant ID: " + err.Error()}, http.StatusUnprocessableEntity
			}
			t.ID = id
		}
		resp.Report = topologyReport{Source: source, Tenant: t.Name, Findings: topology.LintORCA(&t)}
		resp.Report.finish()
	case req.Config != nil:
		_, d, err := compilePage(req.Config)
		if err != nil {
			return apiError{err.Error()}, http.StatusUnprocessableEntity
		}
		resp.Report = newTopologyReport(req.Config.Name, d, true)
	default:
		return apiError{"load a configuration or Exchange Online exports first"}, http.StatusUnprocessableEntity
	}
	resp.Diagrams = make([]string, len(resp.Report.Flows))
	for i, f := range resp.Report.Flows {
		resp.Diagrams[i] = flowSVG(f)
	}
	return resp, http.StatusOK
}

// simulateRequest is simulate's form: CONFIG --from ADDR --to ADDR[,ADDR] [--origin KIND[:IP]].
type simulateRequest struct {
	Config *pageConfig `json:"config"`
	From   string      `json:"from"`
	To     string      `json:"to"`
	Origin string      `json:"origin"`
}

// simulateResponse is `mailflow simulate --format json` (the topology.Trace) and its diagram.
type simulateResponse struct {
	Trace   topology.Trace `json:"trace"`
	Diagram string         `json:"diagram"`
}

// handleSimulate is simulate of one message.
func (s *server) handleSimulate(r *http.Request) (any, int) {
	var req simulateRequest
	if e, st, ok := decodeRequest(r, &req); !ok {
		return e, st
	}
	if req.Config == nil {
		return apiError{"load a configuration first"}, http.StatusUnprocessableEntity
	}
	_, d, err := compilePage(req.Config)
	if err != nil {
		return apiError{err.Error()}, http.StatusUnprocessableEntity
	}
	in, err := pageInjection(d, req)
	if err != nil {
		return apiError{err.Error()}, http.StatusUnprocessableEntity
	}
	tr := topology.Simulate(d, in, topology.Options{})
	return simulateResponse{Trace: tr, Diagram: flowSVG(namedTrace{Name: "simulated message", Trace: tr})}, http.StatusOK
}

// pageInjection builds the injection simulate's flags describe: the sender and recipients as
// addresses, the origin by its name, or, when not given, by the sender's domain (a configured
// tenant's domain starts at its mailbox, any other on the Internet), as runSimulate does.
func pageInjection(d *tenantgate.Directory, req simulateRequest) (topology.Injection, error) {
	from := strings.Trim(strings.TrimSpace(req.From), "<>")
	if from != "" {
		if _, err := tenantgate.AddressDomain(from); err != nil {
			return topology.Injection{}, fmt.Errorf("from %q is not an address such as carol@contoso.com", req.From)
		}
	}
	in := topology.Injection{From: from}
	for _, t := range strings.Split(req.To, ",") {
		t = strings.TrimSpace(t)
		if t == "" {
			continue
		}
		if _, err := tenantgate.AddressDomain(t); err != nil {
			return in, fmt.Errorf("to %q is not an address such as erin@woodgrove.example", t)
		}
		in.To = append(in.To, t)
	}
	if len(in.To) == 0 {
		return in, errors.New("give at least one recipient (to)")
	}
	kind, ip, hasIP := strings.Cut(strings.TrimSpace(req.Origin), ":")
	switch topology.PartyKind(kind) {
	case "":
		in.Origin = topology.PartyInternet
		if dom, err := tenantgate.AddressDomain(in.From); err == nil {
			if _, _, ok := d.Owner(dom); ok {
				in.Origin = topology.PartyMailbox
			}
		}
	case topology.PartyMailbox, topology.PartyOnPremises, topology.PartyInternet:
		in.Origin = topology.PartyKind(kind)
	default:
		return in, fmt.Errorf("origin %q is not one of mailbox, on-premises, internet[:IP]", req.Origin)
	}
	if hasIP {
		a, err := netip.ParseAddr(ip)
		if err != nil || in.Origin == topology.PartyMailbox {
			return in, fmt.Errorf("origin %q: give internet:IP or on-premises:IP with an IP address", req.Origin)
		}
		in.RemoteAddr = a
	}
	return in, nil
}

// scenarioRequest is scenario files to run, against the page's configuration when one is loaded
// (test --config), else against the configuration each file holds inline.
type scenarioRequest struct {
	Config *pageConfig `json:"config,omitempty"`
	Files  []namedFile `json:"files"`
}

// scenarioResponse is `mailflow test --format json`: one result per file.
type scenarioResponse struct {
	OK   bool          `json:"ok"`
	Runs []scenarioRun `json:"runs"`
}

// handleScenario is test of dropped scenario files.
func (s *server) handleScenario(r *http.Request) (any, int) {
	var req scenarioRequest
	if e, st, ok := decodeRequest(r, &req); !ok {
		return e, st
	}
	if len(req.Files) == 0 {
		return apiError{"drop or choose scenario files first"}, http.StatusUnprocessableEntity
	}
	var override *tenantgate.Directory
	if req.Config != nil {
		_, d, err := compilePage(req.Config)
		if err != nil {
			return apiError{err.Error()}, http.StatusUnprocessableEntity
		}
		override = d
	}
	resp := scenarioResponse{OK: true}
	for _, f := range req.Files {
		run := scenarioRun{File: f.Name}
		env, err := pageScenario(f, override)
		if err != nil {
			run.Error = err.Error()
			resp.OK = false
			resp.Runs = append(resp.Runs, run)
			continue
		}
		rep := scenario.Default().Run(env)
		run.Name, run.Passed = rep.Name, rep.Passed()
		resp.OK = resp.OK && run.Passed
		for _, c := range rep.Cases {
			run.Cases = append(run.Cases, caseRun{Section: c.Section, Name: c.Name, Source: c.Source,
				Passed: c.Passed(), Failures: c.Failures})
		}
		resp.Runs = append(resp.Runs, run)
	}
	return resp, http.StatusOK
}

// pageScenario is scenario.Load for a file the browser sent: parsed strictly, run against the
// page's configuration (override) or its inline config. Names of other files (configFile, a
// case's headerFile) are refused: the server reads no file a page names.
func pageScenario(f namedFile, override *tenantgate.Directory) (*scenario.Env, error) {
	var sf scenario.File
	if err := jsonstrict.Decode([]byte(f.Text), &sf); err != nil {
		return nil, fmt.Errorf("%s: %w", f.Name, err)
	}
	for _, c := range sf.Gateway {
		if c.HeaderFile != "" {
			return nil, fmt.Errorf("%s: gateway case %q names headerFile %q: the page reads no file a scenario names; put the header inline as \"header\" or run mailflow test", f.Name, c.Name, c.HeaderFile)
		}
	}
	env := &scenario.Env{File: &sf, Dir: override}
	if override != nil {
		return env, nil
	}
	if sf.ConfigFile != "" || len(sf.Config) == 0 {
		return nil, fmt.Errorf("%s: the configuration is in configFile %q, which the page does not read: load that configuration in the Topology view first, or run mailflow test", f.Name, sf.ConfigFile)
	}
	cfg, err := tenantgate.LoadConfig(bytes.NewReader(sf.Config))
	if err != nil {
		return nil, fmt.Errorf("%s: config: %w", f.Name, err)
	}
	env.Dir, err = tenantgate.Compile(cfg)
	switch {
	case sf.ConfigErrors != nil:
		env.CompileErr = err
	case err != nil:
		return nil, fmt.Errorf("%s: config: %w", f.Name, err)
	}
	return env, nil
}

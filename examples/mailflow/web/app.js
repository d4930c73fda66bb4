// mailflow serve: the page. It sends what the user pasted or dropped to this server's API and
// shows the reports the CLI prints as JSON. Every value is set with textContent (never as
// HTML); diagrams are SVG the server escaped, parsed as XML. Page state lives in the URL
// fragment (#v=message&h=…, #v=topology&flow=2&step=1), never on the server.
"use strict";

const $ = (id) => document.getElementById(id);

// el builds an element: el("td", {class: "x"}, "text", child…). Strings become text nodes.
function el(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const c of children) e.append(c instanceof Node ? c : String(c ?? ""));
  return e;
}

// svgNode parses an SVG document the server wrote; a parse error shows as text.
function svgNode(text) {
  const doc = new DOMParser().parseFromString(text, "image/svg+xml");
  if (doc.querySelector("parsererror")) return el("p", { class: "error" }, "diagram could not be drawn");
  return document.importNode(doc.documentElement, true);
}

async function post(path, body) {
  const r = await fetch(path, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  let data = null;
  try { data = await r.json(); } catch { data = { error: "the server answered " + r.status }; }
  if (!r.ok) throw new Error(data.error || "the server answered " + r.status);
  return data;
}

function showError(id, err) {
  const p = $(id);
  p.hidden = !err;
  p.textContent = err ? String(err.message || err) : "";
}

// ---- state and the URL fragment ----

const state = { config: null, demo: null, exports: [], scenarios: [], topology: null };

function fragment() { return new URLSearchParams(location.hash.slice(1)); }

function setFragment(params) {
  const s = "#" + new URLSearchParams(params).toString();
  if (s !== location.hash) history.replaceState(null, "", s);
}

function showView(view) {
  for (const v of ["message", "topology", "scenario"]) {
    $("view-" + v).hidden = v !== view;
    $("tab-" + v).setAttribute("aria-current", v === view ? "page" : "false");
  }
}

function configStatus() {
  const s = $("config-status");
  if (state.config) s.textContent = "Configuration loaded: " + state.config.name;
  else if (state.exports.length) s.textContent = "Exports loaded: " + state.exports.map((f) => f.name).join(", ");
  else s.textContent = "No configuration loaded (Topology view): the Message view then shows the headers only.";
}

// ---- Message view ----

const peers = {
  exo: { ip: "40.92.0.1", helo: "outbound.protection.outlook.com", cert: "mail.protection.outlook.com", verified: true },
  unverified: { ip: "40.92.0.1", helo: "outbound.protection.outlook.com", cert: "mail.protection.outlook.com", verified: false },
  internet: { ip: "203.0.113.9", helo: "mail.example.org", cert: "", verified: false },
};

function applyPeer(name) {
  const p = peers[name];
  if (!p) return;
  $("peer-ip").value = p.ip; $("peer-helo").value = p.helo; $("peer-cert").value = p.cert; $("peer-verified").checked = p.verified;
}

// headerBlock is the header block of a pasted or dropped message: up to the first empty line (a
// message body is neither sent to the server nor kept in the URL).
function headerBlock(text) {
  const m = /\r?\n\r?\n/.exec(text);
  return m ? text.slice(0, m.index) + "\n\n" : text;
}

async function analyze() {
  const header = headerBlock($("header-input").value);
  if (!header.trim()) { showError("message-error", "Paste a header block first (or try the example)."); return; }
  const params = { v: "message", peer: $("peer-preset").value };
  if (header.length <= 16000) params.h = header;
  if (state.config && state.config === state.demo) params.cfg = "demo";
  setFragment(params);
  try {
    const data = await post("/api/message", {
      header, config: state.config || undefined,
      peer: { ip: $("peer-ip").value, helo: $("peer-helo").value, certName: $("peer-cert").value, verified: $("peer-verified").checked },
    });
    showError("message-error", null);
    renderMessage(data);
  } catch (e) { showError("message-error", e); $("message-result").hidden = true; }
}

function renderMessage(d) {
  $("message-result").hidden = false;
  $("summary").replaceChildren(...d.summary.flatMap((r) => [el("dt", {}, r.key), el("dd", {}, r.value)]));
  renderVerdict(d);
  $("timeline").replaceChildren(svgNode(d.timeline));
  const hops = (d.headers.hops && d.headers.hops.list) || [];
  $("hops").tBodies[0].replaceChildren(...hops.map((h) => el("tr", {},
    el("td", {}, h.number), el("td", {}, h.hasDelay ? duration(h.delay) : ""), el("td", {}, h.from || "-"),
    el("td", {}, h.by || "-"), el("td", {}, h.with || ""), el("td", {}, h.date ? utc(h.date) : "-"))));
  $("fields").replaceChildren(...(d.fields.length ? d.fields.map(renderField) : [el("p", {}, "No Exchange Online field in this header block.")]));
  const problems = d.headers.problems || [];
  $("problems").replaceChildren(...(problems.length
    ? problems.map((p) => el("li", {}, el("code", {}, p.reason.code), " field " + (p.index + 1) + " " + p.field + ": " + p.reason.detail))
    : [el("li", {}, "none")]));
}

function renderField(f) {
  const box = el("details", { class: "field" },
    el("summary", {}, el("code", {}, f.name), " — " + f.meaning),
    el("p", { class: "value" }, "field " + f.index + ": ", el("code", {}, f.value)),
    el("p", {}, el("a", { href: f.doc, target: "_blank", rel: "noreferrer" }, "Microsoft's documentation")));
  if (f.codes && f.codes.length) {
    box.append(el("table", { class: "grid codes" }, el("tbody", {}, ...f.codes.map((c) => el("tr", {},
      el("td", {}, el("code", {}, c.key)), el("td", {}, el("code", {}, c.value)),
      el("td", {}, c.meaning || "", c.doc ? " " : "", c.doc ? el("a", { href: c.doc, target: "_blank", rel: "noreferrer" }, "doc") : ""))))));
  }
  box.open = true;
  return box;
}

function renderVerdict(d) {
  const out = $("verdict");
  if (d.explainError) { out.replaceChildren(el("p", { class: "error" }, d.explainError)); return; }
  if (!d.explain) {
    out.replaceChildren(el("p", { class: "help" }, "Load a configuration (Topology view, or “Use the demo configuration”) to see what the gateway would do with this message."));
    return;
  }
  const e = d.explain, v = e.verdict;
  const head = v.origin + (v.tenant ? " " + v.tenant : "") + (v.kind ? " (" + v.kind + ")" : "");
  const rows = [
    ["peer", v.peer && v.peer.exo ? "verified Exchange Online (" + v.peer.certName + ")" : "not Exchange Online"],
    ["mail from", e.mailFrom || "<>"],
    ...(v.recipients || []).map((r) => ["rcpt", r.rcpt + " → " + r.action + (r.reply && r.reply.code ? ": " + r.reply.code + " " + (r.reply.text || "") : "")]),
    ["DKIM", v.dkimDomain ? "may sign as " + v.dkimDomain : "must not sign"],
  ];
  out.replaceChildren(
    el("p", { class: "verdict " + (v.origin === "own-tenant" ? "ok" : "warn"), id: "verdict-head" }, head),
    el("dl", { class: "kv" }, ...rows.flatMap(([k, x]) => [el("dt", {}, k), el("dd", {}, x)])),
    el("h4", {}, "Why"),
    el("ul", { class: "reasons" }, ...(v.reasons || []).map((r) => el("li", {}, r.detail + " ", el("code", {}, r.code)))));
}

// utc shows an RFC 3339 time as "2006-01-02 15:04:05" in UTC.
function utc(t) {
  const d = new Date(t);
  return isNaN(d) ? t : d.toISOString().slice(0, 19).replace("T", " ");
}

function duration(ns) {
  const s = Math.round(ns / 1e9);
  const a = Math.abs(s), sign = s < 0 ? "-" : "";
  if (a < 60) return sign + a + "s";
  if (a < 3600) return sign + Math.floor(a / 60) + "m" + (a % 60) + "s";
  return sign + Math.floor(a / 3600) + "h" + Math.floor((a % 3600) / 60) + "m";
}

// ---- Topology view ----

async function readFiles(list) {
  return Promise.all([...list].map(async (f) => ({ name: f.name, text: await f.text() })));
}

// loadTopologyFiles takes dropped files: one tenantgate configuration, or exports.
async function loadTopologyFiles(list) {
  const files = await readFiles(list);
  const configs = files.filter((f) => /"(tenants|gateway)"\s*:/.test(f.text.slice(0, 4096)));
  if (configs.length === 1) state.config = configs[0];
  const exports = files.filter((f) => !configs.includes(f));
  state.exports = exports;
  configStatus();
  setFragment({ v: "topology" });
  await lint();
}

async function lint() {
  try {
    const body = { config: state.config || undefined };
    if (state.exports.length) { body.exports = state.exports; body.tenantId = $("tenant-id").value.trim() || undefined; }
    const d = await post("/api/topology", body);
    showError("topology-error", null);
    state.topology = d;
    renderTopology(d);
  } catch (e) { showError("topology-error", e); $("topology-result").hidden = true; }
}

function renderTopology(d) {
  const r = d.report;
  $("topology-result").hidden = false;
  const c = r.counts;
  $("topology-verdict").textContent = (c.errors ? "FAIL" : "OK") + " — " + (r.tenant ? "tenant " + r.tenant + " from " : "") + r.source +
    ": " + c.errors + " errors, " + c.warnings + " warnings, " + c.info + " notes";
  $("topology-verdict").className = "verdict " + (c.errors ? "bad" : "ok");
  $("topology-notes").replaceChildren(...(d.notes || []).map((n) => el("li", {}, n)));
  const groups = [["error", "Errors"], ["warning", "Warnings"], ["info", "Notes"]];
  $("findings").replaceChildren(...groups.map(([sev, title]) => {
    const fs = r.findings.filter((f) => f.severity === sev);
    return el("section", { class: "sev " + sev }, el("h4", {}, title + " (" + fs.length + ")"), ...fs.map(renderFinding));
  }));
  $("flows").replaceChildren(...(r.flows || []).map((f, i) => renderFlow(f, d.diagrams[i], i)));
  const p = fragment();
  if (p.get("flow") !== null) selectStep(Number(p.get("flow")), Number(p.get("step") || 0), false);
}

function renderFinding(f) {
  const box = el("article", { class: "finding" },
    el("p", {}, el("code", {}, f.code), f.orca ? " " + f.orca : "", f.tenant ? ", tenant " + f.tenant : "", " — " + f.summary),
    f.detail ? el("p", { class: "detail" }, f.detail) : "",
    el("p", {}, "Fix: " + f.fix));
  if (f.powerShell) {
    const code = el("code", {}, f.powerShell);
    const btn = el("button", { type: "button", class: "copy" }, "Copy PowerShell");
    btn.addEventListener("click", async () => {
      try { await navigator.clipboard.writeText(f.powerShell); btn.textContent = "Copied"; } catch { btn.textContent = "Select and copy the text"; }
    });
    box.append(el("pre", {}, code), btn);
  }
  return box;
}

const wantRejected = new Set(["internet-to-tenant-direct", "internet-relay-attempt", "other-tenant-relay", "direct-send-relay"]);

function renderFlow(f, svg, i) {
  const out = f.trace.outcome;
  const good = out === "delivered" || (out === "rejected" && wantRejected.has(f.name));
  const diagram = svgNode(svg);
  const detail = el("div", { class: "stepdetail", id: "flow-" + i + "-detail", "aria-live": "polite" }, "Click a step to see what was decided and why.");
  const box = el("section", { class: "flowbox", id: "flow-" + i },
    el("h4", {}, f.name + (f.tenant ? " (" + f.tenant + ")" : "") + ": ", el("span", { class: good ? "ok" : "bad" }, out + (good && out === "rejected" ? " (as it should be)" : ""))),
    el("p", { class: "help" }, (f.trace.injection.from || "<>") + " → " + (f.trace.injection.to || []).join(", ")),
    el("div", { class: "diagram" }, diagram), detail);
  // Click or Enter opens a step; the arrow keys go to the previous or next step, hop by hop.
  const steps = [...diagram.querySelectorAll("[data-step]")];
  steps.forEach((g, n) => {
    g.addEventListener("click", () => selectStep(i, n, true));
    g.addEventListener("keydown", (ev) => {
      const to = { ArrowRight: n + 1, ArrowDown: n + 1, ArrowLeft: n - 1, ArrowUp: n - 1, Enter: n, " ": n }[ev.key];
      if (to === undefined || !steps[to]) return;
      ev.preventDefault();
      steps[to].focus();
      selectStep(i, to, true);
    });
  });
  return box;
}

function selectStep(flow, step, remember) {
  const d = state.topology;
  const f = d && d.report.flows && d.report.flows[flow];
  if (!f || !f.trace.steps[step]) return;
  for (const g of document.querySelectorAll("#flow-" + flow + " [data-step]")) g.classList.toggle("selected", Number(g.getAttribute("data-step")) === step);
  $("flow-" + flow + "-detail").replaceChildren(stepDetail(f.trace.steps[step]));
  if (remember) {
    const p = { v: "topology", flow, step };
    if (state.config && state.config === state.demo) p.cfg = "demo";
    setFragment(p);
  } else {
    $("flow-" + flow).scrollIntoView();
  }
}

function stepDetail(s) {
  const rows = [["step", s.n + " (" + s.stage + ")"], ["decision", s.decision], ["what", s.summary], ["for", s.rcpt], ["mail from", s.mailFrom || "<>"]];
  if (s.remoteAddr) rows.push(["session", "from " + s.remoteAddr + (s.helo ? " (HELO " + s.helo + ")" : "") + (s.tls ? ", TLS" : ", no TLS") + (s.certificate ? ", certificate " + s.certificate.join(", ") : "")]);
  if (s.reply && s.reply.code) rows.push(["reply", s.reply.code + " " + (s.reply.enhanced || "") + " " + (s.reply.text || "")]);
  return el("div", {},
    el("dl", { class: "kv" }, ...rows.flatMap(([k, v]) => [el("dt", {}, k), el("dd", {}, v)])),
    el("ul", { class: "reasons" }, ...(s.reasons || []).map((r) => el("li", {}, r.detail + " ", el("code", {}, r.code)))));
}

async function simulate(ev) {
  ev.preventDefault();
  try {
    const d = await post("/api/simulate", { config: state.config || undefined, from: $("sim-from").value, to: $("sim-to").value, origin: $("sim-origin").value });
    showError("simulate-error", null);
    const tr = d.trace;
    $("simulate-result").replaceChildren(
      el("p", { class: "verdict " + (tr.outcome === "delivered" ? "ok" : "bad") }, tr.outcome),
      el("div", { class: "diagram" }, svgNode(d.diagram)),
      el("ol", {}, ...tr.steps.map((s) => el("li", {}, s.decision + ": " + s.summary))));
  } catch (e) { showError("simulate-error", e); $("simulate-result").replaceChildren(); }
}

// ---- Scenario view ----

async function runScenarios() {
  if (!state.scenarios.length) { showError("scenario-error", "Choose or drop scenario files first."); return; }
  try {
    const d = await post("/api/scenario", { config: state.config || undefined, files: state.scenarios });
    showError("scenario-error", null);
    $("scenario-result").replaceChildren(
      el("p", { class: "verdict " + (d.ok ? "ok" : "bad"), id: "scenario-verdict" }, d.ok ? "PASS" : "FAIL"),
      ...d.runs.map((r) => el("section", { class: "run" },
        el("h4", {}, (r.error ? "ERROR " : r.passed ? "ok " : "FAIL ") + r.file + (r.name ? " — " + r.name : "")),
        r.error ? el("p", { class: "error" }, r.error) : "",
        el("table", { class: "grid" }, el("tbody", {}, ...(r.cases || []).map((c) => el("tr", { class: c.passed ? "pass" : "fail" },
          el("td", {}, c.passed ? "pass" : "FAIL"), el("td", {}, c.section), el("td", {}, c.name),
          el("td", {}, (c.failures || []).join("\n")))))))));
  } catch (e) { showError("scenario-error", e); }
}

// ---- wiring ----

function dropTarget(node, onFiles) {
  node.addEventListener("dragover", (e) => { e.preventDefault(); node.classList.add("over"); });
  node.addEventListener("dragleave", () => node.classList.remove("over"));
  node.addEventListener("drop", (e) => { e.preventDefault(); node.classList.remove("over"); onFiles(e.dataTransfer.files); });
}

async function route() {
  const p = fragment();
  const v = p.get("v") || "message";
  showView(v);
  if (p.get("cfg") === "demo" && state.config !== state.demo) { state.config = state.demo; configStatus(); }
  if (v === "message" && p.get("h") !== null && $("header-input").value !== p.get("h")) {
    $("header-input").value = p.get("h");
    if (peers[p.get("peer")] || p.get("peer") === "custom") { $("peer-preset").value = p.get("peer"); applyPeer(p.get("peer")); }
    await analyze();
  }
  if (v === "topology" && (state.config || state.exports.length) && !state.topology) await lint();
  else if (v === "topology" && state.topology && p.get("flow") !== null) selectStep(Number(p.get("flow")), Number(p.get("step") || 0), false);
}

async function start() {
  applyPeer("exo");
  const s = await (await fetch("/api/session")).json();
  state.demo = s.demo;
  if (s.config) state.config = s.config;
  configStatus();
  for (const a of document.querySelectorAll("nav a")) a.addEventListener("click", () => setTimeout(route));
  window.addEventListener("hashchange", route);
  $("analyze").addEventListener("click", analyze);
  $("demo-message").addEventListener("click", () => { $("header-input").value = demoHeader; analyze(); });
  $("peer-preset").addEventListener("change", (e) => applyPeer(e.target.value));
  for (const id of ["peer-ip", "peer-helo", "peer-cert", "peer-verified"]) $(id).addEventListener("input", () => { $("peer-preset").value = "custom"; });
  $("eml-file").addEventListener("change", async (e) => { if (e.target.files[0]) { $("header-input").value = await e.target.files[0].text(); analyze(); } });
  dropTarget($("header-input"), async (files) => { if (files[0]) { $("header-input").value = await files[0].text(); analyze(); } });
  $("topology-files").addEventListener("change", (e) => loadTopologyFiles(e.target.files));
  dropTarget($("topology-drop"), loadTopologyFiles);
  $("demo-config").addEventListener("click", () => { state.config = state.demo; state.topology = null; state.exports = []; configStatus(); setFragment({ v: "topology", cfg: "demo" }); lint(); });
  $("lint").addEventListener("click", lint);
  $("use-demo").addEventListener("click", () => { state.config = state.demo; state.topology = null; configStatus(); if ($("header-input").value.trim()) analyze(); });
  $("simulate-form").addEventListener("submit", simulate);
  $("scenario-files").addEventListener("change", async (e) => { state.scenarios = await readFiles(e.target.files); runScenarios(); });
  dropTarget($("scenario-drop"), async (files) => { state.scenarios = await readFiles(files); runScenarios(); });
  $("run-scenarios").addEventListener("click", runScenarios);
  await route();
  document.body.dataset.ready = "1"; // the browser tests wait for this
}

// demoHeader is a message a contoso mailbox sent, as Exchange Online hands it to the gateway.
const demoHeader = [
  "Received: from AM0PR01MB0001.eurprd01.prod.exchangelabs.com (2603:10a6:208:1::1) by",
  " AM0PR01MB0002.eurprd01.prod.exchangelabs.com with HTTPS; Thu, 26 Nov 2026 10:00:02 +0000",
  "Received: from contoso-laptop (198.51.100.7) by",
  " AM0PR01MB0001.eurprd01.prod.exchangelabs.com with HTTPS; Thu, 26 Nov 2026 10:00:00 +0000",
  "X-MS-Exchange-CrossTenant-Id: 11111111-1111-1111-1111-111111111111",
  "X-MS-Exchange-CrossTenant-AuthAs: Internal",
  "X-MS-Exchange-CrossTenant-AuthSource: AM0PR01MB0001.eurprd01.prod.exchangelabs.com",
  "X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted",
  "X-MS-Exchange-Transport-CrossTenantHeadersStamped: AM0PR01MB0002",
  "X-Forefront-Antispam-Report: CIP:255.255.255.255;CTRY:;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:AM0PR01MB0001.eurprd01.prod.exchangelabs.com;PTR:;CAT:NONE;SFS:;DIR:OUT;SFP:1102;",
  "From: Carol <carol@contoso.com>",
  "To: Erin <erin@woodgrove.example>",
  "Subject: quarterly numbers",
  "Message-ID: <demo-1@contoso.com>",
  "Date: Thu, 26 Nov 2026 10:00:00 +0000",
  "",
].join("\n");

start();

package exoimport

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/tenantgate/tenantgate"
)

// File is one export file: Name labels it in errors and warnings, Data is its content.
type File struct {
	Name string
	Data []byte
}

// Import reads exports of one tenant into a tenantgate.Tenant. Each file may be in any Format
// but FormatConfig and FormatUnknown; files add up, but one cmdlet's output may come from one
// file only (Get-MxRecordReport, which runs once per domain, from several).
//
// The Tenant's ID is never in these exports and stays zero (a warning says so); Name is the
// first label of the initial *.onmicrosoft.com domain. Compile the result inside a Config to
// validate it as Exchange Online would.
//
// Every value that does not parse is an Error with its JSON path; Import returns them all as
// Errors and a zero Tenant. Warnings list what was ignored and which facts the exports did not
// contain.
func Import(files ...File) (tenantgate.Tenant, []Warning, error) {
	imp := &importer{from: map[objKind]string{}}
	for _, f := range files {
		imp.file(f)
		if len(imp.errs) >= maxErrors {
			break
		}
	}
	if len(imp.errs) > 0 {
		return tenantgate.Tenant{}, nil, imp.errs
	}
	t := imp.tenant()
	return t, imp.warns, nil
}

// importer collects the objects of every file.
type importer struct {
	fileName string
	errs     Errors
	warns    []Warning
	from     map[objKind]string // which file supplied each cmdlet's output
	nobj     int                // objects read so far

	inbound  []tenantgate.InboundConnector
	outbound []tenantgate.OutboundConnector
	domains  []acceptedDomain
	rules    []rule
	reject   bool
	arc      *tenantgate.ARCConfig
	filters  []tenantgate.ConnectionFilterPolicy
	filtSeen bool
	mx       []mxRow
}

func (imp *importer) errf(path, format string, args ...any) {
	if len(imp.errs) < maxErrors {
		imp.errs = append(imp.errs, &Error{File: imp.fileName, Path: path, Msg: fmt.Sprintf(format, args...)})
	}
}

func (imp *importer) warn(path, code, format string, args ...any) {
	imp.warns = append(imp.warns, Warning{File: imp.fileName, Path: path, Code: code, Msg: fmt.Sprintf(format, args...)})
}

func (imp *importer) file(f File) {
	imp.fileName = f.Name
	if len(f.Data) > MaxFileBytes {
		imp.errf("$", "larger than %d bytes", MaxFileBytes)
		return
	}
	data, err := text(f.Data)
	if err != nil {
		imp.errf("$", "%v", err)
		return
	}
	n, err := parse(data)
	if err != nil {
		imp.errf("$", "%v", err)
		return
	}
	before, errs := imp.nobj, len(imp.errs)
	defer func() {
		if imp.nobj == before && len(imp.errs) == errs {
			imp.warn("$", WarnEmpty, "no objects: the cmdlet returned nothing")
		}
	}()
	switch format := detect(n); format {
	case FormatConfig:
		imp.errf("$", "this is a tenantgate configuration, not an Exchange Online export; load it with tenantgate.LoadConfig")
	case FormatUnknown:
		imp.errf("$", "not a recognised export: want ConvertTo-Json output of %s, an admin API response, or an ORCA, ScubaGear or Microsoft365DSC export",
			strings.Join(kindCmdlet[kindInbound:], ", "))
	case FormatCmdlet:
		if n != nil {
			imp.objects(n, "$", kindUnknown)
		}
	case FormatREST:
		v, name, _ := n.lookup("value")
		imp.objects(v, member("$", name), kindUnknown)
	case FormatScubaGear:
		imp.bundle(n, scubaKeys)
	case FormatORCA:
		imp.bundle(n, orcaKeys)
	case FormatM365DSC:
		imp.dsc(n)
	}
}

// bundle reads the keys of a tool's whole-tenant dump and warns once about the keys it ignores.
func (imp *importer) bundle(n *node, keys map[string]objKind) {
	var ignored []string
	for _, k := range n.keys {
		if _, ok := bundleKey(keys, k); !ok && !isAnnotation(k) {
			ignored = append(ignored, k)
		}
	}
	if len(ignored) > 0 {
		imp.warn("$", WarnIgnoredKey, "ignored keys the model has no place for: %s", strings.Join(ignored, ", "))
	}
	for i, k := range n.keys {
		if kind, ok := bundleKey(keys, k); ok && imp.claim(kind, member("$", k)) {
			// The key is there even when its value is [null]: the cmdlet ran and found nothing.
			imp.objects(n.vals[i], member("$", k), kind)
		}
	}
}

// dsc reads a Microsoft365DSC JSON report: flat objects with ResourceName and the resource's
// properties (or, as DSCParser models them, under Properties).
func (imp *importer) dsc(n *node) {
	ignored := map[string]int{}
	for i, e := range n.arr {
		p := elem("$", i)
		if e.kind == kNull {
			continue
		}
		rn, _, _ := e.lookup("ResourceName")
		if e.kind != kObject || rn == nil || rn.kind != kString {
			imp.errf(p, "want an object with a ResourceName string")
			continue
		}
		kind, ok := bundleKey(dscResources, rn.s)
		if !ok {
			ignored[rn.s]++
			continue
		}
		if props, name, _ := e.lookup("Properties"); props != nil && props.kind == kObject {
			e, p = props, member(p, name)
		}
		if ens, _, _ := e.lookup("Ensure"); ens != nil && ens.kind == kString && strings.EqualFold(ens.s, "Absent") {
			imp.warn(p, WarnAbsentResource, "%s with Ensure = \"Absent\" describes something that must not exist; skipped", rn.s)
			continue
		}
		imp.object(e, p, kind, true)
	}
	if len(ignored) > 0 {
		names := make([]string, 0, len(ignored))
		for k, c := range ignored {
			names = append(names, fmt.Sprintf("%s (%d)", k, c))
		}
		slices.Sort(names)
		imp.warn("$", WarnIgnoredKey, "ignored resources the model has no place for: %s", strings.Join(names, ", "))
	}
}

// objects reads a bare object or an array of them (nested arrays flattened, nulls skipped).
// kind is known inside bundles; elsewhere each object is classified by its keys.
func (imp *importer) objects(n *node, path string, kind objKind) {
	imp.walk(n, path, kind, 0)
}

func (imp *importer) walk(n *node, path string, kind objKind, depth int) {
	switch n.kind {
	case kNull:
	case kArray:
		if depth > 2 {
			imp.errf(path, "arrays nested too deep")
			return
		}
		for i, e := range n.arr {
			imp.walk(e, elem(path, i), kind, depth+1)
		}
	case kObject:
		k := kind
		if k == kindUnknown {
			if k = classify(n); k == kindUnknown {
				imp.errf(path, "cannot tell which cmdlet wrote this object (want one of %s)", strings.Join(kindCmdlet[kindInbound:], ", "))
				return
			}
		}
		imp.object(n, path, k, false)
	default:
		imp.errf(path, "want an object, not %s", n.kind)
	}
}

func (imp *importer) object(n *node, path string, kind objKind, dsc bool) {
	if !imp.claim(kind, path) {
		return
	}
	imp.nobj++
	r := &record{imp: imp, n: n, path: path}
	switch kind {
	case kindInbound:
		imp.readInbound(r)
	case kindOutbound:
		imp.readOutbound(r)
	case kindAcceptedDomain:
		imp.readAcceptedDomain(r, dsc)
	case kindTransportRule:
		imp.readRule(r, dsc)
	case kindOrgConfig:
		if r.has("RejectDirectSend") {
			imp.reject = r.bool("RejectDirectSend")
		} else {
			imp.warn(path, WarnAbsent, "RejectDirectSend is not in this export (Microsoft365DSC 1.24 and ScubaGear's org_config omit it); taken as $false, the default")
		}
	case kindArc:
		imp.readArc(r)
	case kindConnFilter:
		imp.filtSeen = true
		name := cmp.Or(r.str("Name"), r.str("Identity"))
		if name == "" {
			r.errf(member(path, "Name"), "required")
		}
		imp.filters = append(imp.filters, tenantgate.ConnectionFilterPolicy{Name: name, IPAllowList: r.ips("IPAllowList", ipRange)})
	case kindMX:
		imp.readMX(r)
	}
}

// claim records that the current file holds kind's output; one cmdlet's output may come from
// one file only (but Get-MxRecordReport runs once per domain).
func (imp *importer) claim(kind objKind, path string) bool {
	if prev, ok := imp.from[kind]; ok && prev != imp.fileName && kind != kindMX {
		imp.errf(path, "%s output is already in %s; give each cmdlet's output once", kind, prev)
		return false
	}
	imp.from[kind] = imp.fileName
	return true
}

// absent warns once per object about the fields the checks read that the export lacks.
func (r *record) absent(what string, keys ...string) {
	var miss []string
	for _, k := range keys {
		if !r.has(k) {
			miss = append(miss, k)
		}
	}
	if len(miss) > 0 {
		r.imp.warn(r.path, WarnAbsent, "%s: not in the export, so not known (left at the PowerShell default): %s", what, strings.Join(miss, ", "))
	}
}

// tenant assembles what the files held.
func (imp *importer) tenant() tenantgate.Tenant {
	imp.fileName = ""
	var t tenantgate.Tenant
	imp.warn("", WarnTenant, "the exports do not carry the tenant ID: set it (the Entra tenant ID that X-MS-Exchange-CrossTenant-Id carries) before compiling")
	for _, d := range imp.domains {
		t.AcceptedDomains = append(t.AcceptedDomains, d.AcceptedDomain)
	}
	t.Name = tenantName(imp.domains)
	if t.Name == "" {
		imp.warn("", WarnTenant, "no initial <name>.onmicrosoft.com accepted domain: the tenant name is not known")
	}
	byName := make(map[tenantgate.Domain]int, len(t.AcceptedDomains))
	for j := len(t.AcceptedDomains) - 1; j >= 0; j-- {
		byName[t.AcceptedDomains[j].Name] = j
	}
	for _, m := range imp.mx {
		j, ok := byName[m.domain]
		if !ok {
			imp.warns = append(imp.warns, Warning{File: m.file, Path: m.path, Code: WarnMXUnmatched, Msg: fmt.Sprintf("MX report for %s, which is not an accepted domain; ignored", m.domain)})
			continue
		}
		t.AcceptedDomains[j].MXReport = append(t.AcceptedDomains[j].MXReport, m.row)
	}
	t.Inbound = imp.inbound
	t.Outbound = imp.outbound
	slices.SortStableFunc(imp.rules, func(a, b rule) int { return cmp.Compare(a.priority, b.priority) })
	for _, r := range imp.rules {
		if r.route != nil {
			t.Rules = append(t.Rules, *r.route)
		}
		if r.scl != nil {
			t.SCLRules = append(t.SCLRules, *r.scl)
		}
	}
	t.RejectDirectSend = imp.reject
	t.ARCConfig = imp.arc
	if imp.filtSeen {
		t.ConnectionFilterPolicies = append([]tenantgate.ConnectionFilterPolicy{}, imp.filters...)
	}
	for k := kindInbound; k <= kindMX; k++ {
		if _, ok := imp.from[k]; !ok {
			imp.warn("", WarnNotExported, "no %s output: %s", k, notExported[k])
		}
	}
	return t
}

var notExported = map[objKind]string{
	kindInbound:        "the inbound connectors are not known; the tenant has none here",
	kindOutbound:       "the outbound connectors are not known; the tenant has none here",
	kindAcceptedDomain: "the accepted domains are not known",
	kindTransportRule:  "the transport rules are not known; the tenant has none here",
	kindOrgConfig:      "RejectDirectSend is not known and taken as $false, the default",
	kindArc:            "ARC trusted sealers are not known",
	kindConnFilter:     "the connection filter IP allow list is not known",
	kindMX:             "where the accepted domains' MX records point is not known",
}

// tenantName is the first label of the initial domain (InitialDomain true), or of the one
// <label>.onmicrosoft.com accepted domain when the export lacks InitialDomain (Microsoft365DSC).
func tenantName(ds []acceptedDomain) string {
	var cands []string
	for _, d := range ds {
		label, ok := strings.CutSuffix(string(d.Name), ".onmicrosoft.com")
		if !ok || strings.Contains(label, ".") {
			continue
		}
		if d.initial {
			return label
		}
		cands = append(cands, label)
	}
	if len(cands) == 1 {
		return cands[0]
	}
	return ""
}

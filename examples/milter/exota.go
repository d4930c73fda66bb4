package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/classify"
	"github.com/tenantgate/tenantgate/examples/internal/ops"
	"github.com/tenantgate/tenantgate/internal/jsonstrict"
)

// ExOTAPolicy is one entry of ExOTA-Milter's JSON policy file (app/policy.py,
// ExOTAPolicyBackendJSON): the RFC 5322.From domain maps to the tenant that may send as it.
type ExOTAPolicy struct {
	TenantID              string `json:"tenant_id"`
	DKIMEnabled           *bool  `json:"dkim_enabled,omitempty"`            // absent: true
	DKIMAlignmentRequired *bool  `json:"dkim_alignment_required,omitempty"` // absent: true
}

// Migration is what ConvertExOTA makes of an ExOTA-Milter policy file.
type Migration struct {
	// Config is the library configuration: one served tenant per tenant_id, its policy domains
	// as accepted and DKIM signing domains; Exchange Online recognised by Microsoft's published
	// certificate name and networks (the same endpoint list ExOTA-Milter's MTA ACL uses).
	Config tenantgate.Config
	// Policy is the milter's policy section the file asks for. Policy.Tenants has
	// {"dkimRequired": true} for each tenant with an entry whose dkim_enabled is true (ExOTA-Milter's
	// default): a DKIM pass for one of that tenant's domains is then required besides the tenant
	// header (classify.TenantPolicy). ConvertExOTAEnv sets Policy.DKIMFallback when ExOTA-Milter
	// ran without MILTER_TENANT_ID_REQUIRED and with MILTER_DKIM_ENABLED: a DKIM pass stands in for
	// a missing tenant header.
	Policy classify.PolicyConfig
	// Ops are the operational settings ConvertExOTAEnv carries over: replyTexts.relayDenied
	// (MILTER_REJECT_MESSAGE) and logLevel (LOG_LEVEL).
	Ops ops.Section
	// Refused are the policy keys (domains) not loaded: entries with an empty tenant_id.
	Refused []string
	// Warnings say where the library's behaviour differs from what the file asked for.
	Warnings []string
}

// ConvertExOTA reads an ExOTA-Milter JSON policy file. gateway names the gateway (the verdict
// header's authserv-id). Every entry is checked as ExOTA-Milter checks it — tenant_id a GUID,
// the two flags booleans, no other keys — and all problems are returned at once, each naming its
// domain.
func ConvertExOTA(data []byte, gateway string) (Migration, error) {
	var raw map[string]json.RawMessage
	if err := jsonstrict.Decode(data, &raw); err != nil {
		return Migration{}, fmt.Errorf("exota policy: %w", err)
	}
	keys := make([]string, 0, len(raw))
	for k := range raw {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	type tenantAcc struct {
		id      tenantgate.TenantID
		domains []tenantgate.Domain
		// dkimOn and dkimOff are the tenant's domains with dkim_enabled true (or absent) and false.
		dkimOn, dkimOff []string
	}
	var (
		errs    []error
		order   []tenantgate.TenantID
		tenants = map[tenantgate.TenantID]*tenantAcc{}
		seen    = map[tenantgate.Domain]string{}
		m       Migration
		noAlign []string
	)
	for _, key := range keys {
		p, err := decodePolicy(raw[key])
		if err != nil {
			errs = append(errs, fmt.Errorf("exota policy %q: %w", key, err))
			continue
		}
		dom, err := tenantgate.ParseDomain(key)
		if err != nil {
			errs = append(errs, fmt.Errorf("exota policy %q: not a domain: %w", key, err))
			continue
		}
		if prev, dup := seen[dom]; dup {
			errs = append(errs, fmt.Errorf("exota policy %q: same domain as %q", key, prev))
			continue
		}
		seen[dom] = key
		if p.TenantID == "" {
			// ExOTA-Milter accepts "" (and an absent tenant_id) since it made the tenant ID
			// optional: the domain is authorised by DKIM alone. The library cannot say that —
			// mail is ours only as a served tenant, named by its ID; DKIM confirms or stands in
			// for the tenant header of a known tenant (classify.PolicyConfig) — so the entry is
			// refused and the rest loads.
			m.Refused = append(m.Refused, key)
			m.Warnings = append(m.Warnings, fmt.Sprintf("exota policy %q: not loaded: tenant_id is empty, which ExOTA-Milter reads as \"authorise this domain by DKIM alone\"; tenantgate authorises a served tenant named by its ID (DKIM can confirm it, never replace it), so mail from %s is refused until you add the tenant's ID (the X-MS-Exchange-CrossTenant-Id of its mail, or the Entra admin center's Overview)", key, key))
			continue
		}
		id, err := tenantgate.ParseTenantID(p.TenantID)
		if err == nil && id.IsZero() {
			err = errors.New("the all-zero GUID names no tenant")
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("exota policy %q: tenant_id: %w", key, err))
			continue
		}
		if p.DKIMAlignmentRequired != nil && !*p.DKIMAlignmentRequired {
			noAlign = append(noAlign, key)
		}
		t := tenants[id]
		if t == nil {
			t = &tenantAcc{id: id}
			tenants[id] = t
			order = append(order, id)
		}
		t.domains = append(t.domains, dom)
		if p.DKIMEnabled == nil || *p.DKIMEnabled {
			t.dkimOn = append(t.dkimOn, key)
		} else {
			t.dkimOff = append(t.dkimOff, key)
		}
	}
	if len(errs) > 0 {
		return Migration{}, errors.Join(errs...)
	}
	if len(order) == 0 {
		if len(m.Refused) > 0 {
			return Migration{}, fmt.Errorf("exota policy: no entry with a tenant_id (refused: %s): nobody's mail would be ours", strings.Join(m.Refused, ", "))
		}
		return Migration{}, errors.New("exota policy: no entries: nobody's mail would be ours")
	}
	names := map[string]bool{}
	for _, id := range order {
		t := tenants[id]
		name, known := tenantName(t.id, t.domains)
		if !known {
			m.Warnings = append(m.Warnings, fmt.Sprintf("tenant %s: no <name>.onmicrosoft.com domain in the policy, so its name is a placeholder, %q; set the tenant's real name (its initial domain's first label) in the configuration", id, name))
		}
		if names[name] {
			return Migration{}, fmt.Errorf("exota policy: tenants %s and another both have the onmicrosoft.com name %q", id, name)
		}
		names[name] = true
		ten := tenantgate.Tenant{ID: id, Name: name, DKIMSigningDomains: t.domains}
		for _, d := range t.domains {
			ten.AcceptedDomains = append(ten.AcceptedDomains, tenantgate.AcceptedDomain{Name: d})
		}
		m.Config.Tenants = append(m.Config.Tenants, ten)
		m.Config.Gateway.Serves = append(m.Config.Gateway.Serves, id)
		// ExOTA-Milter requires DKIM per From domain; the policy requires it per tenant
		// (classify.TenantPolicy). A tenant with one domain that requires it requires it for all
		// its mail (fail closed); a tenant whose domains all have dkim_enabled false needs none.
		if len(t.dkimOn) > 0 {
			m.Policy.Tenants = append(m.Policy.Tenants, classify.TenantPolicy{Tenant: id, DKIMRequired: new(true)})
			if len(t.dkimOff) > 0 {
				m.Warnings = append(m.Warnings, fmt.Sprintf("tenant %s (%s): dkim_enabled is false for %s but true (or absent, which means true) for %s; tenantgate requires DKIM per tenant, not per domain, so all of this tenant's mail needs a DKIM pass for one of its domains (fail closed): policy.tenants[].dkimRequired", id, name, strings.Join(t.dkimOff, ", "), strings.Join(t.dkimOn, ", ")))
			}
		}
	}
	m.Config.Gateway.Name = gateway
	if len(noAlign) > 0 {
		m.Warnings = append(m.Warnings, fmt.Sprintf("dkim_alignment_required is false for %s: a DKIM pass counts only for one of the tenant's own listed domains, never for any d=", strings.Join(noAlign, ", ")))
	}
	return m, nil
}

// decodePolicy reads one policy entry as ExOTA-Milter's check_policy does: exactly the keys
// tenant_id, dkim_enabled and dkim_alignment_required, compared case-sensitively (encoding/json
// alone would take "Tenant_ID" too), a string and two booleans.
func decodePolicy(data json.RawMessage) (ExOTAPolicy, error) {
	var fields map[string]json.RawMessage
	if err := jsonstrict.Decode(data, &fields); err != nil {
		return ExOTAPolicy{}, err
	}
	var p ExOTAPolicy
	keys := make([]string, 0, len(fields))
	for k := range fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		var err error
		switch k {
		case "tenant_id":
			err = json.Unmarshal(fields[k], &p.TenantID)
		case "dkim_enabled":
			p.DKIMEnabled = new(bool)
			err = json.Unmarshal(fields[k], p.DKIMEnabled)
		case "dkim_alignment_required":
			p.DKIMAlignmentRequired = new(bool)
			err = json.Unmarshal(fields[k], p.DKIMAlignmentRequired)
		default:
			return ExOTAPolicy{}, fmt.Errorf("unknown key %q (ExOTA-Milter knows tenant_id, dkim_enabled, dkim_alignment_required)", k)
		}
		if err != nil || bytes.Equal(bytes.TrimSpace(fields[k]), []byte("null")) {
			return ExOTAPolicy{}, fmt.Errorf("%s: must be a %s", k, map[bool]string{true: "string", false: "boolean"}[k == "tenant_id"])
		}
	}
	return p, nil
}

// tenantName derives a tenant name: the <name> of a <name>.onmicrosoft.com domain (known), else a
// placeholder from the tenant ID. A name like the custom domain's ("fabrikam-com") would be
// wrong: Compile implies <name>.onmicrosoft.com as an accepted domain, and that name may be
// another organisation's.
func tenantName(id tenantgate.TenantID, domains []tenantgate.Domain) (string, bool) {
	for _, d := range domains {
		if name, ok := strings.CutSuffix(string(d), ".onmicrosoft.com"); ok && !strings.Contains(name, ".") {
			return name, true
		}
	}
	return "exota-" + id.String()[:8], false
}

// JSON returns the configuration in the library's JSON form (README.md#configuration).
func (m Migration) JSON() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m.Config); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

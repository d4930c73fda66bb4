package tenantgate

// index builds the Directory from a validated configuration: v.el is empty, so every value parses
// and every reference resolves, and indexing cannot fail. The lookups validation built (tenants
// by ID, accepted domains, served tenants) are kept as they are.
func (v *validator) index() *Directory {
	n := len(v.tenants)
	d := &Directory{
		cfg:          v.cfg,
		tenantLookup: v.tenantLookup,
		inbound:      make([][]InboundRef, n),
		certExact:    make(map[Domain][]*InboundRef, n),
		certWild:     make(map[Domain][]*InboundRef),
		certParent:   make(map[Domain][]*InboundRef, n),
		ipBuckets:    make(map[[3]byte][]*InboundRef, n/16),
		identities:   make(map[string]*Identity),
		tenantIdent:  make(map[TenantID]*Identity),
		sendAs:       make(map[sendAsKey]DomainPattern),
	}
	// Indexes point into d.cfg.Tenants, which no longer grows.
	for i := range d.tenants {
		t := &d.tenants[i]
		d.inbound[i] = make([]InboundRef, len(t.Inbound))
		for j := range t.Inbound {
			ref := &d.inbound[i][j]
			ref.Tenant, ref.Connector = t, &t.Inbound[j]
			for _, s := range t.Inbound[j].SenderIPAddresses {
				if p, err := ParseSenderIP(s); err == nil { // validated
					ref.SenderIPs = append(ref.SenderIPs, p)
				}
			}
			for _, s := range t.Inbound[j].EFSkipIPs {
				if r, err := ParseIPRange(s); err == nil { // validated
					ref.EFSkipIPs = append(ref.EFSkipIPs, r)
				}
			}
			if ref.Connector.IsEnabled() {
				d.indexInbound(ref)
			}
		}
		for _, pat := range t.SendAs {
			d.sendAs[sendAsKey{tenant: i, base: pat.Base(), wild: pat.IsWildcard()}] = pat
		}
	}
	g := &d.cfg.Gateway
	for i := range g.Identities {
		id := &g.Identities[i]
		d.identities[id.Name] = id
		if id.For == ForInternet {
			d.internet = id
		} else if tid, err := ParseTenantID(id.For); err == nil {
			d.tenantIdent[tid] = id
		}
	}
	return d
}

func (d *Directory) indexInbound(ref *InboundRef) {
	if p := ref.Connector.TLSSenderCertificateName; p != "" && p != PatternAll {
		if p.IsWildcard() {
			d.certWild[p.Base()] = append(d.certWild[p.Base()], ref)
		} else {
			d.certExact[Domain(p)] = append(d.certExact[Domain(p)], ref)
			if par := Domain(p).Parent(); par != "" {
				d.certParent[par] = append(d.certParent[par], ref)
			}
		}
	}
	for _, p := range ref.SenderIPs {
		b := p.Addr().As4()
		// A prefix of /24 or longer lies in exactly one /24 bucket; index the connector once per
		// bucket. Connectors are indexed one after the other, so a bucket that already holds ref
		// holds it last: one comparison instead of a search of the connector's earlier entries.
		k := [3]byte{b[0], b[1], b[2]}
		if bucket := d.ipBuckets[k]; len(bucket) == 0 || bucket[len(bucket)-1] != ref {
			d.ipBuckets[k] = append(bucket, ref)
		}
	}
}

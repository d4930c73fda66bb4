package main

import (
	"fmt"
	"html"
	"strings"
	"time"

	"github.com/tenantgate/tenantgate"
	"github.com/tenantgate/tenantgate/headers"
	"github.com/tenantgate/tenantgate/topology"
)

// The page's diagrams are SVG written here, in Go, rather than by a JavaScript diagram library:
// the participants and arrows are the ones `--format mermaid` writes, the page stays a few
// kilobytes, and tests read the diagrams without a browser. Every text is escaped (svgText);
// the SVG carries classes only, styled by web/style.css (the Content-Security-Policy allows no
// inline style).

// svgText escapes s for SVG text or an attribute value; control characters, which XML does not
// allow, are shown as U+FFFD.
func svgText(s string) string {
	return html.EscapeString(sanitize(s))
}

// timelineSVG draws the hops oldest first on one time axis: each hop's bar spans from the
// previous dated hop to its own date, so that lengths are delays to scale. A negative delay
// (clock skew) is drawn as a mark at its start, labelled.
func timelineSVG(h headers.Hops) string {
	const (
		left, barW, rowH, top = 300, 420, 26, 30
	)
	var total time.Duration
	for _, hop := range h.List {
		if hop.HasDelay && hop.Delay > 0 {
			total += hop.Delay
		}
	}
	height := top + rowH*len(h.List) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="timeline" role="img" viewBox="0 0 %d %d" width="%d" height="%d">`,
		left+barW+110, height, left+barW+110, height)
	fmt.Fprintf(&b, `<title>Hop timeline: %d hops, %s in total</title>`, len(h.List), svgText(durationText(h.Total)))
	fmt.Fprintf(&b, `<text class="axis" x="%d" y="16">0</text><text class="axis end" x="%d" y="16">%s</text>`,
		left, left+barW, svgText(durationText(total)))
	fmt.Fprintf(&b, `<line class="axis" x1="%d" y1="22" x2="%d" y2="22"/>`, left, left+barW)
	var at time.Duration
	for i, hop := range h.List {
		y := top + rowH*i
		by := hop.By
		if by == "" {
			by = "(no by)"
		}
		fmt.Fprintf(&b, `<g class="hoprow" data-hop="%d"><text class="label" x="4" y="%d">%d. %s</text>`, hop.Number, y+16, hop.Number, svgText(clip(by, 38)))
		x := left
		if total > 0 {
			x = left + int(float64(barW)*float64(at)/float64(total))
		}
		switch {
		case !hop.HasDelay:
			fmt.Fprintf(&b, `<circle class="start" cx="%d" cy="%d" r="4"/>`, x, y+12)
			label := "no earlier date"
			if hop.Date.IsZero() {
				label = "no date"
			}
			fmt.Fprintf(&b, `<text class="delay" x="%d" y="%d">%s</text>`, left+barW+8, y+16, label)
		case hop.Delay < 0:
			fmt.Fprintf(&b, `<rect class="skew" x="%d" y="%d" width="3" height="16"/>`, x, y+4)
			fmt.Fprintf(&b, `<text class="delay skew" x="%d" y="%d">%s clock skew</text>`, left+barW+8, y+16, svgText(durationText(hop.Delay)))
		default:
			w := 0
			if total > 0 {
				w = int(float64(barW) * float64(hop.Delay) / float64(total))
			}
			if w < 2 {
				w = 2
			}
			fmt.Fprintf(&b, `<rect class="bar" x="%d" y="%d" width="%d" height="16"><title>%s</title></rect>`, x, y+4, w, svgText(durationText(hop.Delay)))
			fmt.Fprintf(&b, `<text class="delay" x="%d" y="%d">%s</text>`, left+barW+8, y+16, svgText(durationText(hop.Delay)))
			at += hop.Delay
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// durationText is a delay as a person reads it: "0s", "3s", "1m12s", "-2s".
func durationText(d time.Duration) string {
	return d.Round(time.Second).String()
}

// flowSVG draws one flow as a sequence diagram: the participants of `--format mermaid` (a party
// by kind, tenant and name) as columns, one arrow per step (crossed when refused, a note for
// Exchange Online's routing), numbered like the steps. Each step is a focusable group the page
// makes clickable (data-step is its index in trace.steps).
func flowSVG(nt namedTrace) string {
	tr := nt.Trace
	type key struct {
		kind   topology.PartyKind
		tenant tenantgate.TenantID
		name   string
	}
	col := map[key]int{}
	var parties []topology.Party
	hosts := map[key]string{}
	add := func(p topology.Party) {
		k := key{p.Kind, p.Tenant, p.Name}
		if _, ok := col[k]; !ok {
			col[k] = len(parties)
			parties = append(parties, p)
		}
		if p.Host != "" && hosts[k] == "" {
			hosts[k] = p.Host
		}
	}
	for _, s := range tr.Steps {
		add(s.From)
		add(s.To)
	}
	const colW, headH, stepH, margin = 190, 56, 46, 10
	cx := func(p topology.Party) int { return margin + colW*col[key{p.Kind, p.Tenant, p.Name}] + colW/2 }
	width := margin*2 + colW*max(len(parties), 1)
	height := headH + 20 + stepH*len(tr.Steps) + 20
	var b strings.Builder
	title := nt.Name
	if nt.Tenant != "" {
		title += " (" + nt.Tenant + ")"
	}
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="flow" role="group" viewBox="0 0 %d %d" width="%d" height="%d">`, width, height, width, height)
	fmt.Fprintf(&b, `<title>%s: %s</title>`, svgText(title), svgText(string(tr.Outcome)))
	for i, p := range parties {
		p.Host = hosts[key{p.Kind, p.Tenant, p.Name}]
		kind, name := partyLabel(p)
		x := margin + colW*i
		fmt.Fprintf(&b, `<g class="participant"><rect x="%d" y="4" width="%d" height="44" rx="4"/>`, x+6, colW-12)
		fmt.Fprintf(&b, `<text class="kind" x="%d" y="22">%s</text><text class="name" x="%d" y="40">%s</text></g>`,
			x+colW/2, svgText(clip(kind, 28)), x+colW/2, svgText(clip(name, 28)))
		fmt.Fprintf(&b, `<line class="lifeline" x1="%d" y1="48" x2="%d" y2="%d"/>`, x+colW/2, x+colW/2, height-8)
	}
	for i, s := range tr.Steps {
		y := headH + 20 + stepH*i
		fx, tx := cx(s.From), cx(s.To)
		refused := s.Decision == topology.DecisionReject || s.Decision == topology.DecisionLoop
		cls := "step"
		if refused {
			cls += " refused"
		}
		label := fmt.Sprintf("%d. %s", s.N, s.Decision)
		fmt.Fprintf(&b, `<g class="%s" data-step="%d" tabindex="0" role="button" aria-label="step %d: %s → %s, %s">`,
			cls, i, s.N, svgText(partyText(s.From)), svgText(partyText(s.To)), svgText(string(s.Decision)))
		fmt.Fprintf(&b, `<title>%s</title>`, svgText(s.Summary))
		switch {
		case s.Stage == topology.StageExchangeRoute && s.To.Kind != topology.PartyMailbox || fx == tx:
			fmt.Fprintf(&b, `<rect class="note" x="%d" y="%d" width="%d" height="30" rx="3"/>`, fx-colW/2+14, y-4, colW-28)
			fmt.Fprintf(&b, `<text class="steplabel" x="%d" y="%d">%s</text>`, fx, y+15, svgText(clip(label+" (route)", 30)))
		default:
			fmt.Fprintf(&b, `<rect class="hit" x="%d" y="%d" width="%d" height="%d"/>`, min(fx, tx), y-4, abs(tx-fx), 30)
			fmt.Fprintf(&b, `<line class="arrow" x1="%d" y1="%d" x2="%d" y2="%d"/>`, fx, y+18, tx, y+18)
			dir := 1
			if tx < fx {
				dir = -1
			}
			if refused {
				fmt.Fprintf(&b, `<path class="cross" d="M%d %d l8 8 m0 -8 l-8 8"/>`, tx-dir*12-4, y+14)
			} else {
				fmt.Fprintf(&b, `<path class="head" d="M%d %d l%d -5 l0 10 z"/>`, tx, y+18, -dir*10)
			}
			fmt.Fprintf(&b, `<text class="steplabel" x="%d" y="%d">%s</text>`, (fx+tx)/2, y+10, svgText(clip(label, 40)))
		}
		b.WriteString(`</g>`)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

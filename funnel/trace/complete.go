package trace

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"
)

// Completeness says whether a trace holds every span it should and, when
// it does not, why. A partial trace is typical of an incident: a caller gave
// up (timeout) while the service it called was still working, or had queued
// the work, and had not reported its spans yet.
type Completeness struct {
	// Flagged is set when the backend said the trace is incomplete (Tempo's
	// PARTIAL status, a search hit whose root span has not arrived).
	Flagged bool
	// MissingParents counts spans whose parent is not in the trace.
	MissingParents int
	// Unreported counts client and producer calls whose callee is known to
	// report spans but sent none for the call; Callees names those callees,
	// distinct, in depth-first order.
	Unreported int
	Callees    []string
	// EndsAtCall is set when the trace ends where an unreported call ends:
	// the caller gave up waiting and nothing after it arrived.
	EndsAtCall bool
}

// Partial reports whether the trace is known to lack spans.
func (c Completeness) Partial() bool {
	return c.Flagged || c.MissingParents > 0 || c.Unreported > 0
}

// Reason says in a few words why the trace is partial, "" when it is not:
// "payments did not report 1 call; trace ends at that call".
func (c Completeness) Reason() string {
	var parts []string
	if c.Unreported > 0 {
		who := strings.Join(c.Callees, ", ")
		s := fmt.Sprintf("%s did not report %d call", who, c.Unreported)
		if c.Unreported > 1 {
			s += "s"
		}
		if c.EndsAtCall {
			s += "; trace ends at that call"
		}
		parts = append(parts, s)
	}
	if c.MissingParents == 1 {
		parts = append(parts, "1 span's parent is missing")
	} else if c.MissingParents > 1 {
		parts = append(parts, fmt.Sprintf("%d spans' parents are missing", c.MissingParents))
	}
	if c.Flagged {
		parts = append(parts, "backend says incomplete")
	}
	return strings.Join(parts, "; ")
}

// PartialMark is the symbol that marks a partial trace on screen and in
// snapshots, next to the word "partial".
const PartialMark = "◌"

// peerServiceKey names the remote service by its service.name (OTel
// semantic conventions), so a call carrying it is expected to be answered
// by spans of that service.
const peerServiceKey = "peer.service"

// calleeKeys are the attributes that name what a client or producer span
// called; their values are matched against services known to report.
var calleeKeys = []string{peerServiceKey, "server.address", "net.peer.name", "rpc.service", "url.full", "http.url"}

// calls is what judging completeness needs of a built trace, indexed like
// the trace's spans (input order), so the judgement reads the large Span
// structs in one sequential pass, as the builder does.
type calls struct {
	b *builder
	// answer is, per call span, the service index of its first child that
	// answers it (a server or consumer span, or a span of another
	// service); -1 when none does, -2 for spans that are not calls.
	answer []int32
}

// findCalls marks every call span of b with the service answering it.
func (b *builder) findCalls() *calls {
	c := &calls{b: b, answer: make([]int32, len(b.spans))}
	for i := range b.spans {
		c.answer[i] = -2
		if isCall(b.spans[i].Kind) {
			c.answer[i] = -1
		}
	}
	for i := range b.spans {
		p := b.parent[i]
		if p < 0 || c.answer[p] != -1 {
			continue
		}
		if k := b.spans[i].Kind; k == KindServer || k == KindConsumer || b.service[i] != b.service[p] {
			c.answer[p] = b.service[i]
		}
	}
	return c
}

// reporters maps callee names to the service that reports for them: every
// service of the trace to itself, and what answered calls were addressed to
// (an IP and port, a host name) to the service that answered.
func (c *calls) reporters() map[string]string {
	b := c.b
	out := make(map[string]string, len(b.services))
	addServices(out, b.services)
	for i, a := range c.answer {
		if a < 0 {
			continue
		}
		for _, name := range calleeNames(&b.spans[i], false) {
			if _, seen := out[name]; !seen {
				out[name] = b.services[a]
			}
		}
	}
	return out
}

// assess marks the calls whose callee did not report, their unattributed
// time, and the tree's Completeness. known maps callee names (lower case)
// to services known to report spans, besides what the trace itself shows.
// A callee is known to report when an attribute of the call names a
// service of the trace or of known, names what another call had answered
// by some service, or is peer.service. Calls to databases and other
// uninstrumented peers are therefore never counted.
func (t *Tree) assess(c *calls, flagged bool, known map[string]string) {
	reporters := c.reporters()
	for name, svc := range known {
		if _, ok := reporters[name]; !ok {
			reporters[name] = svc
		}
	}
	t.Completeness = Completeness{Flagged: flagged}
	for i, orphan := range c.b.orphan {
		if orphan {
			t.Completeness.MissingParents++
		}
		if c.answer[i] != -1 {
			continue
		}
		callee, ok := unansweredCallee(&c.b.spans[i], reporters)
		if !ok {
			continue
		}
		nd := &t.Nodes[c.b.pos[i]]
		nd.Callee, nd.Unattributed = callee, nd.SelfTime
		t.Completeness.Unreported++
		if !slices.Contains(t.Completeness.Callees, callee) {
			t.Completeness.Callees = append(t.Completeness.Callees, callee)
		}
		if t.End.Sub(nd.Span.End()) <= endsAtCallTolerance(t.Duration()) {
			t.Completeness.EndsAtCall = true
		}
	}
}

// endsAtCallTolerance is how close to the trace's end an unreported call
// must end for the trace to end "at" it: 1% of the trace, at least 1ms.
func endsAtCallTolerance(total time.Duration) time.Duration {
	return max(total/100, time.Millisecond)
}

// addServices maps each service's lower-cased name to the service.
func addServices(m map[string]string, services []string) {
	for _, s := range services {
		if _, seen := m[strings.ToLower(s)]; s != "" && !seen {
			m[strings.ToLower(s)] = s
		}
	}
}

// unansweredCallee returns the reporting callee of call sp, which no span
// answered.
func unansweredCallee(sp *Span, reporters map[string]string) (string, bool) {
	if peer := attr(sp, peerServiceKey); peer != "" {
		return peer, true
	}
	for _, name := range calleeNames(sp, true) {
		if svc, ok := reporters[name]; ok && svc != sp.Service {
			return svc, true
		}
	}
	return "", false
}

func isCall(k Kind) bool { return k == KindClient || k == KindProducer }

// calleeNames lists the lower-cased names a call's attributes give its
// callee, most specific first: with host the bare host names as well
// (service names are matched against those), without only names that
// identify one endpoint (host and port), which may be learned.
func calleeNames(sp *Span, host bool) []string {
	var out []string
	add := func(name, port string) {
		if port != "" {
			out = append(out, name+":"+port)
		}
		if port == "" || host {
			out = append(out, name)
		}
	}
	for _, key := range calleeKeys {
		v := strings.ToLower(strings.TrimSpace(attr(sp, key)))
		switch {
		case v == "":
		case strings.Contains(v, "://"):
			if u, err := url.Parse(v); err == nil && u.Hostname() != "" {
				add(u.Hostname(), u.Port())
			}
		case key == "server.address":
			add(v, attr(sp, "server.port"))
		case key == "net.peer.name":
			add(v, attr(sp, "net.peer.port"))
		default:
			out = append(out, v)
		}
	}
	return out
}

// attr is the span's attribute key, "" when absent.
func attr(sp *Span, key string) string {
	v, _ := sp.Attr(key)
	return strings.TrimSpace(v)
}

// AttributedSelf is the node's self time minus what it spent waiting on a
// callee that did not report: the time the span is known to have spent on
// its own work. Rankings of "who is slow" use it.
func (n *Node) AttributedSelf() time.Duration { return n.SelfTime - n.Unattributed }

// attributedCritical is the node's share of the critical path that it
// accounts for by its own work.
func (n *Node) attributedCritical() time.Duration { return max(n.CriticalTime-n.Unattributed, 0) }

// Complete returns the completeness of each trace, judged with what all of
// them show: every service that reported and every callee address some
// service answered. A search result thus lets a trace whose callee sent
// nothing be compared with the traces where it answered.
func Complete(traces []*Trace) []Completeness {
	trees := make([]*Tree, len(traces))
	found := make([]*calls, len(traces))
	known := map[string]string{}
	for i, t := range traces {
		trees[i], found[i] = build(t)
		if found[i] == nil {
			continue
		}
		for name, svc := range found[i].reporters() {
			if _, seen := known[name]; !seen {
				known[name] = svc
			}
		}
	}
	out := make([]Completeness, len(traces))
	for i, tree := range trees {
		if found[i] != nil {
			tree.assess(found[i], traces[i].Partial, known)
		}
		out[i] = tree.Completeness
	}
	return out
}

// Choice is the trace redline picks for the user among search results
// ordered slowest first.
type Choice struct {
	Index   int // into the results; -1 when there are none
	Skipped int // partial traces slower than the chosen one, passed over
	// AllPartial is set when no result is complete and the slowest partial
	// one was chosen.
	AllPartial     bool
	IncludePartial bool
}

// PickSlowest chooses among results ordered slowest first: the slowest
// complete trace, or with includePartial the slowest of all. Partial traces
// lack spans, so their self times blame the wrong span; a complete trace,
// even a little faster, shows where the time went.
func PickSlowest(results []Summary, includePartial bool) Choice {
	c := Choice{Index: -1, IncludePartial: includePartial}
	if len(results) == 0 {
		return c
	}
	if includePartial {
		c.Index = 0
		return c
	}
	for i, s := range results {
		if !s.Completeness.Partial() {
			c.Index, c.Skipped = i, i
			return c
		}
	}
	c.Index, c.AllPartial = 0, true
	return c
}

// String says how the trace was chosen: "slowest complete trace; 6 slower
// traces are partial".
func (c Choice) String() string {
	switch {
	case c.Index < 0:
		return "no trace"
	case c.IncludePartial:
		return "slowest trace, partial ones included"
	case c.AllPartial:
		return "slowest trace; every trace found is partial"
	case c.Skipped == 1:
		return "slowest complete trace; 1 slower trace is partial"
	case c.Skipped > 1:
		return fmt.Sprintf("slowest complete trace; %d slower traces are partial", c.Skipped)
	}
	return "slowest complete trace"
}

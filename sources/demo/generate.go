package demo

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/redline-tui/redline/funnel/trace"
)

// generator builds the spans of one trace from its plan.
type generator struct {
	src      *Source
	plan     *plan
	traceID  string
	decorate bool // attributes, events, links and resources; off for summaries
	spans    []trace.Span
	ctx      context.Context
	err      error
	matched  string // span ID of the matched route's server span
}

// failure is how a span failed; the zero value means it did not.
type failure struct {
	status  int    // HTTP status, 0 when there was no response
	message string // span status message
}

func (f failure) failed() bool { return f.message != "" }

// cancelCheckEvery is how many spans are generated between context checks.
const cancelCheckEvery = 4096

// generate builds the trace of key; with decorate false it only lays out
// the spans (enough for a search summary).
func (s *Source) generate(ctx context.Context, key traceKey, decorate bool) (*generator, error) {
	p := newPlan(key)
	if key.shape == shapeStress {
		p.items = stressItems(s, key)
	}
	return s.run(ctx, p, decorate)
}

// layout lays out the spans of key without decorating them; withoutItems
// drops the per-item work of a stress trace.
func (s *Source) layout(ctx context.Context, key traceKey, withoutItems bool) (*generator, error) {
	if !withoutItems {
		return s.generate(ctx, key, false)
	}
	p := newPlan(key)
	p.items = 0
	return s.run(ctx, p, false)
}

// run generates the spans of p.
func (s *Source) run(ctx context.Context, p *plan, decorate bool) (*generator, error) {
	key := p.key
	g := &generator{src: s, plan: p, traceID: key.encode(), decorate: decorate, ctx: ctx}
	g.spans = make([]trace.Span, 0, g.estimate())
	g.server(p.path[0], "", key.start, p.actual[0], 0)
	if g.err != nil {
		return nil, g.err
	}
	if key.shape == shapeUnreported {
		g.dropUnreported()
	}
	return g, nil
}

// dropUnreported removes the spans of the gateway holder's service (the
// end of the path) and everything below them: that service is still
// retrying and has not reported. Parents precede their children in spans.
func (g *generator) dropUnreported() {
	holder := routeTable[g.plan.path[len(g.plan.path)-1]].service
	dropped := map[string]bool{}
	kept := g.spans[:0]
	for _, sp := range g.spans {
		if sp.Service == holder || dropped[sp.ParentID] {
			dropped[sp.SpanID] = true
			continue
		}
		kept = append(kept, sp)
	}
	g.spans = kept
}

// stressItems is the item count that makes a stress trace exactly
// stressSpanCount spans: its route repeats one single-span step per item.
func stressItems(s *Source, key traceKey) int {
	count := func(items int) int {
		p := newPlan(key)
		p.items = items
		g := &generator{src: s, plan: p, ctx: context.Background()}
		g.server(p.path[0], "", key.start, p.actual[0], 0)
		return len(g.spans)
	}
	fixed := count(0)
	return (stressSpanCount - fixed) / (count(1) - fixed)
}

// estimate guesses the span count to size the slice once.
func (g *generator) estimate() int {
	if g.plan.key.shape == shapeStress {
		return 64 + g.plan.items
	}
	return 16 + 6*g.plan.items
}

// span appends a span and returns its index.
func (g *generator) span(parent, service, name string, kind trace.Kind, start time.Time, d time.Duration) int {
	i := len(g.spans)
	if i%cancelCheckEvery == 0 && g.err == nil {
		g.err = cancelled(g.ctx)
	}
	g.spans = append(g.spans, trace.Span{
		TraceID: g.traceID, SpanID: g.spanID(i), ParentID: parent,
		Service: service, Name: name, Kind: kind, Start: start, Duration: d,
	})
	if g.decorate {
		g.spans[i].Resource = g.podOf(service)
	}
	return i
}

// spanID is the deterministic ID of the i-th span.
func (g *generator) spanID(i int) string {
	return hex16(hashOf(g.plan.hash, uint64(i), 0x5a1d) | 1)
}

// hex16 renders w as 16 lower-case hex digits.
func hex16(w uint64) string {
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[w&0xf]
		w >>= 4
	}
	return string(b[:])
}

// server generates route's server span and everything under it. pos is the
// route's position on the plan's path, or -1 off the path.
func (g *generator) server(route int, parent string, start time.Time, d time.Duration, pos int) failure {
	r := routeTable[route]
	idx := g.span(parent, r.service, r.name(), trace.KindServer, start, d)
	id := g.spans[idx].SpanID
	if pos == g.plan.matched {
		g.matched = id
	}
	var f failure
	switch {
	case pos >= 0 && pos < len(g.plan.path)-1:
		f = g.elastic(route, id, start, d, pos, r.callStep(routeTable[g.plan.path[pos+1]].key()))
	case pos >= 0 && g.plan.key.timedOut():
		f = g.elastic(route, id, start, d, pos, r.incidentStep())
	default:
		f = g.proportional(route, id, idx, start, d, pos >= 0 && g.plan.failed[pos])
	}
	g.finishServer(idx, route, f)
	return f
}

// elastic lays out a path span: every step takes its nominal time except the
// one leading down the path, which takes what the plan gives it.
func (g *generator) elastic(route int, parent string, start time.Time, d time.Duration, pos, elastic int) failure {
	r := routeTable[route]
	failedBelow := g.plan.failed[pos]
	t := start.Add(serverOverhead / 2)
	var f failure
	for j, s := range r.steps {
		if j != elastic && !g.plan.runs(route, j, pathInstance) {
			continue
		}
		if failedBelow && j > elastic {
			break
		}
		slot := s.nominalFor(g.plan.items)
		if j == elastic {
			slot = g.elasticSlot(pos, d, elastic)
			f = g.pathStep(route, s, parent, t, slot, pos)
		} else {
			g.step(route, s, parent, t, slot, pathInstance, false)
		}
		t = t.Add(slot)
	}
	return f
}

// elasticSlot is the time the elastic step of path span pos gets.
func (g *generator) elasticSlot(pos int, d time.Duration, elastic int) time.Duration {
	if pos < len(g.plan.path)-1 {
		return g.plan.slots[pos]
	}
	return d - serverOverhead - g.plan.othersNominal(pos, elastic, g.plan.failed[pos])
}

// pathStep runs the elastic step: the call down the path, or the card
// gateway attempts at the end of a timeout trace.
func (g *generator) pathStep(route int, s step, parent string, t time.Time, slot time.Duration, pos int) failure {
	if s.kind == stepGateway {
		return g.gatewayAttempts(route, parent, t, slot)
	}
	callee := g.plan.path[pos+1]
	if s.parallel {
		g.siblings(route, s, parent, t, slot)
	}
	client := g.clientCall(route, s.target, parent, t, slot)
	below := g.server(callee, g.spans[client].SpanID, t.Add(networkHop), g.plan.actual[pos+1], pos+1)
	f := upstreamFailure(s.target, below)
	if g.plan.natural[pos+1]+2*networkHop > slot {
		f = failure{status: 504, message: s.target + ": context deadline exceeded"}
		g.fail(client, failure{message: "context deadline exceeded"}, "context.deadlineExceededError")
	} else if below.failed() {
		g.fail(client, failure{status: below.status, message: below.message}, "")
	}
	return f
}

// siblings emits the other calls of a fan-out whose one call is on the
// path: they run alongside it and finish within its slot.
func (g *generator) siblings(route int, s step, parent string, t time.Time, slot time.Duration) {
	rnd := newRNG(g.plan.hash, uint64(len(g.spans)), 0x51b)
	for range s.iterations(g.plan.items) - 1 {
		start := t.Add(time.Duration(float64(slot) * rnd.between(0, 0.3)))
		d := time.Duration(float64(t.Add(slot).Sub(start)) * rnd.between(0.3, 0.95))
		g.work(route, s, parent, start, d, false)
		if g.err != nil {
			return
		}
	}
}

// upstreamFailure is what a caller answers when a call to target failed.
func upstreamFailure(target string, below failure) failure {
	if !below.failed() {
		return failure{}
	}
	status := 502
	if below.status == 504 || below.status == 499 {
		status = 504
	}
	return failure{status: status, message: fmt.Sprintf("%s: %d %s", target, below.status, below.message)}
}

// proportional lays out an off-path span (or the pinned span of a normal
// trace): its steps share its duration in proportion to their nominal
// times, with jitter. When fails, its last step fails.
func (g *generator) proportional(route int, parent string, idx int, start time.Time, d time.Duration, fails bool) failure {
	r := routeTable[route]
	rnd := newRNG(g.plan.hash, uint64(idx), 0x9a0)
	var run []int
	for j := range r.steps {
		if g.plan.runs(route, j, idx) {
			run = append(run, j)
		}
	}
	failing := -1
	if fails && len(run) > 0 {
		failing = run[len(run)-1]
	}
	weights := make([]float64, len(run))
	total := 0.0
	for i, j := range run {
		weights[i] = float64(r.steps[j].nominalFor(g.plan.items)) * rnd.between(0.6, 1.4)
		total += weights[i]
	}
	self := rnd.between(0.05, 0.2)
	t := start.Add(time.Duration(float64(d) * self * 0.4))
	budget := float64(d) * (1 - self)
	for i, j := range run {
		slot := time.Duration(budget * weights[i] / total)
		g.step(route, r.steps[j], parent, t, slot, idx, j == failing)
		t = t.Add(slot)
		if g.err != nil {
			break
		}
	}
	if failing >= 0 {
		return failure{status: 500, message: r.failure}
	}
	return failure{}
}

// step runs every iteration of s within [t, t+slot).
func (g *generator) step(route int, s step, parent string, t time.Time, slot time.Duration, instance int, fails bool) {
	n := s.iterations(g.plan.items)
	if n == 0 {
		return
	}
	rnd := newRNG(g.plan.hash, uint64(len(g.spans)), 0x57e9)
	if !s.parallel {
		each := slot / time.Duration(n)
		for i := range n {
			d := time.Duration(float64(each) * rnd.between(0.7, 0.97))
			if !s.perItem {
				d = slot
			}
			g.work(route, s, parent, t.Add(time.Duration(i)*each), d, fails && i == n-1)
			if g.err != nil {
				return
			}
		}
		return
	}
	batches := (n + fanoutBatch - 1) / fanoutBatch
	each := slot / time.Duration(batches)
	for i := range n {
		batchStart := t.Add(time.Duration(i/fanoutBatch) * each)
		offset := time.Duration(float64(each) * rnd.between(0, 0.05))
		d := time.Duration(float64(each) * rnd.between(0.5, 0.94))
		g.work(route, s, parent, batchStart.Add(offset), d, fails && i == n-1)
		if g.err != nil {
			return
		}
	}
}

// work emits one iteration of a step: a call (client span and, for demo
// routes, the callee's server span), a query, a cache command, in-process
// work or a publish.
func (g *generator) work(route int, s step, parent string, t time.Time, d time.Duration, fails bool) {
	r := routeTable[route]
	var idx int
	switch s.kind {
	case stepCall, stepGateway:
		g.call(route, s, parent, t, d, fails)
		return
	case stepDB:
		idx = g.span(parent, r.service, s.verb+" "+s.target, trace.KindClient, t, d)
	case stepCache:
		idx = g.span(parent, r.service, s.verb+" "+s.target, trace.KindClient, t, d)
	case stepInternal:
		idx = g.span(parent, r.service, s.target, trace.KindInternal, t, d)
	case stepPublish:
		idx = g.span(parent, r.service, "publish "+s.target, trace.KindProducer, t, d)
	}
	if g.decorate {
		g.spans[idx].Attributes = g.workAttributes(r, s)
	}
	if fails {
		g.fail(idx, failure{message: r.failure}, exceptionTypeOf(s))
	}
}

// retryChance is the chance that an off-path call fails once and is retried.
const retryChance = 0.015

// call emits an off-path call: sometimes a failed first attempt and a retry.
func (g *generator) call(route int, s step, parent string, t time.Time, d time.Duration, fails bool) {
	target := s.target
	if s.kind == stepGateway {
		target = "card-gateway " + s.target
	}
	idx := len(g.spans)
	if g.plan.key.shape != shapeStress && !fails && unit(hashOf(g.plan.hash, uint64(idx), 0x2e7)) < retryChance {
		first := d / 4
		g.attempt(route, target, parent, t, first, failure{status: 503, message: "503 Service Unavailable: upstream connect error or disconnect/reset before headers"})
		t, d = t.Add(first+d/10), d-first-d/10
	}
	var f failure
	if fails {
		f = failure{status: 500, message: routeTable[route].failure}
	}
	g.attempt(route, target, parent, t, d, f)
}

// attempt emits one client span to target and, for demo routes, the
// callee's server span under it.
func (g *generator) attempt(route int, target, parent string, t time.Time, d time.Duration, f failure) {
	client := g.clientCall(route, target, parent, t, d)
	if external(target) {
		if f.failed() {
			g.fail(client, f, "*errors.errorString")
		}
		return
	}
	callee := routesByKey[target]
	if f.failed() {
		below := g.failingServer(callee, g.spans[client].SpanID, t.Add(networkHop), d-2*networkHop, f)
		g.fail(client, below, "")
		return
	}
	g.server(callee, g.spans[client].SpanID, t.Add(networkHop), d-2*networkHop, -1)
}

// failingServer emits a callee server span that fails without doing work.
func (g *generator) failingServer(route int, parent string, t time.Time, d time.Duration, f failure) failure {
	r := routeTable[route]
	idx := g.span(parent, r.service, r.name(), trace.KindServer, t, d)
	g.finishServer(idx, route, f)
	return f
}

// clientCall emits the client span of an HTTP call from route to target.
func (g *generator) clientCall(route int, target, parent string, t time.Time, d time.Duration) int {
	r := routeTable[route]
	service, method, path := splitKey(target)
	idx := g.span(parent, r.service, method+" "+path, trace.KindClient, t, d)
	if g.decorate {
		g.spans[idx].Attributes = g.httpClientAttributes(service, method, path, 200)
	} else {
		// The callee's address alone, enough to judge completeness.
		host, _, _ := calleeEndpoint(service, method, path)
		g.spans[idx].Attributes = []trace.Attr{{Key: "server.address", Value: host}}
	}
	return idx
}

// gatewayAttempts emits payments' calls to the card gateway during the
// incident: a first attempt timing out after gatewayTimeout, then either the
// circuit breaker opening, or a retry that hangs until the caller's
// deadline, or a retry that succeeds late.
func (g *generator) gatewayAttempts(route int, parent string, t time.Time, slot time.Duration) failure {
	const target = "card-gateway POST /v1/charges"
	first := g.clientCall(route, target, parent, t, gatewayTimeout)
	g.fail(first, failure{message: gatewayTimeoutMessage}, "*url.Error")
	outcome, retry := g.plan.key.outcome()
	if outcome == outcomeBreaker {
		g.event(parent, t.Add(gatewayTimeout), "circuit_breaker.open", "breaker", "card-gateway", "failures", "5", "open_for", "30s")
		return failure{status: 503, message: "card-gateway: circuit breaker open"}
	}
	g.event(parent, t.Add(gatewayTimeout), "retry", "attempt", "2", "backoff", retryBackoff.String())
	second := t.Add(gatewayTimeout + retryBackoff)
	if outcome == outcomeLateSuccess {
		g.clientCall(route, target, parent, second, retry)
		return failure{}
	}
	hang := g.clientCall(route, target, parent, second, slot-gatewayTimeout-retryBackoff)
	g.fail(hang, failure{message: "context deadline exceeded"}, "context.deadlineExceededError")
	return failure{status: 499, message: "card-gateway: context deadline exceeded"}
}

// gatewayTimeoutMessage is Go's error for an HTTP client timeout.
const gatewayTimeoutMessage = `Post "https://api.card-gateway.example/v1/charges": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`

// event adds an event to the span with ID spanID, when decorating.
func (g *generator) event(spanID string, at time.Time, name string, kv ...string) {
	if !g.decorate {
		return
	}
	for i := len(g.spans) - 1; i >= 0; i-- {
		if g.spans[i].SpanID == spanID {
			g.spans[i].Events = append(g.spans[i].Events, trace.Event{Time: at, Name: name, Attributes: pairs(kv...)})
			return
		}
	}
}

// fail marks span idx as failed, with an exception event when excType is set.
func (g *generator) fail(idx int, f failure, excType string) {
	sp := &g.spans[idx]
	sp.Status, sp.StatusMessage = trace.StatusError, f.message
	if !g.decorate {
		return
	}
	if f.status != 0 {
		setAttr(&sp.Attributes, "http.response.status_code", strconv.Itoa(f.status))
	}
	setAttr(&sp.Attributes, "error.type", errorType(f, excType))
	if excType != "" {
		sp.Events = append(sp.Events, exceptionEvent(sp, excType, f.message))
	}
}

// finishServer sets the outcome and attributes of a server span.
func (g *generator) finishServer(idx int, route int, f failure) {
	if g.decorate {
		g.decorateServer(idx, route)
	}
	if f.failed() {
		g.fail(idx, f, "*fmt.wrapError")
	}
}

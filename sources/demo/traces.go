package demo

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
)

// DefaultTraceLimit is how many traces FindTraces returns when the query
// sets no limit.
const DefaultTraceLimit = 20

// Sampling of the trace search: each bucket of the range keeps up to
// tracesPerBucket traces, as a tail sampler would; ranges are cut into at
// most maxBuckets buckets of at least a minute.
const (
	tracesPerBucket = 3
	maxBuckets      = 360
)

// Trace returns the trace with the given ID, rebuilt from the ID alone.
// The range is not needed: demo trace IDs encode their start time.
func (s *Source) Trace(ctx context.Context, traceID string, r funnel.TimeRange) (*trace.Trace, error) {
	if err := cancelled(ctx); err != nil {
		return nil, err
	}
	id := trace.NormalizeTraceID(traceID)
	if id == "" {
		return nil, fmt.Errorf("demo: trace %q %w: not a trace ID (1 to 32 hex characters)", traceID, trace.ErrNotFound)
	}
	key, ok := decodeTraceID(id)
	if !ok {
		return nil, fmt.Errorf("demo: trace %s %w: the demo incident never had it", id, trace.ErrNotFound)
	}
	g, err := s.generate(ctx, key, true)
	if err != nil {
		return nil, err
	}
	return &trace.Trace{
		ID:    id,
		Spans: g.spans,
		Queries: []funnel.Query{{
			Backend: Backend, Language: funnel.TraceQL, Purpose: "trace by ID",
			Text: fmt.Sprintf("{ trace:id = %q }", id), Range: r,
		}},
	}, nil
}

// FindTraces returns the slowest (or failing) traces of one route, slowest
// first, as a tail-sampling trace backend would.
func (s *Source) FindTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error) {
	if err := cancelled(ctx); err != nil {
		return trace.SearchResult{}, err
	}
	route, ok := findRoute(q.Service, q.Route)
	if !ok {
		return trace.SearchResult{}, unknownRoute(q.Service, q.Route)
	}
	q.Range = s.resolveRange(q.Range)
	if q.Limit <= 0 {
		q.Limit = DefaultTraceLimit
	}
	plans := s.slowest(route, q)
	out := trace.SearchResult{Queries: []funnel.Query{searchQuery(route, q)}}
	for _, p := range plans {
		sum, err := s.summary(ctx, p.key)
		if err != nil {
			return trace.SearchResult{}, err
		}
		out.Traces = append(out.Traces, sum)
	}
	trace.SortSlowestFirst(out.Traces)
	return out, nil
}

// unknownRoute explains a route the demo does not serve.
func unknownRoute(service, route string) error {
	routes := routeIndexes(service)
	if len(routes) == 0 {
		return fmt.Errorf("demo: unknown service %q (services: %s)", service, strings.Join(serviceNames, ", "))
	}
	names := make([]string, len(routes))
	for i, r := range routes {
		names[i] = routeTable[r].name()
	}
	return fmt.Errorf("demo: service %s has no route %q (routes: %s)", service, route, strings.Join(names, ", "))
}

// slowest plans the sampled traces of route in the query's range and keeps
// the q.Limit slowest that pass its filters; for the stress route the last
// is the 100,000-span trace.
func (s *Source) slowest(route int, q trace.Query) []*plan {
	var kept []*plan
	for _, k := range s.sampled(route, q.Range) {
		p := newPlan(k)
		if p.matchedDuration() < q.MinDuration || (q.ErrorsOnly && !p.matchedFailed()) {
			continue
		}
		kept = append(kept, p)
	}
	sort.SliceStable(kept, func(i, j int) bool { return kept[i].matchedDuration() > kept[j].matchedDuration() })
	stress := routeTable[route].key() == stressRoute && !q.ErrorsOnly
	if n := q.Limit - boolToInt(stress); len(kept) > n {
		kept = kept[:max(n, 0)]
	}
	if stress {
		kept = append(kept, newPlan(s.stressKey(route, q, kept)))
	}
	return kept
}

func boolToInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stressKey mints the stress trace of a search: it starts in the range's
// last minute and is a little faster than the slowest traces listed, so it
// comes last.
func (s *Source) stressKey(route int, q trace.Query, listed []*plan) traceKey {
	d := 50 * time.Millisecond
	if len(listed) > 0 {
		d = listed[len(listed)-1].matchedDuration() * 9 / 10
	}
	d = max(d, q.MinDuration, time.Millisecond).Round(time.Millisecond)
	start := q.Range.End.Add(-time.Minute).Truncate(time.Minute)
	if start.Before(q.Range.Start) {
		start = q.Range.Start
	}
	h := hashOf(uint64(s.seed), uint64(route), uint64(start.Unix()), 0x57e55)
	k := traceKey{route: route, shape: shapeStress, quantile: uint16(min(d.Milliseconds(), 65535)), start: start, nonce: uint32(h)}
	return k.canonical()
}

// sampled returns the keys of the traces of route a tail sampler kept
// within r.
func (s *Source) sampled(route int, r funnel.TimeRange) []traceKey {
	bucket := max(time.Minute, (r.Duration() / maxBuckets).Truncate(time.Minute))
	var keys []traceKey
	for b := r.Start.Truncate(bucket); !b.After(r.End); b = b.Add(bucket) {
		kept := s.rate(route, b) * bucket.Seconds()
		for i := range tracesPerBucket {
			h := hashOf(uint64(s.seed), uint64(route), uint64(b.Unix()), uint64(i), 0x5a3)
			if float64(i)+unit(hashOf(h, 1)) >= kept {
				break
			}
			k := s.sampledKey(route, b.Add(time.Duration(h%uint64(bucket))), h)
			if k.start.Before(r.Start) || k.start.After(r.End) {
				continue
			}
			keys = append(keys, k)
		}
	}
	return keys
}

// unreportedShare is the share of requests cut at checkout's deadline whose
// payments spans have not arrived yet (payments still retries).
const unreportedShare = 0.25

// sampledKey decides the shape of one sampled request from the model.
func (s *Source) sampledKey(route int, start time.Time, h uint64) traceKey {
	k := traceKey{route: route, start: start, nonce: uint32(hashOf(h, 2)), quantile: uint16(hashOf(h, 3))}
	if unit(hashOf(h, 4)) < s.timeoutShare(route, start) {
		k.shape = shapeTimeout
		if outcome, _ := k.outcome(); outcome == outcomeDeadline && unit(hashOf(h, 11)) < unreportedShare && !holdsGateway(route) {
			k.shape = shapeUnreported
		}
	} else {
		k.failed = unit(hashOf(h, 5)) < s.baselineErrorRatio(route, start)
	}
	return k.canonical()
}

// summary describes the trace of key for a search result. A stress trace is
// summarised from its layout without items: its per-item spans are
// error-free spans of a service already in the trace, so only the count
// changes, and that is exact by construction.
func (s *Source) summary(ctx context.Context, key traceKey) (trace.Summary, error) {
	g, err := s.layout(ctx, key, key.shape == shapeStress)
	if err != nil {
		return trace.Summary{}, err
	}
	sum := summarise(g)
	if key.shape == shapeStress {
		sum.SpanCount = stressSpanCount
	}
	return sum, nil
}

// summarise describes a generated trace for a search result, judging its
// completeness knowing every demo service reports spans.
func summarise(g *generator) trace.Summary {
	root := g.spans[0]
	sum := trace.Summary{
		TraceID: g.traceID, RootService: root.Service, RootName: root.Name,
		Start: root.Start, Duration: root.Duration, SpanCount: len(g.spans),
		MatchedSpanID: g.matched, MatchedDuration: g.plan.matchedDuration(),
		Completeness: trace.BuildKnowing(&trace.Trace{Spans: g.spans}, serviceNames).Completeness,
	}
	seen := map[string]bool{}
	for i := range g.spans {
		sp := &g.spans[i]
		if sp.Status == trace.StatusError {
			sum.ErrorCount++
		}
		if !seen[sp.Service] {
			seen[sp.Service] = true
			sum.Services = append(sum.Services, sp.Service)
		}
	}
	return sum
}

// searchQuery is the TraceQL a Tempo source would send for q.
func searchQuery(route int, q trace.Query) funnel.Query {
	r := routeTable[route]
	conds := []string{
		fmt.Sprintf("resource.service.name = %q", r.service),
		fmt.Sprintf("span.http.route = %q", r.path),
		fmt.Sprintf("span.http.request.method = %q", r.method),
		"kind = server",
	}
	if q.MinDuration > 0 {
		conds = append(conds, "duration > "+q.MinDuration.String())
	}
	if q.ErrorsOnly {
		conds = append(conds, "status = error")
	}
	return funnel.Query{
		Backend: Backend, Language: funnel.TraceQL, Purpose: "slowest traces of " + r.name(),
		Text:  "{ " + strings.Join(conds, " && ") + " } | select(span.http.response.status_code)",
		Range: q.Range,
	}
}

package demo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/trace"
)

// sixHours is a wide search range, for many traces of every shape.
var sixHours = funnel.Last(6*time.Hour, testNow)

func TestEveryRouteTraceIsWellFormed(t *testing.T) {
	s := newTestSource(3)
	for _, r := range routeTable {
		t.Run(r.key(), func(t *testing.T) {
			res, err := s.FindTraces(context.Background(), trace.Query{Service: r.service, Route: r.name(), Range: sixHours, Limit: 30})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(res.Traces); n < 10 || n > 30 {
				t.Errorf("%d traces", n)
			}
			for i, sum := range res.Traces {
				if i > 0 && res.Traces[i-1].MatchedDuration < sum.MatchedDuration {
					t.Errorf("trace %d is slower than the one before it", i)
				}
				checkTrace(t, s, sum)
			}
		})
	}
}

// checkTrace resolves a summary and checks the trace against it and the
// demo's invariants.
func checkTrace(t *testing.T, s *Source, sum trace.Summary) {
	t.Helper()
	tr, err := s.Trace(context.Background(), sum.TraceID, sixHours)
	if err != nil {
		t.Fatal(err)
	}
	n := len(tr.Spans)
	switch {
	case sum.SpanCount != n:
		t.Errorf("%s: summary says %d spans, trace has %d", sum.TraceID, sum.SpanCount, n)
	case n == stressSpanCount:
	case n < 20 || n > 3000:
		t.Errorf("%s: %d spans, want 20..3000", sum.TraceID, n)
	}
	tree := trace.Build(tr)
	if len(tree.Roots) != 1 {
		t.Errorf("%s: %d roots", sum.TraceID, len(tree.Roots))
	}
	for _, node := range tree.Nodes {
		if node.Orphan || node.Duplicate || node.Skewed {
			t.Fatalf("%s: span %s %q orphan=%v duplicate=%v skewed=%v", sum.TraceID, node.Span.SpanID, node.Span.Name, node.Orphan, node.Duplicate, node.Skewed)
		}
	}
	if tr.Spans[0].Duration != sum.Duration || tr.Spans[0].Start != sum.Start {
		t.Errorf("%s: root %v at %v, summary %v at %v", sum.TraceID, tr.Spans[0].Duration, tr.Spans[0].Start, sum.Duration, sum.Start)
	}
	if sp := spanByID(tr, sum.MatchedSpanID); sp == nil || sp.Duration != sum.MatchedDuration || sp.Kind != trace.KindServer {
		t.Errorf("%s: matched span %s is not a %v server span", sum.TraceID, sum.MatchedSpanID, sum.MatchedDuration)
	}
	if len(tree.Errors()) != sum.ErrorCount {
		t.Errorf("%s: %d error spans, summary says %d", sum.TraceID, len(tree.Errors()), sum.ErrorCount)
	}
}

func TestStressTraceIsListedLastWithExactly100000Spans(t *testing.T) {
	s := newTestSource(1)
	res, err := s.FindTraces(context.Background(), trace.Query{Service: "checkout", Route: "GET /api/checkout/{id}", Range: lastHour})
	if err != nil {
		t.Fatal(err)
	}
	last := res.Traces[len(res.Traces)-1]
	if last.SpanCount != stressSpanCount {
		t.Fatalf("last trace has %d spans, want %d", last.SpanCount, stressSpanCount)
	}
	checkTrace(t, s, last)
}

func TestFindTracesFilters(t *testing.T) {
	s := newTestSource(1)
	narrow := funnel.TimeRange{Start: testNow.Add(-20 * time.Minute), End: testNow.Add(-10 * time.Minute)}
	tests := []struct {
		name  string
		q     trace.Query
		check func(trace.Summary) bool
		max   int
	}{
		{"limit", trace.Query{Limit: 5}, func(trace.Summary) bool { return true }, 5},
		{"min duration", trace.Query{MinDuration: 3 * time.Second}, func(s trace.Summary) bool { return s.MatchedDuration >= 3*time.Second }, DefaultTraceLimit},
		{"errors only", trace.Query{ErrorsOnly: true}, func(s trace.Summary) bool { return s.ErrorCount > 0 }, DefaultTraceLimit},
		{"range", trace.Query{Range: narrow}, func(s trace.Summary) bool { return narrow.Contains(s.Start) }, DefaultTraceLimit},
		{"path only route", trace.Query{Route: "/api/checkout"}, func(s trace.Summary) bool { return s.RootName == "POST /checkout" }, DefaultTraceLimit},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := tt.q
			q.Service = "checkout"
			if q.Route == "" {
				q.Route = "POST /api/checkout"
			}
			if q.Range.End.IsZero() {
				q.Range = lastHour
			}
			res, err := s.FindTraces(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Traces) == 0 || len(res.Traces) > tt.max {
				t.Fatalf("%d traces, want 1..%d", len(res.Traces), tt.max)
			}
			for _, sum := range res.Traces {
				if !tt.check(sum) {
					t.Errorf("trace %s (%v, %d errors, at %v) does not pass the filter", sum.TraceID, sum.MatchedDuration, sum.ErrorCount, sum.Start)
				}
			}
			if len(res.Queries) != 1 || res.Queries[0].Backend != Backend || res.Queries[0].Language != funnel.TraceQL {
				t.Errorf("queries %+v", res.Queries)
			}
		})
	}
}

func TestTraceRejectsUnknownIDs(t *testing.T) {
	s := newTestSource(1)
	tests := []struct{ name, id string }{
		{"not hex", "checkout-trace"},
		{"empty", ""},
		{"too long", strings.Repeat("a", 33)},
		{"valid hex, not minted by the demo", "4bf92f3577b34da6a3ce929d0e0e4736"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Trace(context.Background(), tt.id, lastHour)
			if !errors.Is(err, trace.ErrNotFound) || !strings.HasPrefix(err.Error(), "demo: ") {
				t.Errorf("error = %v, want a demo trace.ErrNotFound", err)
			}
		})
	}
}

func TestTraceIDsRoundTrip(t *testing.T) {
	rnd := newRNG(42)
	for range 2000 {
		k := traceKey{
			route:    rnd.intn(len(routeTable)),
			failed:   rnd.chance(0.5),
			quantile: uint16(rnd.next()),
			start:    testNow.Add(-time.Duration(rnd.intn(1e9)) * time.Millisecond).Truncate(time.Millisecond),
			nonce:    uint32(rnd.next()) & (1<<nonceBits - 1),
		}
		id := k.encode()
		got, ok := decodeTraceID(id)
		if !ok || got.route != k.route || got.failed != k.failed || got.quantile != k.quantile || !got.start.Equal(k.start) || got.nonce != k.nonce {
			t.Fatalf("%s decoded to %+v, want %+v", id, got, k)
		}
		if trace.NormalizeTraceID(id) != id {
			t.Fatalf("%s is not a normalised trace ID", id)
		}
	}
}

func TestCancelledContext(t *testing.T) {
	s := newTestSource(1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	id := slowestCheckoutTrace(t, s).ID
	calls := map[string]func() error{
		"SLOs":   func() error { _, err := s.SLOs(ctx, lastHour); return err },
		"Routes": func() error { _, err := s.Routes(ctx, red.Query{Service: "checkout", Range: lastHour}); return err },
		"FindTraces": func() error {
			_, err := s.FindTraces(ctx, trace.Query{Service: "checkout", Route: "POST /api/checkout"})
			return err
		},
		"Trace":     func() error { _, err := s.Trace(ctx, id, lastHour); return err },
		"TraceLogs": func() error { _, err := s.TraceLogs(ctx, logsQuery(id)); return err },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			if err := call(); !errors.Is(err, context.Canceled) {
				t.Errorf("error = %v, want context.Canceled", err)
			}
		})
	}
}

func TestCancellationStopsAStressTraceMidway(t *testing.T) {
	s := newTestSource(1)
	res, err := s.FindTraces(context.Background(), trace.Query{Service: "checkout", Route: "GET /api/checkout/{id}", Range: lastHour})
	if err != nil {
		t.Fatal(err)
	}
	key, _ := decodeTraceID(res.Traces[len(res.Traces)-1].TraceID)
	ctx, cancel := context.WithCancel(context.Background())
	p := newPlan(key)
	p.items = stressItems(s, key)
	g := &generator{src: s, plan: p, traceID: key.encode(), ctx: ctx}
	g.span("", "checkout", "warm-up", trace.KindServer, testNow, time.Second)
	cancel()
	for g.err == nil && len(g.spans) < 2*cancelCheckEvery {
		g.span("", "checkout", "busy", trace.KindInternal, testNow, time.Millisecond)
	}
	if !errors.Is(g.err, context.Canceled) {
		t.Fatalf("generation kept going after cancel: %v", g.err)
	}
}

// TestSpanCountBounds generates every route in every shape, failing or not,
// across many shapes of trace, and checks the span count bounds.
func TestSpanCountBounds(t *testing.T) {
	s := newTestSource(1)
	for route, r := range routeTable {
		for _, key := range shapesOf(route) {
			t.Run(r.key(), func(t *testing.T) {
				lo, hi := 1<<30, 0
				for nonce := range uint32(40) {
					key.nonce = nonce * 7919
					key.quantile = uint16(nonce * 1637)
					g, err := s.generate(context.Background(), key.canonical(), false)
					if err != nil {
						t.Fatal(err)
					}
					lo, hi = min(lo, len(g.spans)), max(hi, len(g.spans))
				}
				if lo < 20 || hi > 3000 {
					t.Errorf("shape %d failed=%v: %d..%d spans, want 20..3000", key.shape, key.failed, lo, hi)
				}
			})
		}
	}
}

// shapesOf lists the trace keys a route can mint (nonce and quantile vary).
func shapesOf(route int) []traceKey {
	base := traceKey{route: route, start: testNow.Add(-10 * time.Minute)}
	failed := base
	failed.failed = true
	out := []traceKey{base, failed}
	if routeTable[route].onIncidentPath() {
		timeout := base
		timeout.shape = shapeTimeout
		out = append(out, timeout)
	}
	return out
}

// A few of the slowest checkout traces are partial: checkout gave up on
// payments at its deadline and payments, still retrying, has not reported.
// The summary says so, and the trace's call to payments is unanswered.
func TestSlowestCheckoutTracesIncludePartialOnes(t *testing.T) {
	s := newTestSource(1)
	ctx := context.Background()
	res, err := s.FindTraces(ctx, trace.Query{Service: "checkout", Route: "POST /api/checkout", Range: lastHour, Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	var partial []trace.Summary
	for _, sum := range res.Traces {
		if sum.Completeness.Partial() {
			partial = append(partial, sum)
		}
	}
	if len(partial) == 0 || len(partial) > len(res.Traces)/2 {
		t.Fatalf("%d of %d slowest traces are partial, want a few", len(partial), len(res.Traces))
	}
	for _, sum := range partial {
		if c := sum.Completeness; len(c.Callees) != 1 || c.Callees[0] != "payments" {
			t.Errorf("trace %s: %s, want payments unreported", sum.TraceID, c.Reason())
		}
		tr, err := s.Trace(ctx, sum.TraceID, lastHour)
		if err != nil {
			t.Fatal(err)
		}
		tree := trace.BuildKnowing(tr, sum.Completeness.Callees)
		if !tree.Completeness.Partial() || slices.Contains(tree.Services, "payments") {
			t.Errorf("trace %s: tree %+v with services %v", sum.TraceID, tree.Completeness, tree.Services)
		}
		if b := tree.Bottleneck(); tree.Nodes[b].Callee != "" {
			t.Errorf("trace %s: the bottleneck is the unanswered call %s", sum.TraceID, tree.Nodes[b].Span.Name)
		}
	}
}

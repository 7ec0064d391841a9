package walk

import (
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
)

var (
	t0  = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	rng = funnel.Last(time.Hour, t0)
)

func TestWorstSLO(t *testing.T) {
	statuses := []slo.Status{
		{Objective: slo.Objective{Service: "cart"}, Verdict: slo.OK},
		{Objective: slo.Objective{Service: "checkout"}, Verdict: slo.Critical},
		{Objective: slo.Objective{Service: "cart", Name: "latency"}, Verdict: slo.Increasing},
	}
	if st, ok := WorstSLO(statuses, ""); !ok || st.Objective.Service != "checkout" {
		t.Errorf("worst = %+v, %v", st.Objective, ok)
	}
	if st, ok := WorstSLO(statuses, "cart"); !ok || st.Objective.Name != "latency" {
		t.Errorf("worst of cart = %+v, %v", st.Objective, ok)
	}
	if _, ok := WorstSLO(statuses, "nope"); ok {
		t.Error("an SLO of an unknown service was found")
	}
	if statuses[0].Objective.Service != "cart" {
		t.Error("WorstSLO sorted its argument")
	}
}

func TestRoute(t *testing.T) {
	rows := []red.Row{{Route: "GET /a", Rate: 10, ErrorRatio: 0.01, BadRate: 0.1}, {Route: "POST /b", Rate: 10, ErrorRatio: 0.5, BadRate: 5}}
	if r, ok := Route(rows, ""); !ok || r.Route != "POST /b" || r.BurnShare == 0 {
		t.Errorf("top route = %+v, %v", r, ok)
	}
	if r, ok := Route(rows, "GET /a"); !ok || r.Route != "GET /a" {
		t.Errorf("named route = %+v, %v", r, ok)
	}
	if r, ok := Route(rows, "GET /gone"); ok || r.Route != "GET /gone" {
		t.Errorf("missing named route = %+v, %v; want a zero row naming it", r, ok)
	}
	if _, ok := Route(nil, ""); ok {
		t.Error("a route was taken from no rows")
	}
}

func TestTraceSearch(t *testing.T) {
	route := red.Row{Route: "POST /b", P95: units.Quantile{Value: 2 * time.Second, Known: true}}
	q := TraceSearch("shop", route, rng, false)
	if q.MinDuration != 2*time.Second || q.ErrorsOnly || q.Limit != TraceLimit || q.Service != "shop" || q.Route != "POST /b" || q.Range != rng {
		t.Errorf("slowest search = %+v", q)
	}
	q = TraceSearch("shop", route, rng, true)
	if q.MinDuration != 0 || !q.ErrorsOnly || q.Limit != TraceLimit {
		t.Errorf("errors search = %+v", q)
	}
	if q := TraceSearch("shop", red.Row{Route: "POST /b"}, rng, false); q.MinDuration != 0 {
		t.Errorf("a route without data got a floor: %+v", q)
	}
}

func TestTracesMergesExemplars(t *testing.T) {
	route := red.Row{Route: "POST /b", Exemplars: []red.Exemplar{
		{TraceID: "AA", Value: 9 * time.Second, Time: t0.Add(-time.Minute)},      // not found: merged
		{TraceID: "bb", Value: 3 * time.Second, Time: t0.Add(-time.Minute)},      // found already
		{TraceID: "cc", Value: 8 * time.Second, Time: t0.Add(-2 * time.Hour)},    // out of range
		{TraceID: "not hex", Value: 7 * time.Second, Time: t0.Add(-time.Minute)}, // no trace ID
	}}
	found := []trace.Summary{{TraceID: trace.NormalizeTraceID("bb"), Duration: 3 * time.Second}, {TraceID: trace.NormalizeTraceID("dd"), Duration: 4 * time.Second}}
	q := TraceSearch("shop", route, rng, false)
	got := Traces(q, route, found)
	var ids []string
	for _, s := range got {
		ids = append(ids, strings.TrimLeft(s.TraceID, "0"))
	}
	if strings.Join(ids, ",") != "aa,dd,bb" {
		t.Errorf("traces = %v, want the exemplar merged and slowest first", ids)
	}
	if got := Traces(TraceSearch("shop", route, rng, true), route, found); len(got) != 2 {
		t.Errorf("errors mode merged exemplars: %d traces", len(got))
	}
	if found[0].Duration != 3*time.Second {
		t.Error("Traces reordered its argument")
	}
}

func TestHowPicked(t *testing.T) {
	q := TraceSearch("shop", red.Row{P95: units.Quantile{Value: 2500 * time.Millisecond, Known: true}}, rng, false)
	c := trace.Choice{Index: 1, Skipped: 1}
	if got, want := HowPicked(c, q, 7), "slowest complete trace; 1 slower trace is partial, among 7 traces ≥ p95 2.50s"; got != want {
		t.Errorf("HowPicked = %q, want %q", got, want)
	}
	if got := HowPicked(trace.Choice{}, q, TraceLimit); !strings.HasSuffix(got, "the search's limit") {
		t.Errorf("HowPicked at the limit = %q", got)
	}
	if got := HowPicked(trace.Choice{}, TraceSearch("shop", red.Row{}, rng, false), 3); !strings.Contains(got, "any duration") {
		t.Errorf("HowPicked without p95 = %q", got)
	}
}

func TestTraceLogs(t *testing.T) {
	span := funnel.TimeRange{Start: t0.Add(-5 * time.Second), End: t0}
	q := TraceLogs("ab", "cd", []string{"shop"}, span, rng)
	if q.TraceID != "ab" || q.SpanID != "cd" || q.Range != span || q.Limit != LogLimit || len(q.Services) != 1 {
		t.Errorf("query = %+v", q)
	}
	if q := TraceLogs("ab", "", nil, funnel.TimeRange{}, rng); q.Range != rng {
		t.Errorf("a trace without spans searched %v, want the fallback %v", q.Range, rng)
	}
}

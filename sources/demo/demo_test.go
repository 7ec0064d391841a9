package demo

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

func newTestSource(seed int64) *Source {
	return newSourceAt(seed, testNow)
}

func newSourceAt(seed int64, now time.Time) *Source {
	return New(Options{Seed: seed, Now: func() time.Time { return now }})
}

// lastHour is the range the UI asks for by default.
var lastHour = funnel.Last(time.Hour, testNow)

// slowestCheckoutTrace is the trace the funnel picks for the checkout
// route: the slowest complete one.
func slowestCheckoutTrace(t testing.TB, s *Source) *trace.Trace {
	t.Helper()
	res, err := s.FindTraces(context.Background(), trace.Query{Service: "checkout", Route: "POST /api/checkout", Range: lastHour})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Traces) == 0 {
		t.Fatal("no checkout traces")
	}
	tr, err := s.Trace(context.Background(), res.Traces[trace.PickSlowest(res.Traces, false).Index].TraceID, lastHour)
	if err != nil {
		t.Fatal(err)
	}
	return tr
}

func TestSameSeedAndClockGiveIdenticalAnswers(t *testing.T) {
	answers := func(s *Source) []any {
		ctx := context.Background()
		sl, err1 := s.SLOs(ctx, lastHour)
		rt, err2 := s.Routes(ctx, red.Query{Service: "checkout", Range: lastHour})
		ft, err3 := s.FindTraces(ctx, trace.Query{Service: "payments", Route: "POST /charge", Range: lastHour})
		tr, err4 := s.Trace(ctx, ft.Traces[0].TraceID, lastHour)
		return []any{sl, rt, ft, tr, errors.Join(err1, err2, err3, err4)}
	}
	a, b := answers(newTestSource(7)), answers(newTestSource(7))
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two sources with the same seed and clock answered differently")
	}
	if a[4] != nil {
		t.Fatal(a[4])
	}
	if c := answers(newTestSource(8)); reflect.DeepEqual(a[2], c[2]) {
		t.Fatal("another seed gave the same traces")
	}
}

func TestClockMovesTheNumbers(t *testing.T) {
	early := newTestSource(1)
	later := New(Options{Seed: 1, Now: func() time.Time { return testNow.Add(3 * time.Minute) }})
	// The same instance queried later: the incident keeps its anchor.
	clock := testNow
	moving := New(Options{Seed: 1, Now: func() time.Time { return clock }})
	ctx := context.Background()

	a, _ := early.SLOs(ctx, funnel.TimeRange{})
	clock = clock.Add(3 * time.Minute)
	b, _ := moving.SLOs(ctx, funnel.TimeRange{})
	if burn(t, a, "checkout") == burn(t, b, "checkout") {
		t.Error("checkout's current burn did not move with the clock")
	}
	if burn(t, b, "checkout") <= burn(t, a, "checkout")*0.9 {
		t.Errorf("checkout's burn fell from %.2f to %.2f while the incident goes on", burn(t, a, "checkout"), burn(t, b, "checkout"))
	}
	r1, _ := early.Routes(ctx, red.Query{Service: "cart", Range: funnel.TimeRange{}})
	r2, _ := later.Routes(ctx, red.Query{Service: "cart", Range: funnel.TimeRange{}})
	if r1.Rows[0].Rate == r2.Rows[0].Rate {
		t.Error("cart's top route rate did not move with the clock")
	}
}

func burn(t *testing.T, r slo.Report, service string) float64 {
	t.Helper()
	for _, s := range r.Statuses {
		if s.Objective.Service == service && s.Objective.Name == "availability" {
			return s.CurrentBurn
		}
	}
	t.Fatalf("no availability SLO for %s", service)
	return 0
}

func TestSLOStory(t *testing.T) {
	report, err := newTestSource(1).SLOs(context.Background(), lastHour)
	if err != nil {
		t.Fatal(err)
	}
	first := report.Statuses[0]
	if first.Objective.Service != "checkout" || first.Objective.Name != "availability" || first.Verdict != slo.Critical {
		t.Fatalf("first status is %s %s %v, want checkout availability CRITICAL", first.Objective.Service, first.Objective.Name, first.Verdict)
	}
	tests := []struct {
		service, name string
		want          []slo.Verdict
		lowTraffic    bool
	}{
		{"checkout", "availability", []slo.Verdict{slo.Critical}, false},
		{"payments", "availability", []slo.Verdict{slo.Critical, slo.Increasing}, false},
		{"inventory", "availability", []slo.Verdict{slo.Recovering}, false},
		{"cart", "availability", []slo.Verdict{slo.OK}, false},
		{"shipping", "availability", []slo.Verdict{slo.OK}, true},
		{"checkout", "latency", []slo.Verdict{slo.OK, slo.Increasing}, false},
	}
	for _, tt := range tests {
		t.Run(tt.service+"/"+tt.name, func(t *testing.T) {
			st := findStatus(t, report, tt.service, tt.name)
			if !slices.Contains(tt.want, st.Verdict) {
				t.Errorf("verdict %v, want one of %v", st.Verdict, tt.want)
			}
			if st.LowTraffic != tt.lowTraffic {
				t.Errorf("LowTraffic %v, want %v (caveat %q)", st.LowTraffic, tt.lowTraffic, st.Caveat)
			}
			if st.Objective.Origin != slo.OriginDemo {
				t.Errorf("origin %q", st.Objective.Origin)
			}
			if n := len(st.BurnHistory); n < 60 {
				t.Errorf("burn history has %d points", n)
			}
		})
	}
	if len(report.Queries) == 0 {
		t.Error("no queries recorded")
	}
}

func findStatus(t *testing.T, r slo.Report, service, name string) slo.Status {
	t.Helper()
	for _, s := range r.Statuses {
		if s.Objective.Service == service && s.Objective.Name == name {
			return s
		}
	}
	t.Fatalf("no %s SLO for %s", name, service)
	return slo.Status{}
}

func TestCheckoutPageWindowsBurnHard(t *testing.T) {
	st := findStatus(t, mustSLOs(t), "checkout", "availability")
	page := st.Burns[0]
	if page.Long != time.Hour || page.Short != 5*time.Minute {
		t.Fatalf("first window is %v/%v", page.Long, page.Short)
	}
	for _, b := range []float64{page.LongBurn, page.ShortBurn} {
		if b < 15 || b > 35 {
			t.Errorf("page burn %.1f outside the story's 15..35", b)
		}
	}
}

func mustSLOs(t *testing.T) slo.Report {
	t.Helper()
	r, err := newTestSource(1).SLOs(context.Background(), lastHour)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestRoutes(t *testing.T) {
	s := newTestSource(1)
	for _, service := range serviceNames {
		t.Run(service, func(t *testing.T) {
			rep, err := s.Routes(context.Background(), red.Query{Service: service, Range: lastHour})
			if err != nil {
				t.Fatal(err)
			}
			if n := len(rep.Rows); n < 3 || n > 8 {
				t.Errorf("%d routes", n)
			}
			for _, row := range rep.Rows {
				checkRow(t, s, row)
			}
			if len(rep.Queries) == 0 {
				t.Error("no queries recorded")
			}
		})
	}
	rep, _ := s.Routes(context.Background(), red.Query{Service: "checkout", Range: lastHour})
	if top := rep.Rows[0]; top.Route != "POST /api/checkout" || top.BurnShare < 0.5 {
		t.Errorf("top checkout route is %s with burn share %.2f", top.Route, top.BurnShare)
	}
}

func checkRow(t *testing.T, s *Source, row red.Row) {
	t.Helper()
	if n := len(row.RateHistory); n < 30 || n > 60 || len(row.ErrorHistory) != n || len(row.LatencyHistory) != n {
		t.Errorf("%s: histories of %d/%d/%d points", row.Route, n, len(row.ErrorHistory), len(row.LatencyHistory))
	}
	if row.Rate <= 0 || !(row.P50.Known && row.P50.Value > 0 && row.P50.Compare(row.P95) <= 0 && row.P95.Compare(row.P99) <= 0) {
		t.Errorf("%s: rate %.3f, p50 %v p95 %v p99 %v", row.Route, row.Rate, row.P50, row.P95, row.P99)
	}
	for _, ex := range row.Exemplars {
		tr, err := s.Trace(context.Background(), ex.TraceID, lastHour)
		if err != nil {
			t.Errorf("%s: exemplar %s: %v", row.Route, ex.TraceID, err)
			continue
		}
		if sp := spanByID(tr, ex.SpanID); sp == nil || sp.Duration != ex.Value || sp.Name != row.Route {
			t.Errorf("%s: exemplar span %s not found as a %v server span of the route", row.Route, ex.SpanID, ex.Value)
		}
	}
}

func spanByID(tr *trace.Trace, id string) *trace.Span {
	for i := range tr.Spans {
		if tr.Spans[i].SpanID == id {
			return &tr.Spans[i]
		}
	}
	return nil
}

func TestUnknownServiceAndRoute(t *testing.T) {
	s := newTestSource(1)
	ctx := context.Background()
	if _, err := s.Routes(ctx, red.Query{Service: "billing", Range: lastHour}); err == nil || !strings.Contains(err.Error(), "demo: unknown service") {
		t.Errorf("Routes(billing) error = %v", err)
	}
	if _, err := s.FindTraces(ctx, trace.Query{Service: "checkout", Route: "GET /nope"}); err == nil || !strings.Contains(err.Error(), "no route") {
		t.Errorf("FindTraces(GET /nope) error = %v", err)
	}
}

func TestSlowestCheckoutTraceHasPaymentsTimeoutOnCriticalPath(t *testing.T) {
	tr := slowestCheckoutTrace(t, newTestSource(1))
	if n := len(tr.Spans); n < 100 || n > 3000 {
		t.Errorf("slowest checkout trace has %d spans, want a few hundred", n)
	}
	tree := trace.Build(tr)
	var timeout *trace.Span
	for _, i := range tree.CriticalPath {
		sp := tree.Nodes[i].Span
		if sp.Service == "payments" && sp.Status == trace.StatusError && strings.Contains(sp.StatusMessage, "deadline exceeded") {
			timeout = sp
		}
	}
	if timeout == nil {
		t.Fatal("no failed payments timeout span on the critical path")
	}
	if timeout.Duration < time.Second {
		t.Errorf("payments timeout span lasts %v", timeout.Duration)
	}
	if !hasException(tr) {
		t.Error("no error span carries an exception event with a stack trace")
	}
}

func hasException(tr *trace.Trace) bool {
	for _, sp := range tr.Spans {
		for _, e := range sp.Events {
			if e.Name != "exception" {
				continue
			}
			for _, a := range e.Attributes {
				if a.Key == "exception.stacktrace" && strings.Contains(a.Value, "goroutine") {
					return sp.Status == trace.StatusError
				}
			}
		}
	}
	return false
}

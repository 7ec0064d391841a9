package ui

import (
	"context"
	"errors"
	"github.com/redline-tui/redline/funnel/units"
	"slices"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/uitest"
)

// clock is the fixed time of every test.
var clock = time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

// fake is one backend serving every step from fixed data. With block set,
// calls wait for their context to end; cancelled records which did.
type fake struct {
	name   string
	err    error
	block  bool
	data   fixture
	mu     sync.Mutex
	calls  map[string]int
	ranges []funnel.TimeRange
	// cancelled receives the method name of every call cut short by its context.
	cancelled chan string
}

type fixture struct {
	statuses []slo.Status
	routes   []red.Row
	traces   []trace.Summary
	trace    *trace.Trace
	lines    []logs.Line
	alerts   []alert.Alert // matched to statuses as the sources do
}

func newFake(name string, data fixture) *fake {
	return &fake{name: name, data: data, calls: map[string]int{}, cancelled: make(chan string, 16)}
}

func (f *fake) Name() string { return f.name }

func (f *fake) called(method string, ctx context.Context, r funnel.TimeRange) error {
	f.mu.Lock()
	f.calls[method]++
	f.ranges = append(f.ranges, r)
	f.mu.Unlock()
	if f.block {
		<-ctx.Done()
		f.cancelled <- method
		return ctx.Err()
	}
	return f.err
}

func (f *fake) count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[method]
}

func (f *fake) SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	if err := f.called("SLOs", ctx, r); err != nil {
		return slo.Report{}, err
	}
	rep := slo.Report{Statuses: slices.Clone(f.data.statuses), Warnings: []string{"range " + r.String()},
		Queries: []funnel.Query{{Backend: f.name, Language: funnel.PromQL, Purpose: "error ratio over 1h",
			Text: `sum(rate(http_requests_total{code=~"5.."}[1h]))`, Range: r}}}
	if f.data.alerts != nil {
		rep.AttachAlerts(f.data.alerts)
	}
	return rep, nil
}

func (f *fake) Routes(ctx context.Context, q red.Query) (red.Report, error) {
	service, r := q.Service, q.Range
	if err := f.called("Routes", ctx, r); err != nil {
		return red.Report{}, err
	}
	return red.Report{Service: service, Rows: f.data.routes, Convention: "OTel semconv"}, nil
}

func (f *fake) FindTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error) {
	if err := f.called("FindTraces", ctx, q.Range); err != nil {
		return trace.SearchResult{}, err
	}
	return trace.SearchResult{Traces: f.data.traces}, nil
}

func (f *fake) Trace(ctx context.Context, id string, r funnel.TimeRange) (*trace.Trace, error) {
	if err := f.called("Trace", ctx, r); err != nil {
		return nil, err
	}
	return f.data.trace, nil
}

func (f *fake) TraceLogs(ctx context.Context, q logs.Query) (logs.Result, error) {
	if err := f.called("TraceLogs", ctx, q.Range); err != nil {
		return logs.Result{}, err
	}
	return logs.Result{Lines: f.data.lines, Strategy: "structured metadata trace_id"}, nil
}

const (
	traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	rootID  = "00f067aa0ba902b7"
	childID = "00f067aa0ba902b8"
)

// incident is a small hand-made incident: checkout burns because its
// payment call is slow.
func incident(service, route, line string) fixture {
	start := clock.Add(-10 * time.Minute)
	burns := func(firing bool, long, short float64) []slo.WindowBurn {
		ws := []slo.Window{
			{Severity: slo.Page, Long: time.Hour, Short: 5 * time.Minute, Factor: 14.4},
			{Severity: slo.Page, Long: 6 * time.Hour, Short: 30 * time.Minute, Factor: 6},
			{Severity: slo.Ticket, Long: 24 * time.Hour, Short: 2 * time.Hour, Factor: 3},
			{Severity: slo.Ticket, Long: 72 * time.Hour, Short: 6 * time.Hour, Factor: 1},
		}
		out := make([]slo.WindowBurn, len(ws))
		for i, w := range ws {
			out[i] = slo.WindowBurn{Window: w, LongBurn: long / float64(i+1), ShortBurn: short / float64(i+1), Firing: firing && i == 0}
		}
		return out
	}
	history := []funnel.Point{{Time: start, Value: 1}, {Time: start.Add(time.Minute), Value: 20}}
	return fixture{
		statuses: []slo.Status{
			{Objective: slo.Objective{Service: "frontend", Name: "latency", Target: 0.99, Period: slo.DefaultPeriod, SLI: "requests under 300ms", Origin: slo.OriginConfig},
				At: clock, Burns: burns(false, 0.2, 0.1), CurrentBurn: 0.1, BudgetRemaining: 0.92, TimeToExhaustion: -1, Verdict: slo.OK},
			{Objective: slo.Objective{Service: service, Name: "availability", Target: 0.999, Period: slo.DefaultPeriod, SLI: "HTTP 5xx / all requests", Origin: slo.OriginSloth},
				At: clock, Burns: burns(true, 15.2, 31), CurrentBurn: 31, BudgetRemaining: 0.41, TimeToExhaustion: 3*time.Hour + 12*time.Minute,
				Verdict: slo.Critical, BurnHistory: history, LowTraffic: true, Caveat: "5m window holds 42 requests"},
		},
		routes: []red.Row{
			{Service: service, Route: "GET /api/cart", Rate: 40, ErrorRatio: 0, P50: units.Measured(8 * time.Millisecond), P95: units.Measured(15 * time.Millisecond), P99: units.Measured(20 * time.Millisecond)},
			{Service: service, Route: route, Rate: 12, ErrorRatio: 0.08, P50: units.Measured(600 * time.Millisecond), P95: units.Measured(1200 * time.Millisecond), P99: units.Measured(1500 * time.Millisecond),
				RateHistory: []float64{1, 2, 3}, ErrorHistory: []float64{0, 0.1}, LatencyHistory: []float64{0.5, 1.5},
				Exemplars: []red.Exemplar{{TraceID: traceID, SpanID: rootID, Value: 1500 * time.Millisecond, Time: start.Add(1500 * time.Millisecond)}}},
		},
		traces: []trace.Summary{{TraceID: traceID, RootService: service, RootName: route, Start: start, Duration: 1500 * time.Millisecond,
			SpanCount: 2, ErrorCount: 1, Services: []string{service, "payments"}}},
		trace: &trace.Trace{ID: traceID, Spans: []trace.Span{
			{TraceID: traceID, SpanID: rootID, Service: service, Name: route, Kind: trace.KindServer, Start: start, Duration: 1500 * time.Millisecond},
			{TraceID: traceID, SpanID: childID, ParentID: rootID, Service: "payments", Name: "POST /charge", Kind: trace.KindServer,
				Start: start.Add(100 * time.Millisecond), Duration: 1300 * time.Millisecond, Status: trace.StatusError, StatusMessage: "timeout"},
		}},
		lines: []logs.Line{
			{Time: start.Add(50 * time.Millisecond), Level: logs.LevelInfo, Service: service, Body: line, Message: line, TraceID: traceID, SpanID: rootID},
			{Time: start.Add(1400 * time.Millisecond), Level: logs.LevelError, Service: "payments", Body: `{"msg":"charge timed out","attempt":2}`,
				Message: "charge timed out", Format: logs.FormatJSON, TraceID: traceID, SpanID: childID},
		},
	}
}

func defaultIncident() fixture { return incident("checkout", "POST /api/checkout", "checkout started") }

// driver runs the root model synchronously (package uitest).
type driver struct {
	*uitest.Driver
}

func newDriver(t *testing.T, width, height int, opts Options) *driver {
	t.Helper()
	if opts.Now == nil {
		opts.Now = fixedNow
	}
	opts.Ticker = uitest.NeverTick
	return &driver{uitest.New(t, New(opts), width, height)}
}

// m is the root model in its current state.
func (d *driver) m() Model { return d.Model.(Model) }

func press(s string) tea.KeyPressMsg { return uitest.Press(s) }

var errUnavailable = errors.New("prometheus: 503 Service Unavailable: query timed out")

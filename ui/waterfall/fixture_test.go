package waterfall

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/theme"
	"github.com/redline-tui/redline/ui/uitest"
)

// epoch is the fixed clock of every test.
var epoch = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

const goldenTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"

// spanSpec is one span of a hand-written trace: offsets in milliseconds
// from epoch.
type spanSpec struct {
	id, parent, service, name string
	kind                      trace.Kind
	startMS, endMS            float64
	status                    trace.StatusCode
}

// goldenSpecs is a checkout request: frontend → checkout → payments, where
// the payment gateway is the slow part (a timed-out first attempt, marked
// error, then a slow retry), so the critical path runs through it.
var goldenSpecs = []spanSpec{
	{"a000000000000001", "", "frontend", "POST /api/checkout", trace.KindServer, 0, 1200, trace.StatusUnset},
	{"a000000000000002", "a000000000000001", "frontend", "auth.verify", trace.KindInternal, 2, 30, trace.StatusUnset},
	{"a000000000000003", "a000000000000002", "frontend", "redis GET session", trace.KindClient, 5, 12, trace.StatusUnset},
	{"a000000000000004", "a000000000000001", "frontend", "csrf.check", trace.KindInternal, 31, 33, trace.StatusUnset},
	{"a000000000000005", "a000000000000001", "frontend", "GET /recommendations", trace.KindClient, 31, 60, trace.StatusUnset},
	{"a000000000000006", "a000000000000001", "frontend", "POST checkout", trace.KindClient, 35, 1195, trace.StatusUnset},
	{"b000000000000001", "a000000000000006", "checkout", "POST /api/checkout", trace.KindServer, 38, 1190, trace.StatusUnset},
	{"b000000000000002", "b000000000000001", "checkout", "load cart", trace.KindInternal, 40, 90, trace.StatusUnset},
	{"b000000000000003", "b000000000000002", "checkout", "SELECT cart_items", trace.KindClient, 42, 70, trace.StatusUnset},
	{"b000000000000004", "b000000000000002", "checkout", "SELECT prices", trace.KindClient, 71, 88, trace.StatusUnset},
	{"b000000000000005", "b000000000000001", "checkout", "cache.hit", trace.KindInternal, 91, 91, trace.StatusUnset},
	{"b000000000000006", "b000000000000001", "checkout", "validate inventory", trace.KindInternal, 92, 150, trace.StatusUnset},
	{"b000000000000007", "b000000000000006", "checkout", "GET inventory/1", trace.KindClient, 92.5, 110, trace.StatusUnset},
	{"b000000000000008", "b000000000000006", "checkout", "GET inventory/2", trace.KindClient, 95, 120, trace.StatusUnset},
	{"b000000000000009", "b000000000000006", "checkout", "GET inventory/3", trace.KindClient, 100, 140, trace.StatusUnset},
	{"b00000000000000a", "b000000000000006", "checkout", "GET inventory/4", trace.KindClient, 105, 148, trace.StatusUnset},
	{"b00000000000000b", "b000000000000001", "checkout", "apply coupon", trace.KindInternal, 150, 151.5, trace.StatusUnset},
	{"b00000000000000c", "b000000000000001", "checkout", "reserve order", trace.KindInternal, 152, 170, trace.StatusUnset},
	{"b00000000000000d", "b00000000000000c", "checkout", "INSERT orders", trace.KindClient, 153, 168, trace.StatusUnset},
	{"b00000000000000e", "b000000000000001", "checkout", "charge-card", trace.KindClient, 172, 1185, trace.StatusUnset},
	{"c000000000000001", "b00000000000000e", "payments", "POST /charge", trace.KindServer, 175, 1180, trace.StatusUnset},
	{"c000000000000002", "c000000000000001", "payments", "fraud.check", trace.KindInternal, 178, 240, trace.StatusUnset},
	{"c000000000000003", "c000000000000002", "payments", "SELECT risk_score", trace.KindClient, 180, 232, trace.StatusUnset},
	{"c000000000000004", "c000000000000001", "payments", "tokenize card", trace.KindInternal, 241, 244, trace.StatusUnset},
	{"c000000000000005", "c000000000000001", "payments", "gateway.authorize", trace.KindClient, 245, 1178, trace.StatusUnset},
	{"c000000000000006", "c000000000000005", "payments", "attempt 1", trace.KindClient, 250, 550, trace.StatusError},
	{"c000000000000007", "c000000000000005", "payments", "backoff", trace.KindInternal, 550, 560, trace.StatusUnset},
	{"c000000000000008", "c000000000000005", "payments", "attempt 2", trace.KindClient, 560, 1175, trace.StatusUnset},
	{"c000000000000009", "c000000000000008", "payments", "tls handshake", trace.KindInternal, 561, 590, trace.StatusUnset},
	{"c00000000000000a", "c000000000000008", "payments", "await response", trace.KindInternal, 590, 1172, trace.StatusUnset},
}

func ms(v float64) time.Duration { return time.Duration(v * float64(time.Millisecond)) }

// goldenTrace is the deterministic ~30-span checkout trace of the golden
// tests.
func goldenTrace() *trace.Trace {
	t := &trace.Trace{ID: goldenTraceID}
	for _, s := range goldenSpecs {
		t.Spans = append(t.Spans, trace.Span{
			TraceID:  goldenTraceID,
			SpanID:   s.id,
			ParentID: s.parent,
			Service:  s.service,
			Name:     s.name,
			Kind:     s.kind,
			Start:    epoch.Add(ms(s.startMS)),
			Duration: ms(s.endMS - s.startMS),
			Status:   s.status,
			Resource: []trace.Attr{{Key: "service.name", Value: s.service}},
		})
	}
	decorateError(&t.Spans[25])
	return t
}

// decorateError gives the failed gateway attempt what a real one carries.
func decorateError(s *trace.Span) {
	s.StatusMessage = "upstream timeout after 300ms"
	s.Attributes = []trace.Attr{
		{Key: "http.request.method", Value: "POST"},
		{Key: "server.address", Value: "gw.acquirer.example"},
		{Key: "http.response.status_code", Value: "504"},
		{Key: "error.type", Value: "timeout"},
	}
	s.Events = []trace.Event{{
		Time:       s.Start.Add(ms(299)),
		Name:       "exception",
		Attributes: []trace.Attr{{Key: "exception.type", Value: "TimeoutError"}},
	}}
	s.Links = []trace.Link{{TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331"}}
}

// syntheticTrace is an n-span trace with realistic fan-out: each span
// calls 1–8 children that run inside it, breadth first, over 24 services.
func syntheticTrace(n int) *trace.Trace {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	t := &trace.Trace{ID: goldenTraceID, Spans: make([]trace.Span, 0, n)}
	t.Spans = append(t.Spans, syntheticSpan(0, "", 0, epoch, 30*time.Second))
	for parent := 0; len(t.Spans) < n && parent < len(t.Spans); parent++ {
		p := t.Spans[parent]
		for range 1 + r.IntN(8) {
			if len(t.Spans) >= n {
				break
			}
			start := p.Start.Add(time.Duration(r.Float64() * 0.6 * float64(p.Duration)))
			room := p.End().Sub(start)
			dur := time.Duration(r.Float64() * float64(room))
			t.Spans = append(t.Spans, syntheticSpan(len(t.Spans), p.SpanID, r.IntN(24), start, dur))
		}
	}
	return t
}

func syntheticSpan(i int, parent string, service int, start time.Time, d time.Duration) trace.Span {
	s := trace.Span{
		TraceID:  goldenTraceID,
		SpanID:   fmt.Sprintf("%016x", i+1),
		ParentID: parent,
		Service:  fmt.Sprintf("svc-%02d", service),
		Name:     fmt.Sprintf("operation %d", i),
		Kind:     trace.KindServer,
		Start:    start,
		Duration: d,
	}
	if i%97 == 13 {
		s.Status = trace.StatusError
	}
	return s
}

// fakeSource serves a fixed trace or error; with block it waits for the
// context to end, as a hung backend would.
type fakeSource struct {
	trace *trace.Trace
	err   error
	block bool
	calls atomic.Int32
}

func (f *fakeSource) Name() string { return "tempo" }

func (f *fakeSource) Trace(ctx context.Context, traceID string, _ funnel.TimeRange) (*trace.Trace, error) {
	f.calls.Add(1)
	if f.block {
		<-ctx.Done()
		return nil, fmt.Errorf("tempo: %w", ctx.Err())
	}
	return f.trace, f.err
}

// testEnv is an environment with a fixed clock and the default keys.
func testEnv(noColor bool) pane.Env {
	st := theme.New(true, noColor)
	km := keys.Default()
	return pane.Env{
		Ctx:    context.Background(),
		Styles: &st,
		Keys:   &km,
		Range:  funnel.Last(time.Hour, epoch.Add(time.Hour)),
		Now:    func() time.Time { return epoch.Add(time.Hour) },
	}
}

func summaryOf(t *trace.Trace) trace.Summary {
	return trace.Summary{TraceID: t.ID, RootService: "frontend", RootName: "POST /api/checkout", Start: epoch}
}

// loadedModel is a waterfall of t at width×height with its load done.
func loadedModel(tb testing.TB, env pane.Env, t *trace.Trace, width, height int) *Model {
	tb.Helper()
	m := New(env, &fakeSource{trace: t}, summaryOf(t), env.Range).SetSize(width, height)
	loaded := deliver(tb, m, m.Init())
	return pressAll(tb, loaded, "g") // from the top: a fresh load selects the bottleneck
}

// send feeds msg to p and returns the updated model.
func send(tb testing.TB, p pane.Pane, msg tea.Msg) *Model {
	tb.Helper()
	next, _ := p.Update(msg)
	m, ok := next.(*Model)
	if !ok {
		tb.Fatalf("Update returned %T", next)
	}
	return m
}

// answers runs cmd and returns the messages it answers with, a batch
// flattened: a load's result and the backend's health.
func answers(cmd tea.Cmd) []tea.Msg {
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		return []tea.Msg{cmd()}
	}
	var out []tea.Msg
	for _, c := range batch {
		out = append(out, c())
	}
	return out
}

// deliver runs cmd and feeds every message it answers with to p.
func deliver(tb testing.TB, p pane.Pane, cmd tea.Cmd) *Model {
	tb.Helper()
	for _, msg := range answers(cmd) {
		p, _ = p.Update(msg)
	}
	m, ok := p.(*Model)
	if !ok {
		tb.Fatalf("Update returned %T", p)
	}
	return m
}

// press is the key press of a key name or character.
var press = uitest.Press

// pressAll sends the keys in order.
func pressAll(tb testing.TB, m *Model, ks ...string) *Model {
	tb.Helper()
	for _, k := range ks {
		m = send(tb, m, press(k))
	}
	return m
}

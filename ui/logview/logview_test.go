package logview

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/theme"
	"github.com/redline-tui/redline/ui/uitest"
)

// mixedLines are a trace's lines in time order: the error and the warning
// sit among ordinary lines, not first.
func mixedLines() []logs.Line {
	at := func(ms int) time.Time { return benchStart.Add(time.Duration(ms) * time.Millisecond) }
	return []logs.Line{
		{Time: at(0), Level: logs.LevelDebug, Service: "frontend", Message: "request received"},
		{Time: at(5), Level: logs.LevelInfo, Service: "checkout", Message: "cart loaded"},
		{Time: at(9), Level: logs.LevelWarn, Service: "payments", Message: "retrying card gateway"},
		{Time: at(12), Level: logs.LevelInfo, Service: "payments", Message: "attempt 2"},
		{Time: at(15), Level: logs.LevelError, Service: "payments", Message: "charge timed out"},
		{Time: at(20), Level: logs.LevelFatal, Service: "payments", Message: "worker crashed"},
		{Time: at(21), Level: logs.LevelUnknown, Service: "frontend", Message: "response sent"},
	}
}

func noColorPane(t *testing.T, width, height int) *Model {
	t.Helper()
	return loadedPane(t, manyLines{mixedLines()}, pane.OpenLogs{TraceID: testTrace, Range: funnel.Last(time.Hour, benchStart)}, width, height)
}

// loadedPane is the pane of target at width × height without colour, with
// src's answer shown.
func loadedPane(t *testing.T, src Source, target pane.OpenLogs, width, height int) *Model {
	t.Helper()
	styles := theme.New(true, true)
	km := keys.Default()
	env := pane.Env{Ctx: context.Background(), Styles: &styles, Keys: &km, Now: func() time.Time { return benchStart }}
	m := New(env, src, target)
	m.SetSize(width, height)
	run(m, m.Init())
	return m
}

func TestViewGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 21}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			golden.RequireEqual(t, ansi.Strip(noColorPane(t, size[0], size[1]).View()))
		})
	}
}

// TestGutterMarksErrorsAndWarnings: in time order, without colour, every
// error and fatal line carries ✖ and every warning ⚠ in the gutter, and
// the title counts them.
func TestGutterMarksErrorsAndWarnings(t *testing.T) {
	view := ansi.Strip(noColorPane(t, 80, 21).View())
	want := map[string]string{
		"retrying card gateway": warnMark, "charge timed out": errorMark, "worker crashed": errorMark,
		"cart loaded": "", "response sent": "",
	}
	for msg, mark := range want {
		line := ""
		for _, l := range strings.Split(view, "\n") {
			if strings.Contains(l, msg) {
				line = l
			}
		}
		gutter := strings.TrimSpace(string([]rune(line)[:3]))
		if gutter != mark {
			t.Errorf("line %q: gutter %q, want %q", msg, gutter, mark)
		}
	}
	if !strings.Contains(view, errorMark+" 2 errors · "+warnMark+" 1 warning · time order") {
		t.Errorf("the title does not count errors and warnings:\n%s", view)
	}
}

// TestNoHintLine: the keys are on the root's help line (Help); the pane
// does not print them again.
func TestNoHintLine(t *testing.T) {
	m := noColorPane(t, 160, 45)
	view := ansi.Strip(m.View())
	for _, b := range m.Help() {
		if strings.Contains(view, b.Help().Key+" "+b.Help().Desc) {
			t.Errorf("the pane repeats the hint %q:\n%s", b.Help().Key+" "+b.Help().Desc, view)
		}
	}
}

// colourSGR matches an SGR sequence that sets a foreground or background
// colour.
var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

const (
	testTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	testSpan  = "00f067aa0ba902b7"
)

// recording answers with the mixed lines plus one JSON line of a span
// (only that line when asked for the span), and records every query.
type recording struct {
	mu    sync.Mutex
	asked []logs.Query
}

func (*recording) Name() string { return "loki" }

func (r *recording) TraceLogs(_ context.Context, q logs.Query) (logs.Result, error) {
	r.mu.Lock()
	r.asked = append(r.asked, q)
	r.mu.Unlock()
	lines := append(mixedLines(), logs.Line{
		Time: benchStart.Add(30 * time.Millisecond), Level: logs.LevelInfo, Service: "checkout", SpanID: testSpan,
		Body: `{"msg":"order placed","order_id":"o-17","amount":"42.00"}`, Message: "order placed",
	})
	if q.SpanID != "" {
		lines = lines[len(lines)-1:]
	}
	return logs.Result{Lines: lines, Strategy: "JSON field trace_id on {service_name=\"checkout\"}"}, nil
}

func (r *recording) last() logs.Query {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.asked[len(r.asked)-1]
}

// spanPane is the log pane of one span at width × height without colour,
// loaded from a recording source.
func spanPane(t *testing.T, width, height int) (*Model, *recording) {
	t.Helper()
	src := &recording{}
	return loadedPane(t, src, pane.OpenLogs{TraceID: testTrace, SpanID: testSpan, Services: []string{"checkout"}, Range: funnel.Last(time.Hour, benchStart)}, width, height), src
}

// press sends each key to m and runs what it asks for.
func press(m *Model, names ...string) {
	for _, n := range names {
		_, cmd := m.Update(uitest.Press(n))
		run(m, cmd)
	}
}

// messages lists the MESSAGE of each row in display order.
func messages(m *Model) []string {
	out := make([]string, len(m.lines))
	for i, l := range m.lines {
		out[i] = message(l)
	}
	return out
}

func TestUpdateErrorsFirstKeepsTimeOrderWithin(t *testing.T) {
	m, _ := spanPane(t, 80, 24)
	press(m, "a") // the whole trace
	press(m, "E")
	want := []string{"charge timed out", "worker crashed", "retrying card gateway", "request received", "cart loaded", "attempt 2", "response sent", "order placed"}
	if got := messages(m); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("errors first: %q, want %q", got, want)
	}
	press(m, "E")
	if got := messages(m); got[0] != "request received" || got[len(got)-1] != "order placed" {
		t.Errorf("E again does not restore time order: %q", got)
	}
}

func TestUpdateSpanOnlyToggles(t *testing.T) {
	m, src := spanPane(t, 80, 24)
	if m.Title() != "logs of span" || src.last().SpanID != testSpan {
		t.Fatalf("a span's pane starts on its lines: title %q, query %+v", m.Title(), src.last())
	}
	press(m, "a")
	if m.Title() != "logs" || src.last().SpanID != "" || len(src.asked) != 2 {
		t.Errorf("a does not widen to the whole trace: title %q, %d queries, last %+v", m.Title(), len(src.asked), src.last())
	}
	press(m, "a")
	if m.Title() != "logs of span" || src.last().SpanID != testSpan {
		t.Errorf("a again does not narrow to the span: title %q, last %+v", m.Title(), src.last())
	}
}

func TestUpdateSpanOnlyNeedsASpan(t *testing.T) {
	m := noColorPane(t, 80, 24)
	_, cmd := m.Update(uitest.Press("a"))
	if cmd != nil || m.Title() != "logs" {
		t.Errorf("a on a whole trace's pane asked for %v, title %q", cmd, m.Title())
	}
}

func TestUpdateIgnoresRangeChanges(t *testing.T) {
	m, src := spanPane(t, 80, 24)
	_, cmd := m.Update(pane.RangeChanged{Range: funnel.Last(6*time.Hour, benchStart)})
	if cmd != nil || len(src.asked) != 1 {
		t.Errorf("a range change reloaded the trace's lines (%d queries)", len(src.asked))
	}
}

func TestUpdateFilter(t *testing.T) {
	m, _ := spanPane(t, 80, 24)
	press(m, "a", "/", "p", "a", "y", "enter")
	if m.Capturing() || m.Table.Filter() != "pay" || m.Table.Shown() != 4 {
		t.Errorf("filter %q shows %d lines (prompt open %v), want payments' 4", m.Table.Filter(), m.Table.Shown(), m.Capturing())
	}
}

func TestUpdateWrapAndFields(t *testing.T) {
	m, _ := spanPane(t, 80, 24)
	press(m, "a", "G", "x")
	view := ansi.Strip(m.View())
	for _, want := range []string{"order_id = o-17", "amount = 42.00", "wrap off"} {
		if !strings.Contains(view, want) {
			t.Errorf("x on the JSON line does not show %q:\n%s", want, view)
		}
	}
	press(m, "w")
	if !strings.Contains(ansi.Strip(m.View()), "wrap on") {
		t.Error("w does not turn wrapping on")
	}
}

// TestViewKeysGolden: the pane as an 80×24 terminal shows it (80×21 below
// the breadcrumb and above the help and status lines), without colour,
// after each key path: the span's lines, errors first with a JSON line's
// fields, and a filter.
func TestViewKeysGolden(t *testing.T) {
	tests := []struct {
		name string
		keys []string
	}{
		{"span_only", nil},
		{"errors_first_fields", []string{"a", "E", "G", "x"}},
		{"filtered", []string{"a", "/", "p", "a", "y", "enter"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := spanPane(t, 80, 21)
			press(m, tt.keys...)
			view := m.View()
			if colourSGR.MatchString(view) {
				t.Error("NO_COLOR view sets a colour")
			}
			golden.RequireEqual(t, ansi.Strip(view))
		})
	}
}

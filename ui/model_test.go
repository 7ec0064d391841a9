package ui

import (
	"context"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/sloview"
)

func allFrom(f *fake) Options {
	return Options{Sources: Sources{Metrics: f, Traces: f, Logs: f}, Context: "test", Version: "v0.0.0-test"}
}

func (d *driver) screen() string { return ansi.Strip(d.m().Render()) }

func (d *driver) titles() []string {
	out := make([]string, len(d.m().stack))
	for i, p := range d.m().stack {
		out[i] = p.Title()
	}
	return out
}

func TestDrillDownAndBack(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 80, 24, allFrom(f))
	steps := []struct {
		key   string
		depth int
		crumb string
		shows string
	}{
		{"enter", 2, "SLOs ▸ checkout", "POST /api/checkout"},
		{"enter", 3, "checkout ▸ POST /api/checkout", "trace 4bf92f35"},
		{"enter", 4, "▸ trace 4bf92f35", "POST /charge"},
		{"enter", 5, "▸ logs", "charge timed out"},
	}
	for _, s := range steps {
		d.Keys(s.key)
		screen := d.screen()
		if len(d.m().stack) != s.depth {
			t.Fatalf("after %s: stack %v, want depth %d\n%s", s.key, d.titles(), s.depth, screen)
		}
		crumb := strings.SplitN(screen, "\n", 2)[0]
		if !strings.Contains(crumb, s.crumb) {
			t.Errorf("depth %d: breadcrumb %q lacks %q", s.depth, crumb, s.crumb)
		}
		if !strings.Contains(screen, s.shows) {
			t.Errorf("depth %d: screen lacks %q:\n%s", s.depth, s.shows, screen)
		}
	}
	for depth := 4; depth >= 1; depth-- {
		d.Keys("esc")
		if len(d.m().stack) != depth {
			t.Fatalf("esc: stack %v, want depth %d", d.titles(), depth)
		}
	}
	d.Keys("esc")
	if len(d.m().stack) != 1 || d.Quit {
		t.Errorf("esc on the first pane must do nothing, stack %v quit %v", d.titles(), d.Quit)
	}
	if got := f.count("SLOs"); got != 1 {
		t.Errorf("walking back re-queried the SLOs %d times; the range did not change", got-1)
	}
}

func TestPoppingCancelsInFlightQueries(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 80, 24, allFrom(f))
	d.Keys("enter")
	f.block = true
	// Drill by hand so the blocking search runs on its own goroutine, as in
	// the program.
	next, cmd := d.m().Update(pane.OpenTraces{Service: "checkout", Row: f.data.routes[1]})
	d.Model = next
	done := make(chan struct{})
	go func() { cmd(); close(done) }()
	d.Keys("esc")
	if got := <-f.cancelled; got != "FindTraces" {
		t.Errorf("cancelled %s, want FindTraces", got)
	}
	<-done
	if len(d.m().stack) != 2 {
		t.Errorf("stack %v, want back on the routes", d.titles())
	}
}

func TestStaleResultsAreDropped(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 120, 24, allFrom(f))
	_, first := d.m().Update(pane.Refresh{}) // in flight when the range moves
	d.Keys("[")                              // re-queries for the earlier hour
	if !strings.Contains(d.screen(), "range 2026-11-21 19:00:00 – 20:00:00 UTC") {
		t.Fatalf("the shifted range's answer is not shown:\n%s", d.screen())
	}
	d.Run(first) // the older answer arrives last
	if strings.Contains(d.screen(), "range 2026-11-21 20:00:00") {
		t.Errorf("a stale answer replaced the current one:\n%s", d.screen())
	}
}

func TestRangeShift(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 100, 24, allFrom(f))
	d.Keys("enter")
	tests := []struct {
		key  string
		want funnel.TimeRange
	}{
		{"[", funnel.Last(time.Hour, clock.Add(-time.Hour))},
		{"[", funnel.Last(time.Hour, clock.Add(-2*time.Hour))},
		{"]", funnel.Last(time.Hour, clock.Add(-time.Hour))},
		{"]", funnel.Last(time.Hour, clock)},
		{"]", funnel.Last(time.Hour, clock)}, // never past now
	}
	for i, tt := range tests {
		d.Keys(tt.key)
		if d.m().rng != tt.want {
			t.Errorf("step %d %s: range %v, want %v", i, tt.key, d.m().rng, tt.want)
		}
		status := lastLine(d.screen())
		if !strings.Contains(status, tt.want.String()) {
			t.Errorf("step %d: status bar %q lacks %q", i, status, tt.want)
		}
	}
	// Both panes re-queried for each range change; the last ] changed nothing.
	if got := f.count("SLOs"); got != 5 {
		t.Errorf("SLOs queried %d times, want 1 + 4 range changes", got)
	}
	if got := f.count("Routes"); got != 5 {
		t.Errorf("Routes queried %d times, want 1 + 4 range changes", got)
	}
}

func lastLine(s string) string { return s[strings.LastIndex(s, "\n")+1:] }

func TestPauseStopsLiveRefresh(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 100, 24, allFrom(f))
	d.Send(liveTick{})
	if got := f.count("SLOs"); got != 2 {
		t.Fatalf("live tick: SLOs queried %d times, want 2", got)
	}
	d.Keys("p")
	if !strings.Contains(lastLine(d.screen()), "paused") {
		t.Errorf("status bar does not say paused: %q", lastLine(d.screen()))
	}
	d.Send(liveTick{})
	if got := f.count("SLOs"); got != 2 {
		t.Errorf("paused tick refreshed: SLOs queried %d times", got)
	}
	d.Keys("p")
	d.Send(liveTick{})
	if got := f.count("SLOs"); got != 3 {
		t.Errorf("resumed tick: SLOs queried %d times, want 3", got)
	}
}

func TestRefreshOnlyOneInFlight(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 100, 24, allFrom(f))
	_, first := d.m().Update(pane.Refresh{})
	_, second := d.m().Update(pane.Refresh{})
	if first == nil || second != nil {
		t.Errorf("a refresh while one is in flight must be ignored (first %v, second %v)", first != nil, second != nil)
	}
}

func TestFailingSourceKeepsTheRestWorking(t *testing.T) {
	f := newFake("prometheus", defaultIncident())
	f.err = errUnavailable
	d := newDriver(t, 80, 24, allFrom(f))
	screen := d.screen()
	for _, want := range []string{"✖ prometheus: 503 Service Unavailable", "r retries"} {
		if !strings.Contains(screen, want) {
			t.Errorf("pane lacks %q:\n%s", want, screen)
		}
	}
	if status := lastLine(screen); !strings.Contains(status, "prometheus ✖ 503") {
		t.Errorf("status bar %q does not report the failing backend", status)
	}
	d.Keys("?")
	if !strings.Contains(d.screen(), "redline v0.0.0-test — keys") {
		t.Errorf("help does not open while the source fails:\n%s", d.screen())
	}
	d.Keys("?")
	f.err = nil
	d.Keys("r")
	if screen := d.screen(); strings.Contains(screen, "✖ prometheus") || !strings.Contains(screen, "CRITICAL") {
		t.Errorf("r did not retry:\n%s", screen)
	}
	d.Keys("q")
	if !d.Quit {
		t.Error("q did not quit")
	}
}

func TestFailingLogsSourceInItsPane(t *testing.T) {
	good := newFake("demo", defaultIncident())
	bad := newFake("loki", defaultIncident())
	bad.err = errorString("loki: 401 Unauthorized: no org id")
	d := newDriver(t, 80, 24, Options{Sources: Sources{Metrics: good, Traces: good, Logs: bad}})
	d.Keys("enter", "enter", "enter", "enter")
	screen := d.screen()
	if !strings.Contains(screen, "✖ loki: 401 Unauthorized") || !strings.Contains(lastLine(screen), "loki ✖") {
		t.Errorf("the log error is not shown:\n%s", screen)
	}
	d.Keys("esc")
	if len(d.m().stack) != 4 {
		t.Errorf("esc after a failure: stack %v", d.titles())
	}
}

type errorString string

func (e errorString) Error() string { return string(e) }

func TestCapturingPaneGetsGlobalKeys(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 80, 24, allFrom(f))
	d.Keys("/", "q", "[", "?")
	if d.Quit || d.m().overlay != noOverlay || d.m().rng != funnel.Last(time.Hour, clock) {
		t.Fatalf("global keys acted while the filter prompt was open")
	}
	if !strings.Contains(d.screen(), "/q[?") {
		t.Errorf("the prompt did not receive the keys:\n%s", d.screen())
	}
	d.Keys("esc")
	if !d.m().focused().(*sloview.Model).Capturing() == false {
		t.Error("esc did not close the prompt")
	}
	d.Keys("q")
	if !d.Quit {
		t.Error("q after closing the prompt did not quit")
	}
}

func TestHelpListsEveryKey(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		f := newFake("demo", defaultIncident())
		d := newDriver(t, size[0], size[1], allFrom(f))
		d.Keys("?")
		screen := d.screen()
		for _, g := range d.m().keys.Groups() {
			for _, b := range g.Bindings {
				entry := b.Help().Key + " "
				if !strings.Contains(screen, entry) || !strings.Contains(screen, b.Help().Desc[:min(len(b.Help().Desc), 10)]) {
					t.Errorf("%dx%d: help lacks %q %q:\n%s", size[0], size[1], b.Help().Key, b.Help().Desc, screen)
				}
			}
		}
	}
}

func TestQueriesOverlay(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 80, 24, allFrom(f))
	d.Keys("Q")
	screen := d.screen()
	for _, want := range []string{"Queries behind SLOs", "PromQL · demo · error ratio over 1h", `sum(rate(http_requests_total{code=~"5.."}[1h]))`} {
		if !strings.Contains(screen, want) {
			t.Errorf("queries overlay lacks %q:\n%s", want, screen)
		}
	}
	d.Keys("esc")
	if d.m().overlay != noOverlay || len(d.m().stack) != 1 {
		t.Error("esc should close the overlay, not pop")
	}
}

// notSentMetrics answers SLOs with a second query that was not sent.
type notSentMetrics struct{ *fake }

func (m notSentMetrics) SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	rep, err := m.fake.SLOs(ctx, r)
	rep.Queries = append(rep.Queries, funnel.Query{Backend: "demo", Language: funnel.PromQL, Purpose: "burn history",
		Text: "sum(rate(x[5m]))", Range: r, NotSent: "demo timed out after 30s on detection"})
	return rep, err
}

func TestQueriesOverlaySaysWhichQueriesWereNotSent(t *testing.T) {
	f := newFake("demo", defaultIncident())
	opts := allFrom(f)
	opts.Metrics = notSentMetrics{f}
	d := newDriver(t, 80, 24, opts)
	d.Keys("Q")
	screen := d.screen()
	if !strings.Contains(screen, "not sent: demo timed out after 30s on detection") {
		t.Errorf("the queries overlay does not say the query was not sent:\n%s", screen)
	}
	if strings.Count(screen, "not sent") != 1 {
		t.Errorf("only the query not sent says so:\n%s", screen)
	}
}

func TestPagerOverlayFromSpanDetail(t *testing.T) {
	f := newFake("demo", defaultIncident())
	f.data.trace.Spans[1].Attributes = []trace.Attr{{Key: "exception.stacktrace", Value: strings.Repeat("at frame\n", 50)}}
	d := newDriver(t, 80, 24, allFrom(f))
	d.Keys("enter", "enter", "enter", "d", "v")
	if d.m().overlay != pagerOverlay {
		t.Fatalf("v on the span detail did not open the pager:\n%s", d.screen())
	}
	if help := strings.Split(d.screen(), "\n")[22]; !strings.Contains(help, "copy value") {
		t.Errorf("the help line does not name the pager's keys: %q", help)
	}
	d.Keys("y")
	if !strings.Contains(d.screen(), "value copied (OSC 52)") {
		t.Errorf("y in the pager did not copy the value:\n%s", d.screen())
	}
	d.Keys("/", "q", "esc")
	if d.Quit || d.m().overlay != pagerOverlay {
		t.Fatal("q typed at the pager's search prompt quit or closed the pager")
	}
	d.Keys("esc")
	if d.m().overlay != noOverlay || len(d.m().stack) != 4 {
		t.Errorf("esc should close the pager and stay on the waterfall, stack %v", d.titles())
	}
}

// TestRapidEnterDrillsOnce presses Enter three times before the first
// drill lands, as a hurried user does, on the SLO and the route steps:
// each step pushes one pane, and Esc walks back to the SLOs.
func TestRapidEnterDrillsOnce(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 80, 24, allFrom(f))
	for depth := 2; depth <= 3; depth++ {
		cmds := []tea.Cmd{d.press("enter"), d.press("enter"), d.press("enter")}
		for _, cmd := range cmds {
			d.Run(cmd)
		}
		if got := len(d.m().stack); got != depth {
			t.Fatalf("three quick Enters: stack %v, want depth %d", d.titles(), depth)
		}
	}
	d.Keys("esc", "esc")
	if got := d.titles(); len(got) != 1 {
		t.Fatalf("esc twice: stack %v, want the SLOs alone", got)
	}
}

package main

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// clock is the fixed time of the golden demo.
var clock = time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC)

func fixedNow() time.Time { return clock }

func demoDriver(tb testing.TB, width, height int) *uitest.Driver {
	opts := demoOptions(fixedNow)
	opts.Version = "test"
	opts.Ticker = uitest.NeverTick
	return uitest.New(tb, ui.New(opts), width, height)
}

func screen(d *uitest.Driver) string { return ansi.Strip(d.Model.(ui.Model).Render()) }

// drillWalk is the funnel as a person walks it: Enter on the worst SLO, its
// worst route, its slowest trace, then the trace's logs.
var drillWalk = []struct {
	name string
	key  string
}{
	{"1-slos", ""},
	{"2-routes", "enter"},
	{"3-traces", "enter"},
	{"4-waterfall", "enter"},
	{"5-logs", "enter"},
	{"6-help", "?"},
}

func TestGoldenDemo(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			d := demoDriver(t, size[0], size[1])
			for _, step := range drillWalk {
				if step.key != "" {
					d.Keys(step.key)
				}
				t.Run(step.name, func(t *testing.T) { golden.RequireEqual(t, screen(d)) })
			}
		})
	}
}

// partialWalk picks the slowest trace, partial ones included, opens it on
// its bottleneck, then selects the call whose callee did not report and
// shows its details.
var partialWalk = []struct {
	name string
	keys []string
}{
	{"1-traces", []string{"enter", "enter", "i"}},
	{"2-waterfall", []string{"enter"}},
	{"3-unreported-call", []string{"G", "d"}},
}

func TestGoldenDemoPartialTrace(t *testing.T) {
	d := demoDriver(t, 80, 24)
	for _, step := range partialWalk {
		d.Keys(step.keys...)
		t.Run(step.name, func(t *testing.T) { golden.RequireEqual(t, screen(d)) })
	}
}

// TestGoldenDemoAssumedLatency selects payments' assumed latency SLO (the
// footer says how its threshold was chosen) and drills into its routes:
// the charge route's p95 and p99 lie beyond payments' last bucket, 2.5s,
// and read as lower bounds; the ranking counts requests over the threshold.
func TestGoldenDemoAssumedLatency(t *testing.T) {
	d := demoDriver(t, 80, 24)
	for range 8 {
		if strings.Contains(lineWith(screen(d), "› "), "latency assumed") {
			break
		}
		d.Keys("j")
	}
	t.Run("1-slo", func(t *testing.T) { golden.RequireEqual(t, screen(d)) })
	d.Keys("enter")
	routes := screen(d)
	t.Run("2-routes", func(t *testing.T) { golden.RequireEqual(t, routes) })
	if row := lineWith(routes, "› "); !strings.Contains(row, "POST /charge") || !strings.Contains(row, ">2.50s") {
		t.Errorf("the charge route is not first with a p99 beyond the last bucket:\n%s", routes)
	}
}

// TestIncludePartialKey: the trace list opens on the slowest complete
// trace; i picks the slowest of all, a partial one, and i again goes back.
func TestIncludePartialKey(t *testing.T) {
	d := demoDriver(t, 80, 24)
	d.Keys("enter", "enter")
	if s := screen(d); strings.Contains(lineWith(s, "› "), "partial") || !strings.Contains(s, "slowest complete trace; 1 slower") {
		t.Fatalf("the list does not open on the slowest complete trace:\n%s", s)
	}
	d.Keys("i")
	if s := screen(d); !strings.Contains(lineWith(s, "› "), "◌ partial") {
		t.Fatalf("i does not pick the slowest trace, a partial one:\n%s", s)
	}
	d.Keys("i")
	if s := screen(d); strings.Contains(lineWith(s, "› "), "partial") {
		t.Errorf("i again does not go back to the slowest complete trace:\n%s", s)
	}
}

// TestEndToEnd walks SLO → routes → traces → waterfall → logs on the demo
// and back, checking each step shows what the previous one chose.
func TestEndToEnd(t *testing.T) {
	d := demoDriver(t, 80, 24)
	first := screen(d)
	if !strings.Contains(first, "› ✖ CRITICAL") {
		t.Fatalf("the burning SLO is not first and selected:\n%s", first)
	}
	service := strings.Fields(lineWith(first, "› ✖ CRITICAL"))[3]
	d.Keys("enter")
	routes := screen(d)
	if !strings.Contains(crumb(routes), "SLOs ▸ "+service) {
		t.Fatalf("routes of %s not shown:\n%s", service, routes)
	}
	d.Keys("enter")
	traces := screen(d)
	if !strings.Contains(traces, "slowest traces") {
		t.Fatalf("no trace list:\n%s", traces)
	}
	d.Keys("enter")
	waterfall := screen(d)
	if !strings.Contains(crumb(waterfall), "▸ trace ") || !strings.Contains(waterfall, "◆") {
		t.Fatalf("no waterfall with its critical path marked:\n%s", waterfall)
	}
	d.Keys("enter")
	logs := screen(d)
	if !strings.Contains(crumb(logs), "▸ logs") || !strings.Contains(logs, "correlated by") {
		t.Fatalf("no logs of the trace:\n%s", logs)
	}
	for range 4 {
		d.Keys("esc")
	}
	if screen(d) != first {
		t.Errorf("walking back did not return to the same SLO screen:\n%s", screen(d))
	}
	d.Keys("q")
	if !d.Quit {
		t.Error("q did not quit")
	}
}

func lineWith(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

func crumb(s string) string { return strings.SplitN(s, "\n", 2)[0] }

func TestRunExitCodes(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{nil, 2, "", "redline --demo"},
		{[]string{"--version"}, 0, "redline dev", ""},
		{[]string{"--help"}, 0, "", "Examples:"},
		{[]string{"--window", "-1h"}, 2, "", "must be positive"},
		{[]string{"--bogus"}, 2, "", "unknown flag: --bogus"},
		{[]string{"extra"}, 2, "", "unexpected argument"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q",
				tt.args, code, stdout.String(), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
}

// BenchmarkFirstFrame measures program start to the first frame the
// terminal shows: the model built on the demo, sized and drawn while the SLO
// queries are in flight.
func BenchmarkFirstFrame(b *testing.B) {
	for b.Loop() {
		opts := demoOptions(fixedNow)
		opts.Ticker = uitest.NeverTick
		m, _ := ui.New(opts).Update(tea.WindowSizeMsg{Width: 80, Height: 24})
		m.Init()
		if !strings.Contains(m.(ui.Model).Render(), "loading SLOs") {
			b.Fatal("first frame without the loading state")
		}
	}
}

// BenchmarkStartup measures program start to the first frame with data on
// the demo: building the model, sizing it, running the SLO queries (the
// demo computes them) and rendering.
func BenchmarkStartup(b *testing.B) {
	for b.Loop() {
		d := demoDriver(b, 80, 24)
		if !strings.Contains(d.Model.(ui.Model).Render(), "CRITICAL") {
			b.Fatal("first frame without SLOs")
		}
	}
}

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/snapshot"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/ui"
)

// snapshotNow is the fixed clock of the headless tests.
var snapshotNow = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

func snapshotClock() time.Time { return snapshotNow }

func demoSource() *demo.Source { return demo.New(demo.Options{Seed: 1, Now: snapshotClock}) }

// brokenMetrics, brokenTraces and brokenLogs are the demo with one
// backend call failing the way a live source does.
type brokenMetrics struct{ *demo.Source }

func (brokenMetrics) SLOs(context.Context, funnel.TimeRange) (slo.Report, error) {
	return slo.Report{}, errors.New("prometheus: 503 Service Unavailable: query timed out")
}

func (brokenMetrics) Routes(context.Context, red.Query) (red.Report, error) {
	return red.Report{}, errors.New("prometheus: 503 Service Unavailable: query timed out")
}

type brokenTraces struct{ *demo.Source }

func (brokenTraces) FindTraces(context.Context, trace.Query) (trace.SearchResult, error) {
	return trace.SearchResult{}, errors.New("tempo: dial tcp 127.0.0.1:3200: connection refused")
}

type brokenTrace struct{ *demo.Source }

func (brokenTrace) Trace(context.Context, string, funnel.TimeRange) (*trace.Trace, error) {
	return nil, errors.New("tempo: 404 Not Found: trace not found")
}

type brokenLogs struct{ *demo.Source }

func (brokenLogs) TraceLogs(context.Context, logs.Query) (logs.Result, error) {
	return logs.Result{}, errors.New("loki: 401 Unauthorized: no org id (set X-Scope-OrgID via tenant in config)")
}

func demoBackends() ui.Sources {
	src := demoSource()
	return ui.Sources{Metrics: src, Traces: src, Logs: src}
}

func TestRunSnapshotExitCodes(t *testing.T) {
	src := demoSource()
	tests := []struct {
		name     string
		backends ui.Sources
		req      snapshotRequest
		code     int
		stdout   []string // in the snapshot
		absent   []string // not in the snapshot
		stderr   string
	}{
		{
			name: "complete demo walk", backends: demoBackends(), req: snapshotRequest{Format: "md"}, code: 0,
			stdout: []string{"## SLO checkout/availability", "▶ | POST /api/checkout", "## Trace ", "## Logs:", "(worst by severity)", "(slowest complete trace, among 11 traces ≥ p95 5.00s)"},
		},
		{
			name: "given service", backends: demoBackends(), req: snapshotRequest{Entry: walk.Entry{Service: "payments"}, Format: "text"}, code: 0,
			stdout: []string{"SLO payments/availability", "RED of payments", "POST /charge"},
		},
		{
			name: "given route and trace", backends: demoBackends(),
			req:    snapshotRequest{Entry: walk.Entry{Service: "checkout", Route: "GET /api/cart/summary"}, TraceID: slowestID(t, src, "checkout", "POST /api/checkout"), Format: "md"},
			code:   0,
			stdout: []string{"route GET /api/cart/summary (given)", "(given) → logs"},
		},
		{
			name: "unknown format", backends: demoBackends(), req: snapshotRequest{Format: "html"}, code: exitUsage, stderr: "unknown snapshot format",
		},
		{
			name: "no metrics backend", backends: ui.Sources{}, req: snapshotRequest{}, code: exitUsage, stderr: "no metrics backend",
		},
		{
			name: "metrics down", backends: ui.Sources{Metrics: brokenMetrics{src}, Traces: src, Logs: src}, req: snapshotRequest{Format: "md"}, code: exitBackend,
			stdout: []string{"## Failures", "SLO missing: demo failed: prometheus: 503"}, absent: []string{"## Trace"}, stderr: "slo step failed",
		},
		{
			name: "metrics down, service and route given", backends: ui.Sources{Metrics: brokenMetrics{src}, Traces: src, Logs: src},
			req: snapshotRequest{Entry: walk.Entry{Service: "checkout", Route: "POST /api/checkout"}, Format: "md"}, code: exitBackend,
			stdout: []string{"RED missing: demo failed", "## Trace ", "## Logs:"},
		},
		{
			name: "trace search down", backends: ui.Sources{Metrics: src, Traces: brokenTraces{src}, Logs: src}, req: snapshotRequest{Format: "text"}, code: exitBackend,
			stdout: []string{"SLO checkout/availability", "RED of checkout", "Trace missing: demo failed: tempo: dial tcp"}, absent: []string{"Logs:"}, stderr: "trace step failed (demo): tempo: dial tcp",
		},
		{
			name: "trace fetch down", backends: ui.Sources{Metrics: src, Traces: brokenTrace{src}, Logs: src}, req: snapshotRequest{Format: "md"}, code: exitBackend,
			stdout: []string{"Trace missing: demo failed: tempo: 404", "## Trace "}, absent: []string{"## Logs:"},
		},
		{
			name: "logs down", backends: ui.Sources{Metrics: src, Traces: src, Logs: brokenLogs{src}}, req: snapshotRequest{Format: "json"}, code: exitBackend,
			stdout: []string{`"part": "logs"`, "no org id", `"trace_id"`}, absent: []string{`"lines"`},
		},
		{
			name: "no trace or log backend", backends: ui.Sources{Metrics: src}, req: snapshotRequest{Format: "md"}, code: 0,
			stdout: []string{"## RED of checkout"}, absent: []string{"## Trace"}, stderr: "no trace backend configured",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.req.Now = snapshotClock
			var stdout, stderr bytes.Buffer
			code := runSnapshot(context.Background(), tt.backends, tt.req, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("snapshot lacks %q:\n%s", want, stdout.String())
				}
			}
			for _, bad := range tt.absent {
				if strings.Contains(stdout.String(), bad) {
					t.Errorf("snapshot holds %q", bad)
				}
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.stderr)
			}
		})
	}
}

func slowestID(t *testing.T, src *demo.Source, service, route string) string {
	t.Helper()
	res, err := src.FindTraces(context.Background(), trace.Query{Service: service, Route: route, Range: funnel.Last(time.Hour, snapshotNow)})
	if err != nil || len(res.Traces) == 0 {
		t.Fatal("no demo trace", err)
	}
	return res.Traces[0].TraceID
}

// flakyTraces is the demo whose first fails trace fetches fail with err,
// recording the IDs asked for.
type flakyTraces struct {
	*demo.Source
	err   error
	fails int
	asked []string
}

func (f *flakyTraces) Trace(ctx context.Context, id string, r funnel.TimeRange) (*trace.Trace, error) {
	f.asked = append(f.asked, id)
	if len(f.asked) <= f.fails {
		return nil, fmt.Errorf("jaeger: trace %s %w", id, f.err)
	}
	return f.Source.Trace(ctx, id, r)
}

// TestSnapshotTriesSlowerTracesTheBackendLacks: a picked trace the backend
// does not hold (an exemplar's, say) gives way to the next slowest, up to
// three picks, and the snapshot says so; any other error ends the step.
func TestSnapshotTriesSlowerTracesTheBackendLacks(t *testing.T) {
	src := demoSource()
	slowest := slowestID(t, src, "checkout", "POST /api/checkout")
	outage := errors.New("HTTP 503 Service Unavailable")
	tests := []struct {
		name   string
		err    error
		fails  int
		given  string
		code   int
		asked  int
		stdout string
	}{
		{"two picks missing", trace.ErrNotFound, 2, "", 0, 3, "2 slower traces were not found in demo)"},
		{"one pick missing", trace.ErrNotFound, 1, "", 0, 2, "1 slower trace was not found in demo)"},
		{"three picks missing", trace.ErrNotFound, 3, "", exitBackend, 3, "Trace missing: demo failed: jaeger: trace"},
		{"backend failing", outage, 1, "", exitBackend, 1, "Trace missing: demo failed: jaeger: trace"},
		{"given trace missing", trace.ErrNotFound, 1, slowest, exitBackend, 1, "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			traces := &flakyTraces{Source: src, err: tt.err, fails: tt.fails}
			req := snapshotRequest{Now: snapshotClock, Format: "md", TraceID: tt.given}
			var stdout, stderr bytes.Buffer
			code := runSnapshot(context.Background(), ui.Sources{Metrics: src, Traces: traces, Logs: src}, req, &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.code, stderr.String())
			}
			if len(traces.asked) != tt.asked || traces.asked[0] != slowest {
				t.Errorf("asked for %q, want %d traces starting with the slowest, %s", traces.asked, tt.asked, slowest)
			}
			if len(slices.Compact(slices.Clone(traces.asked))) != len(traces.asked) {
				t.Errorf("asked for a trace twice: %q", traces.asked)
			}
			if !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("snapshot lacks %q:\n%s", tt.stdout, stdout.String())
			}
			if last := traces.asked[len(traces.asked)-1]; code == 0 && !strings.Contains(stdout.String(), "## Trace "+last[:8]) {
				t.Errorf("the snapshot does not show the trace fetched last, %s:\n%s", last, stdout.String())
			}
		})
	}
}

// TestRunSnapshotTextFitsAndShowsThePath: the text snapshot of the demo
// walk keeps to 80 columns and names how each step was picked.
func TestRunSnapshotTextFitsAndShowsThePath(t *testing.T) {
	var stdout, stderr bytes.Buffer
	req := snapshotRequest{Now: snapshotClock, Context: "demo", Format: "text"}
	if code := runSnapshot(context.Background(), demoBackends(), req, &stdout, &stderr); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	for i, line := range strings.Split(stdout.String(), "\n") {
		if n := len([]rune(line)); n > snapshot.DefaultWidth {
			t.Errorf("line %d is %d runes wide", i+1, n)
		}
	}
	if !strings.Contains(stdout.String(), "Path:       SLO checkout/availability (worst by severity) → route POST") {
		t.Errorf("unexpected path:\n%s", stdout.String())
	}
}

func TestParseSnapshotFlags(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		ok      bool
		at      time.Time
		window  time.Duration
		service string
		demo    bool
	}{
		{"defaults", nil, true, snapshotNow, 0, "", false},
		{"everything", []string{"--demo", "--service", "checkout", "--route", "POST /api/checkout", "--trace", "0x4BF9", "--at", "now-15m", "--window", "1d", "--format", "slack"}, true, snapshotNow.Add(-15 * time.Minute), 24 * time.Hour, "checkout", true},
		{"RFC 3339", []string{"--at", "2026-11-21T19:30:00+01:00"}, true, time.Date(2026, 11, 21, 18, 30, 0, 0, time.UTC), 0, "", false},
		{"relative days", []string{"--at", "now-2d"}, true, snapshotNow.Add(-48 * time.Hour), 0, "", false},
		{"bad at", []string{"--at", "yesterday"}, false, time.Time{}, 0, "", false},
		{"future at", []string{"--at", "2027-01-01T00:00:00Z"}, false, time.Time{}, 0, "", false},
		{"bad window", []string{"--window", "-1h"}, false, time.Time{}, 0, "", false},
		{"bad format", []string{"--format", "pdf"}, false, time.Time{}, 0, "", false},
		{"bad trace", []string{"--trace", "not-hex"}, false, time.Time{}, 0, "", false},
		{"stray argument", []string{"checkout"}, false, time.Time{}, 0, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			req, sel, err := parseSnapshotFlags(tt.args, snapshotClock, &stderr)
			if (err == nil) != tt.ok {
				t.Fatalf("err %v, stderr %q", err, stderr.String())
			}
			if !tt.ok {
				if !strings.Contains(stderr.String(), "redline snapshot:") {
					t.Errorf("stderr does not explain: %q", stderr.String())
				}
				return
			}
			if !req.At.Equal(tt.at) || req.Window != tt.window || req.Entry.Service != tt.service || sel.demo != tt.demo {
				t.Errorf("got at %v window %v service %q demo %v", req.At, req.Window, req.Entry.Service, sel.demo)
			}
		})
	}
}

func TestRunSnapshotCommandUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run([]string{"snapshot", "--format", "pdf", "--demo"}, &stdout, &stderr); code != exitUsage {
		t.Errorf("bad format: exit %d", code)
	}
	stderr.Reset()
	if code := run([]string{"snapshot", "--demo", "--format", "json", "--window", "30m"}, &stdout, &stderr); code != 0 {
		t.Fatalf("demo: exit %d: %s", code, stderr.String())
	}
	if _, err := snapshot.ParseJSON(stdout.Bytes()); err != nil {
		t.Errorf("demo JSON does not parse: %v", err)
	}
}

// hostileMetrics fails with an error body that tries an OSC 52 clipboard
// write and a colour change.
type hostileMetrics struct{ *demo.Source }

func (hostileMetrics) SLOs(context.Context, funnel.TimeRange) (slo.Report, error) {
	return slo.Report{}, errors.New("prometheus: 500: \x1b]52;c;aGk=\x07\x1b[31mred\nsecond line")
}

func TestSnapshotStderrIsCleaned(t *testing.T) {
	src := demoSource()
	var stdout, stderr bytes.Buffer
	req := snapshotRequest{Format: "md", Now: snapshotClock}
	code := runSnapshot(context.Background(), ui.Sources{Metrics: hostileMetrics{src}, Traces: src, Logs: src}, req, &stdout, &stderr)
	if code != exitBackend {
		t.Fatalf("exit %d, want %d", code, exitBackend)
	}
	if !strings.Contains(stderr.String(), "slo step failed (demo): prometheus: 500: ␛") || !sanitizetest.Safe(stderr.String()) {
		t.Errorf("stderr is not clean: %q", stderr.String())
	}
}

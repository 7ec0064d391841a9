package main

import (
	"net/http"
	"strings"
	"testing"

	"go.uber.org/goleak"

	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/sources/jaeger"
	"github.com/redline-tui/redline/sources/loki"
	"github.com/redline-tui/redline/sources/prometheus"
	"github.com/redline-tui/redline/sources/tempo"
	"github.com/redline-tui/redline/sources/victorialogs"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// backendCase is one backend of the fault matrix: how to wire it (the demo
// serves the other steps) and how to reach the pane it feeds.
type backendCase struct {
	name    string
	healthy func() http.Handler
	wire    func(t *testing.T, opts *ui.Options, url string, hc *http.Client)
	// approach are the keys, from the SLO screen, to the pane before the
	// backend's; enter then opens the backend's pane.
	approach []string
	// loaded is what the backend's pane shows once the backend answers.
	loaded string
}

var backendCases = []backendCase{
	{
		name: "prometheus", healthy: healthyPrometheus, loaded: healthyRoute,
		wire: func(t *testing.T, opts *ui.Options, url string, hc *http.Client) {
			c, err := prometheus.New(prometheus.Config{URL: url, HTTPClient: hc, MaxBody: bodyCap, Timeout: clientTimeout})
			opts.Metrics = c
			failOn(t, err)
		},
	},
	{
		name: "tempo", healthy: healthyTempo, loaded: healthyTraceID[:8], approach: []string{"enter"},
		wire: func(t *testing.T, opts *ui.Options, url string, hc *http.Client) {
			c, err := tempo.New(tempo.Config{URL: url, HTTPClient: hc, MaxBody: bodyCap})
			opts.Traces = c
			failOn(t, err)
		},
	},
	{
		name: "jaeger", healthy: healthyJaegerHTTP, loaded: healthyTraceID[:8], approach: []string{"enter"},
		wire: func(t *testing.T, opts *ui.Options, url string, hc *http.Client) {
			c, err := jaeger.New(jaeger.Config{HTTPURL: url, HTTPClient: hc, MaxBody: bodyCap})
			failOn(t, err)
			t.Cleanup(func() { c.Close() })
			opts.Traces = c
		},
	},
	{
		name: "loki", healthy: healthyLoki, loaded: healthyLogLine, approach: []string{"enter", "enter", "enter"},
		wire: func(t *testing.T, opts *ui.Options, url string, hc *http.Client) {
			c, err := loki.New(loki.Config{URL: url, HTTPClient: hc, MaxBody: bodyCap, ServiceLabel: "service_name", TraceField: "logfmt"})
			opts.Logs = c
			failOn(t, err)
		},
	},
	{
		name: "victorialogs", healthy: healthyVictoriaLogs, loaded: healthyLogLine, approach: []string{"enter", "enter", "enter"},
		wire: func(t *testing.T, opts *ui.Options, url string, hc *http.Client) {
			c, err := victorialogs.New(victorialogs.Config{URL: url, HTTPClient: hc, MaxBody: bodyCap, ServiceField: "service_name", TraceField: "trace_id"})
			opts.Logs = c
			failOn(t, err)
		},
	},
}

func failOn(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// TestFaultMatrix drives the root model into the pane fed by each backend
// while the backend fails in each way, and checks that the program keeps
// running, the pane names the backend and the cause, the pane before it
// still shows its data, the status bar marks the backend failing, a refresh
// after the fault clears recovers, and no goroutine outlives its request.
func TestFaultMatrix(t *testing.T) {
	for _, bc := range backendCases {
		for _, f := range faults {
			t.Run(bc.name+"/"+f.name, func(t *testing.T) { runFault(t, bc, f) })
		}
	}
}

func runFault(t *testing.T, bc backendCase, f fault) {
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks) }) // runs last, once the servers are closed
	server := newBackendServer(t, bc.healthy(), f.untrustedTLS)
	d := faultDriver(t, bc, server)
	d.Keys(bc.approach...)
	before := screen(d)

	server.set(t, &f)
	d.Keys("enter")
	failing := screen(d)
	assertNamesCause(t, "the failing pane", screenBody(failing), bc.name, f.want)
	assertNoLeak(t, "the failing screen", failing)
	assertStatus(t, failing, bc.name, "✖")

	d.Keys("esc")
	back := screen(d)
	if screenWithoutStatus(back) != screenWithoutStatus(before) {
		t.Errorf("the pane before changed after the failure:\nbefore:\n%s\nafter:\n%s", before, back)
	}
	assertStatus(t, back, bc.name, "✖")

	d.Keys("enter")
	server.set(t, nil)
	d.Keys("r")
	recovered := screen(d)
	if !strings.Contains(screenBody(recovered), bc.loaded) || strings.Contains(screenBody(recovered), "✖ "+bc.name+":") {
		t.Errorf("no recovery after the fault cleared, want %q shown:\n%s", bc.loaded, recovered)
	}
	assertStatus(t, recovered, bc.name, "✔")
}

// assertStatus checks the status bar's health mark of backend.
func assertStatus(t *testing.T, screen, backend, mark string) {
	t.Helper()
	if status := screenStatus(screen); !strings.Contains(status, backend+" "+mark) {
		t.Errorf("status bar does not mark %s %s: %q", backend, mark, status)
	}
}

// faultDriver is the root model on the demo, with bc's backend wired to
// server, sized and started.
func faultDriver(t *testing.T, bc backendCase, server *backendServer) *uitest.Driver {
	src := demo.New(demo.Options{Seed: 1, Now: fixedNow})
	opts := ui.Options{
		Sources: ui.Sources{Metrics: src, Traces: src, Logs: src}, Now: fixedNow, Context: "faults", Ticker: uitest.NeverTick,
		Secrets: faultSecrets(),
	}
	bc.wire(t, &opts, server.URL(), server.client)
	return uitest.New(t, ui.New(opts), 160, 48)
}

// assertNoLeak checks that text holds no form of the fault matrix's
// credentials and no raw control character.
func assertNoLeak(t *testing.T, what, text string) {
	t.Helper()
	if leak := sanitizetest.Leaked(text, faultLeakForms()); leak != "" {
		t.Errorf("%s shows the credential %q:\n%s", what, leak, text)
	}
	if !sanitizetest.Safe(text) {
		t.Errorf("%s holds a raw control character: %q", what, text)
	}
}

// assertNamesCause checks that text names backend and, for each wanted
// word, one of its "|"-separated alternatives.
func assertNamesCause(t *testing.T, what, text, backend string, want []string) {
	t.Helper()
	if !strings.Contains(text, backend) {
		t.Errorf("%s does not name %s:\n%s", what, backend, text)
	}
	for _, w := range want {
		if !containsOneOf(text, strings.Split(w, "|")) {
			t.Errorf("%s does not say %q:\n%s", what, w, text)
		}
	}
}

func containsOneOf(s string, subs []string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

// screenBody is a screen without its breadcrumb, help line and status bar.
func screenBody(screen string) string {
	lines := strings.Split(screen, "\n")
	if len(lines) < 3 {
		return screen
	}
	return strings.Join(lines[1:len(lines)-2], "\n")
}

func screenStatus(screen string) string {
	lines := strings.Split(screen, "\n")
	return lines[len(lines)-1]
}

func screenWithoutStatus(screen string) string {
	lines := strings.Split(screen, "\n")
	return strings.Join(lines[:len(lines)-1], "\n")
}

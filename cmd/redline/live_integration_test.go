//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// stackEnv returns the CI stack's endpoints, failing when REDLINE_INTEGRATION=1
// and one is missing, skipping otherwise.
func stackEnv(t *testing.T) (prom, jaegerGRPC, vlogsURL string) {
	t.Helper()
	prom, jaegerGRPC, vlogsURL = os.Getenv("REDLINE_IT_PROMETHEUS"), os.Getenv("REDLINE_IT_JAEGER_GRPC"), os.Getenv("REDLINE_IT_VICTORIALOGS")
	if prom == "" || jaegerGRPC == "" || vlogsURL == "" {
		if os.Getenv("REDLINE_INTEGRATION") == "1" {
			t.Fatal("REDLINE_IT_PROMETHEUS, REDLINE_IT_JAEGER_GRPC and REDLINE_IT_VICTORIALOGS must be set (bash .ci/stack.sh up)")
		}
		t.Skip("no CI stack: run bash .ci/stack.sh up and export what it prints")
	}
	return prom, jaegerGRPC, vlogsURL
}

// TestConfigCheckLive pings the real stack and reports what it detected.
func TestConfigCheckLive(t *testing.T) {
	prom, jaegerGRPC, vlogsURL := stackEnv(t)
	isolateConfig(t)
	var stdout, stderr bytes.Buffer
	code := run([]string{"config", "check", "--prometheus", prom, "--jaeger", jaegerGRPC, "--victorialogs", vlogsURL}, &stdout, &stderr)
	out := stdout.String()
	if code != 0 {
		t.Fatalf("config check exit %d\nstdout:\n%s\nstderr:\n%s", code, out, stderr.String())
	}
	for _, want := range []string{"✔ ok  prometheus", "OTel semconv", "classic", "spanmetrics", "shop", "✔ ok  jaeger", "✔ ok  victorialogs", "service fields: service_name", "trace ID fields: trace_id"} {
		if !strings.Contains(out, want) {
			t.Errorf("config check output lacks %q:\n%s", want, out)
		}
	}
}

// TestFunnelLive walks the funnel on the live stack as a person would: the
// shop service's SLO, its slow checkout route, the slowest trace with the
// payments call on its critical path, and that trace's log lines in
// VictoriaLogs.
func TestFunnelLive(t *testing.T) {
	prom, jaegerGRPC, vlogsURL := stackEnv(t)
	isolateConfig(t)
	b, code := liveBackends(endpointFlags{urls: map[string]string{"prometheus": prom, "jaeger": jaegerGRPC, "victorialogs": vlogsURL}}, os.Stderr)
	if code != 0 {
		t.Fatalf("opening the stack's backends: exit %d", code)
	}
	defer b.close()
	opts := liveOptions(b)
	opts.Window = 15 * time.Minute
	opts.Ticker = uitest.NeverTick
	d := uitest.New(t, ui.New(opts), 160, 48)

	selectRow(t, d, "shop")
	d.Keys("enter")
	routes := screen(d)
	if !strings.Contains(crumb(routes), "shop") {
		t.Fatalf("no routes of shop:\n%s", routes)
	}
	if slowest := slowestRoute(routes); !strings.Contains(slowest, "/api/checkout") {
		t.Errorf("the route with the highest p99 is %q, want the checkout route made slow:\n%s", slowest, routes)
	}
	selectRow(t, d, "/api/checkout")
	d.Keys("enter")
	if traces := screen(d); !strings.Contains(traces, "slowest traces") {
		t.Fatalf("no trace list:\n%s", traces)
	}
	d.Keys("enter")
	waterfall := screen(d)
	if !criticalLine(waterfall, "charge") {
		t.Errorf("the payments call is not on the critical path (◆):\n%s", waterfall)
	}
	d.Keys("enter")
	logs := screen(d)
	if !strings.Contains(crumb(logs), "logs") || !strings.Contains(logs, "correlated by") || strings.Contains(logs, "0 lines") {
		t.Errorf("no correlated log lines:\n%s", logs)
	}
}

// selectRow moves the selection down until its line contains text.
func selectRow(t *testing.T, d *uitest.Driver, text string) {
	t.Helper()
	for range 50 {
		if strings.Contains(lineWith(screen(d), "› "), text) {
			return
		}
		d.Keys("down")
	}
	t.Fatalf("no row with %q:\n%s", text, screen(d))
}

// slowestRoute returns the route row with the highest p99: the last of the
// row's three latency columns (p50, p95, p99).
func slowestRoute(s string) string {
	best, bestP99 := "", time.Duration(-1)
	for _, line := range strings.Split(s, "\n") {
		if !strings.Contains(line, "/api/") {
			continue
		}
		p99 := time.Duration(-1)
		for _, f := range strings.Fields(line) {
			if d, err := time.ParseDuration(strings.ReplaceAll(f, "µ", "u")); err == nil {
				p99 = d
			}
		}
		if p99 > bestP99 {
			best, bestP99 = line, p99
		}
	}
	return best
}

// criticalLine reports whether a waterfall row marked ◆ mentions text.
func criticalLine(s, text string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, "◆") && strings.Contains(line, text) {
			return true
		}
	}
	return false
}

// TestAlertmanagerLive: with --alertmanager the SLO step's alerts come from
// the real Alertmanager: ShopCheckoutSlow on shop's SLOs, which sort
// first, and CheckoutP99AboveHalfSecond, which carries no service label and no
// expression, on shop's SLOs too, joined to its alerting rule in
// Prometheus and the recording rule that rule reads.
func TestAlertmanagerLive(t *testing.T) {
	prom, _, _ := stackEnv(t)
	am := os.Getenv("REDLINE_IT_ALERTMANAGER")
	if am == "" {
		t.Fatal("REDLINE_IT_ALERTMANAGER must be set with the rest of the stack (bash .ci/stack.sh up)")
	}
	isolateConfig(t)
	r, err := resolve(endpointFlags{urls: map[string]string{"prometheus": prom, "alertmanager": am}})
	failOn(t, err)
	b, err := openBackends(r)
	failOn(t, err)
	defer b.close()
	want := []string{"ShopCheckoutSlow", "CheckoutP99AboveHalfSecond"}
	deadline := time.Now().Add(90 * time.Second)
	for {
		rep, err := b.Metrics.SLOs(context.Background(), funnel.Last(30*time.Minute, time.Now()))
		failOn(t, err)
		var onShop []string
		for _, s := range rep.Statuses {
			for _, a := range s.Alerts {
				if s.Objective.Service == "shop" && slices.Contains(want, a.Name) && !slices.Contains(onShop, a.Name) {
					onShop = append(onShop, a.Name)
				}
			}
		}
		if len(onShop) == len(want) {
			if rep.Statuses[0].Objective.Service != "shop" {
				t.Errorf("first SLO %s, want shop's, which pages", rep.Statuses[0].Objective.Service)
			}
			if i := slices.IndexFunc(rep.Unmatched, func(a alert.Alert) bool { return slices.Contains(want, a.Name) }); i >= 0 {
				t.Errorf("%s is also listed as matching no SLO", rep.Unmatched[i].Name)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("alerts on shop's SLOs %q, want %q; unmatched %+v, warnings %q", onShop, want, rep.Unmatched, rep.Warnings)
		}
		time.Sleep(3 * time.Second)
	}
}

// TestAlertEntryLive: with ShopCheckoutSlow firing on the stack's
// Prometheus (.ci/config/rules/redline-integration.yml, during the test
// service's slow checkouts), `redline snapshot --alert ShopCheckoutSlow`
// lands on a shop SLO the alert pages for and snapshots shop's routes, the
// path saying the alert found it; then the TUI with the same entry opens on
// shop's routes, and Esc walks back to the SLO list on that SLO. Until the
// rule fires, redline says the alert is not firing (exit 2) and the test
// asks again.
func TestAlertEntryLive(t *testing.T) {
	prom, jaegerGRPC, vlogsURL := stackEnv(t)
	isolateConfig(t)
	args := []string{"snapshot", "--prometheus", prom, "--jaeger", jaegerGRPC, "--victorialogs", vlogsURL,
		"--alert", "ShopCheckoutSlow", "--window", "15m", "--format", "json"}
	deadline := time.Now().Add(90 * time.Second)
	var stdout, stderr bytes.Buffer
	for {
		stdout.Reset()
		stderr.Reset()
		code := run(args, &stdout, &stderr)
		if code == 0 {
			break
		}
		if code != exitUsage || !strings.Contains(stderr.String(), `no firing alert named "ShopCheckoutSlow"`) || time.Now().After(deadline) {
			t.Fatalf("snapshot --alert ShopCheckoutSlow: exit %d\n%s", code, stderr.String())
		}
		time.Sleep(3 * time.Second)
	}
	var snap struct {
		Path []struct{ Step, Label, How string }
		SLO  struct {
			Service string
			Alerts  []struct{ Name string }
		}
		RED struct {
			Service       string
			SelectedRoute string `json:"selected_route"`
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &snap); err != nil {
		t.Fatalf("snapshot JSON: %v\n%s", err, stdout.String())
	}
	if snap.SLO.Service != "shop" || snap.RED.Service != "shop" || snap.RED.SelectedRoute == "" {
		t.Errorf("landed on SLO of %q, routes of %q (route %q); want shop's", snap.SLO.Service, snap.RED.Service, snap.RED.SelectedRoute)
	}
	if !slices.ContainsFunc(snap.SLO.Alerts, func(a struct{ Name string }) bool { return a.Name == "ShopCheckoutSlow" }) {
		t.Errorf("the SLO's firing alerts %+v lack ShopCheckoutSlow", snap.SLO.Alerts)
	}
	if len(snap.Path) == 0 || snap.Path[0].Step != "slo" || !strings.HasPrefix(snap.Path[0].How, "alert ShopCheckoutSlow") {
		t.Errorf("path %+v does not say the alert found the SLO", snap.Path)
	}
	t.Logf("path: %+v; stderr: %s", snap.Path, stderr.String())
	alertEntryTUI(t, prom, jaegerGRPC, vlogsURL)
}

// alertEntryTUI opens the TUI on the live stack as `redline --alert
// ShopCheckoutSlow` does.
func alertEntryTUI(t *testing.T, prom, jaegerGRPC, vlogsURL string) {
	b, code := liveBackends(endpointFlags{urls: map[string]string{"prometheus": prom, "jaeger": jaegerGRPC, "victorialogs": vlogsURL}}, os.Stderr)
	if code != 0 {
		t.Fatalf("opening the stack's backends: exit %d", code)
	}
	defer b.close()
	opts := liveOptions(b)
	opts.Window, opts.Ticker, opts.Entry = 15*time.Minute, uitest.NeverTick, walk.Entry{Alert: "ShopCheckoutSlow"}
	d := uitest.New(t, ui.New(opts), 80, 24)
	if routes := screen(d); !strings.HasSuffix(crumb(routes), "SLOs ▸ shop") || !strings.Contains(routes, "Routes of shop") {
		t.Fatalf("redline --alert ShopCheckoutSlow did not open on shop's routes:\n%s", routes)
	}
	d.Keys("esc")
	if slos := screen(d); !strings.HasSuffix(crumb(slos), "SLOs") || !strings.Contains(lineWith(slos, "› "), "shop") {
		t.Errorf("esc did not walk back to the SLO list on shop's SLO:\n%s", slos)
	}
}

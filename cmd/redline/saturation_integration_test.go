//go:build integration

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/jaeger"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// The saturation incident of .ci/testsvc/saturate.go, with no SLO rules
// loaded: storefront's stock route waits on inventory's one-connection pool.
const (
	saturatedService = "storefront"
	saturatedRoute   = "/api/stock/{sku}"
	poolWaitSpan     = "wait for connection"
	saturationWindow = 15 * time.Minute
)

// metricsAndTraces returns the CI stack's Prometheus and Jaeger gRPC
// endpoints, failing when REDLINE_INTEGRATION=1 and one is missing,
// skipping otherwise. The saturation tests need no log backend: without one
// the funnel stops at the trace.
func metricsAndTraces(t *testing.T) (prom, jaegerGRPC string) {
	t.Helper()
	prom, jaegerGRPC = os.Getenv("REDLINE_IT_PROMETHEUS"), os.Getenv("REDLINE_IT_JAEGER_GRPC")
	if prom == "" || jaegerGRPC == "" {
		if os.Getenv("REDLINE_INTEGRATION") == "1" {
			t.Fatal("REDLINE_IT_PROMETHEUS and REDLINE_IT_JAEGER_GRPC must be set (bash .ci/stack.sh up)")
		}
		t.Skip("no CI stack: run bash .ci/stack.sh up and export what it prints")
	}
	return prom, jaegerGRPC
}

// awaitMixedTraces waits until the route's slow traces include partial
// ones (storefront gave up, inventory's spans have not arrived) and
// complete ones, as they do all along the saturation once the queue has
// built up, and returns the time to open redline at.
func awaitMixedTraces(t *testing.T, jaegerGRPC string) time.Time {
	t.Helper()
	src, err := jaeger.New(jaeger.Config{GRPCAddr: jaegerGRPC})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	deadline := time.Now().Add(3 * time.Minute)
	for {
		now := time.Now()
		res, err := src.FindTraces(context.Background(), trace.Query{Service: saturatedService, Route: "GET " + saturatedRoute,
			MinDuration: 15 * time.Second, Limit: 20, Range: funnel.Last(saturationWindow, now)})
		partial, complete := 0, 0
		for _, s := range res.Traces {
			if s.Completeness.Partial() {
				partial++
			} else {
				complete++
			}
		}
		if err == nil && partial > 0 && complete > 0 {
			return now.Truncate(time.Second)
		}
		if now.After(deadline) {
			t.Fatalf("no mix of partial and complete slow traces of %s %s after 3m (err %v, %d partial, %d complete)",
				saturatedService, saturatedRoute, err, partial, complete)
		}
		time.Sleep(2 * time.Second)
	}
}

// TestSaturationLive walks the saturation incident through the TUI as the
// issue's on-call engineer would, with no SLO rules loaded: storefront's
// assumed latency SLO is CRITICAL on the first screen; its stock route
// comes first with the current rate Prometheus itself computes over 5m and
// a p99 beyond the last bucket shown as a lower bound; the trace list marks
// partial traces and opens on a complete one; its waterfall opens on the
// wait for the pool's connection.
func TestSaturationLive(t *testing.T) {
	prom, jaegerGRPC := metricsAndTraces(t)
	isolateConfig(t)
	at := awaitMixedTraces(t, jaegerGRPC)
	b, code := liveBackends(endpointFlags{urls: map[string]string{"prometheus": prom, "jaeger": jaegerGRPC}}, os.Stderr)
	if code != 0 {
		t.Fatalf("opening the stack's backends: exit %d", code)
	}
	defer b.close()
	opts := liveOptions(b)
	opts.Window = saturationWindow
	opts.Ticker = uitest.NeverTick
	opts.Now = func() time.Time { return at }
	d := uitest.New(t, ui.New(opts), 160, 48)

	slos := screen(d)
	latency := lineWithAll(slos, saturatedService, "latency", "assumed")
	if !strings.Contains(latency, "CRITICAL") {
		t.Fatalf("storefront's assumed latency SLO is not CRITICAL on the first screen (%q):\n%s", latency, slos)
	}
	selectRow(t, d, saturatedService)
	d.Keys("enter")
	routes := screen(d)
	first := lineWith(routes, "› ")
	if !strings.Contains(first, saturatedRoute) {
		t.Fatalf("the saturated route is not first:\n%s", routes)
	}
	checkRate(t, prom, first, at)
	if !regexp.MustCompile(`>\d[\d.]*m?s`).MatchString(first) {
		t.Errorf("p99 beyond the last bucket is not a lower bound (>…):\n%s", first)
	}

	d.Keys("enter")
	traces := screen(d)
	selected := lineWith(traces, "› ")
	if !strings.Contains(traces, "◌ partial") {
		t.Errorf("no trace is marked ◌ partial:\n%s", traces)
	}
	if strings.Contains(selected, "partial") || !strings.Contains(traces, "slowest complete trace") {
		t.Errorf("the trace list does not open on the slowest complete trace (selected %q):\n%s", selected, traces)
	}
	d.Keys("enter")
	waterfall := screen(d)
	if bottleneck := lineWith(waterfall, "›"); !strings.Contains(bottleneck, poolWaitSpan) {
		t.Errorf("the waterfall opens on %q, want the pool wait %q:\n%s", bottleneck, poolWaitSpan, waterfall)
	}
}

// lineWithAll returns the first line of s holding every one of words.
func lineWithAll(s string, words ...string) string {
	for _, line := range strings.Split(s, "\n") {
		all := true
		for _, w := range words {
			all = all && strings.Contains(line, w)
		}
		if all {
			return line
		}
	}
	return ""
}

// checkRate compares the rate on the route's row with Prometheus' own
// rate[5m] of the route's server spans at the range end.
func checkRate(t *testing.T, prom, row string, at time.Time) {
	t.Helper()
	m := regexp.MustCompile(`(\d[\d.]*)/s`).FindStringSubmatch(row)
	if m == nil {
		t.Fatalf("no rate on the route's row %q", row)
	}
	shown, _ := strconv.ParseFloat(m[1], 64)
	want := promRate(t, prom, at)
	t.Logf("rate on the row %.3g/s, Prometheus' rate[5m] %.3g/s", shown, want)
	if math.Abs(shown-want) > 0.05*want {
		t.Errorf("the row's rate %.3g/s is not within 5%% of Prometheus' rate[5m] %.3g/s:\n%s", shown, want, row)
	}
}

// promRate asks Prometheus for the route's request rate over the 5 minutes
// before at, trying the span metrics' names under each OTLP translation.
func promRate(t *testing.T, prom string, at time.Time) float64 {
	t.Helper()
	queries := []string{
		fmt.Sprintf(`sum(rate(traces_span_metrics_calls_total{service_name=%q,span_name="GET %s",span_kind="SPAN_KIND_SERVER"}[5m]))`,
			saturatedService, saturatedRoute),
		fmt.Sprintf(`sum(rate({"traces.span.metrics.calls_total","service.name"=%q,"span.name"="GET %s","span.kind"="SPAN_KIND_SERVER"}[5m]))`,
			saturatedService, saturatedRoute),
	}
	for _, q := range queries {
		if v, ok := promScalar(t, prom, q, at); ok {
			return v
		}
	}
	t.Fatalf("Prometheus has no span metrics of %s GET %s", saturatedService, saturatedRoute)
	return 0
}

func promScalar(t *testing.T, prom, query string, at time.Time) (float64, bool) {
	t.Helper()
	u := prom + "/api/v1/query?" + url.Values{"query": {query}, "time": {strconv.FormatInt(at.Unix(), 10)}}.Encode()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body struct {
		Data struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || len(body.Data.Result) == 0 {
		return 0, false
	}
	text, _ := body.Data.Result[0].Value[1].(string)
	v, err := strconv.ParseFloat(text, 64)
	return v, err == nil && v > 0
}

// TestSaturationSnapshot is the same incident through `redline snapshot`:
// exit 0 in JSON and Markdown, the service's SLO CRITICAL, the saturated
// route first with its p99 a lower bound, and the slowest complete trace,
// whose top span by self time is the wait for the pool's connection.
func TestSaturationSnapshot(t *testing.T) {
	prom, jaegerGRPC := metricsAndTraces(t)
	isolateConfig(t)
	awaitMixedTraces(t, jaegerGRPC)
	args := []string{"snapshot", "--prometheus", prom, "--jaeger", jaegerGRPC,
		"--service", saturatedService, "--window", saturationWindow.String()}

	var stdout, stderr bytes.Buffer
	if code := run(append(args, "--format", "json"), &stdout, &stderr); code != 0 {
		t.Fatalf("snapshot --format json: exit %d\n%s", code, stderr.String())
	}
	var snap struct {
		Path []struct{ Step, How string }
		SLO  struct{ Verdict string }
		RED  struct {
			Routes []struct {
				Route string
				P99   *struct {
					LowerBound bool `json:"lower_bound"`
				}
			}
		}
		Trace struct {
			Partial     bool
			TopSelfTime []struct{ Name string } `json:"top_self_time"`
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &snap); err != nil {
		t.Fatalf("snapshot JSON: %v\n%s", err, stdout.String())
	}
	if snap.SLO.Verdict != "CRITICAL" {
		t.Errorf("SLO verdict %q, want CRITICAL", snap.SLO.Verdict)
	}
	if len(snap.RED.Routes) == 0 || !strings.Contains(snap.RED.Routes[0].Route, saturatedRoute) {
		t.Errorf("first route %+v, want %s", snap.RED.Routes, saturatedRoute)
	} else if p99 := snap.RED.Routes[0].P99; p99 == nil || !p99.LowerBound {
		t.Errorf("p99 of the saturated route is not a lower bound: %+v", p99)
	}
	if snap.Trace.Partial || len(snap.Trace.TopSelfTime) == 0 || snap.Trace.TopSelfTime[0].Name != poolWaitSpan {
		t.Errorf("trace partial=%v, top self time %+v, want a complete trace led by %q", snap.Trace.Partial, snap.Trace.TopSelfTime, poolWaitSpan)
	}
	for _, st := range snap.Path {
		if st.Step == "trace" && !strings.HasPrefix(st.How, "slowest complete trace") {
			t.Errorf("trace picked as %q, want the slowest complete trace", st.How)
		}
	}

	stdout.Reset()
	stderr.Reset()
	if code := run(append(args, "--format", "md"), &stdout, &stderr); code != 0 {
		t.Fatalf("snapshot --format md: exit %d\n%s", code, stderr.String())
	}
	for _, want := range []string{"CRITICAL", saturatedRoute, poolWaitSpan, "slowest complete trace"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("Markdown snapshot lacks %q:\n%s", want, stdout.String())
		}
	}
}

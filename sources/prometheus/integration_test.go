//go:build integration

package prometheus

import (
	"cmp"
	"context"
	"math"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
)

// itServer is one Prometheus of the CI stack and what it holds.
type itServer struct {
	name, url   string
	conventions []string // the conventions covering service shop
	dotted      bool     // UTF-8 names kept: http.route, not http_route
	native      bool     // the OTel duration histogram is a native histogram
}

// itServers lists the CI stack's Prometheus servers: Debian's 2.42
// (REDLINE_IT_PROMETHEUS), which scrapes the test service and Jaeger's span
// metrics, and one Prometheus 3 per OTLP translation strategy
// (REDLINE_IT_PROMETHEUS3, "strategy=url,…"), which receive both over OTLP;
// as .ci/stack.sh sets up, the *WithoutSuffixes and NoTranslation ones get
// exponential histograms. A missing variable fails the test with
// REDLINE_INTEGRATION=1 and skips it otherwise.
func itServers(t *testing.T) []itServer {
	t.Helper()
	miss := t.Skipf
	if os.Getenv("REDLINE_INTEGRATION") == "1" {
		miss = t.Fatalf
	}
	v2, v3 := os.Getenv("REDLINE_IT_PROMETHEUS"), os.Getenv("REDLINE_IT_PROMETHEUS3")
	if v2 == "" || v3 == "" {
		miss("REDLINE_IT_PROMETHEUS or REDLINE_IT_PROMETHEUS3 is not set (bash .ci/stack.sh up prints them)")
	}
	servers := []itServer{{name: "2.42", url: v2, conventions: []string{ConventionOTel, ConventionClassic, ConventionSpanmetric}}}
	for _, entry := range strings.Split(v3, ",") {
		strategy, url, ok := strings.Cut(entry, "=")
		if !ok {
			t.Fatalf("REDLINE_IT_PROMETHEUS3 entry %q: want strategy=url", entry)
		}
		servers = append(servers, itServer{
			name: "3/" + strategy, url: url, conventions: []string{ConventionOTel, ConventionSpanmetric},
			dotted: strings.HasPrefix(strategy, "NoUTF8") || strategy == "NoTranslation",
			native: strings.HasSuffix(strategy, "WithoutSuffixes") || strategy == "NoTranslation",
		})
	}
	return servers
}

// forEachServer runs test once per Prometheus of the CI stack.
func forEachServer(t *testing.T, test func(t *testing.T, srv itServer)) {
	for _, srv := range itServers(t) {
		t.Run(srv.name, func(t *testing.T) { test(t, srv) })
	}
}

// itClient connects to one Prometheus of the CI stack. An unreachable
// server fails the test with REDLINE_INTEGRATION=1 and skips it otherwise.
func itClient(t *testing.T, srv itServer, cfg Config) *Client {
	t.Helper()
	miss := t.Skipf
	if os.Getenv("REDLINE_INTEGRATION") == "1" {
		miss = t.Fatalf
	}
	cfg.URL = srv.url
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.api.Buildinfo(ctx); err != nil {
		miss("Prometheus at %s unreachable: %v", cfg.URL, describe("build info", err))
	}
	return c
}

// waitDetected polls until every wanted convention covers service: the
// first scrapes of a fresh stack take a few seconds to arrive.
func waitDetected(t *testing.T, c *Client, service string, want ...string) *Detection {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		c.mu.Lock()
		c.detected = nil
		c.mu.Unlock()
		det, err := c.Detect(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var found []string
		for _, conv := range det.Conventions {
			if slices.Contains(conv.Services, service) {
				found = append(found, conv.ID)
			}
		}
		if !slices.ContainsFunc(want, func(id string) bool { return !slices.Contains(found, id) }) {
			return det
		}
		if time.Now().After(deadline) {
			t.Fatalf("conventions covering %q: %q, want %q (warnings %q)", service, found, want, det.Warnings)
		}
		time.Sleep(3 * time.Second)
	}
}

func TestIntegrationDetectsShop(t *testing.T) {
	forEachServer(t, testDetectsShop)
}

func testDetectsShop(t *testing.T, srv itServer) {
	c := itClient(t, srv, Config{})
	det := waitDetected(t, c, "shop", srv.conventions...)
	route, method := "http_route", "http_request_method"
	if srv.dotted {
		route, method = "http.route", "http.request.method"
	}
	best, _ := det.Best("shop")
	if best.ID != ConventionOTel || best.RouteLabel != route || best.MethodLabel != method || best.LatencyNative != srv.native {
		t.Errorf("shop's preferred convention %+v, want OTel semconv with %s and %s, native histogram %v", best, route, method, srv.native)
	}
	info, err := c.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Version == "" {
		t.Error("Ping found no Prometheus version")
	}
	t.Logf("config check would print:\n%s", strings.Join(info.Summary(), "\n"))
}

func TestIntegrationAssumedSLO(t *testing.T) {
	forEachServer(t, testAssumedSLO)
}

func testAssumedSLO(t *testing.T, srv itServer) {
	c := itClient(t, srv, Config{})
	waitDetected(t, c, "shop", ConventionOTel)
	now := time.Now()
	rep, err := c.SLOs(context.Background(), funnel.Last(30*time.Minute, now))
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(rep.Statuses, func(s slo.Status) bool { return s.Objective.Service == "shop" && s.Objective.Name == "availability" })
	if i < 0 {
		t.Fatalf("no availability SLO for shop; warnings %q", rep.Warnings)
	}
	j := slices.IndexFunc(rep.Statuses, func(s slo.Status) bool { return s.Objective.Service == "shop" && s.Objective.IsLatency() })
	if j < 0 || rep.Statuses[j].Objective.Origin != slo.OriginAssumed || rep.Statuses[j].Objective.Threshold <= 0 {
		t.Errorf("no assumed latency SLO with a threshold for shop; warnings %q", rep.Warnings)
	} else {
		t.Logf("shop: %s, %s", rep.Statuses[j].Objective.Summary(), rep.Statuses[j].Verdict)
	}
	s := rep.Statuses[i]
	if s.Objective.Origin != slo.OriginAssumed || s.Objective.Target != AssumedTarget {
		t.Errorf("shop objective %+v, want the assumed 99.9%%", s.Objective)
	}
	// The test service fails ~5% of checkouts and ~10% of item reads: the
	// assumed 99.9% availability SLO burns, with real numbers.
	if math.IsNaN(s.CurrentBurn) || s.CurrentBurn <= 1 || math.IsNaN(s.BudgetRemaining) {
		t.Errorf("shop current burn %v budget remaining %v, want a known burn above 1×", s.CurrentBurn, s.BudgetRemaining)
	}
	if len(s.BurnHistory) == 0 {
		t.Error("shop has no burn history")
	}
	if len(rep.Queries) == 0 {
		t.Error("no queries recorded")
	}
	t.Logf("shop: %s, burn %.1f×, budget %.2f, %s", s.Verdict, s.CurrentBurn, s.BudgetRemaining, s.Caveat)
}

func TestIntegrationRoutesFindSlowCheckout(t *testing.T) {
	forEachServer(t, testRoutesFindSlowCheckout)
}

func testRoutesFindSlowCheckout(t *testing.T, srv itServer) {
	for _, pin := range append([]string{""}, srv.conventions[1:]...) {
		t.Run("convention="+pin, func(t *testing.T) {
			c := itClient(t, srv, Config{Convention: pin})
			waitDetected(t, c, "shop", cmp.Or(pin, ConventionOTel))
			rep, err := c.Routes(context.Background(), red.Query{Service: "shop", Range: funnel.Last(15*time.Minute, time.Now())})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Rows) < 3 {
				t.Fatalf("%d routes, want cart, checkout and items; warnings %q", len(rep.Rows), rep.Warnings)
			}
			slowest := slices.MaxFunc(rep.Rows, func(a, b red.Row) int { return a.P99.Compare(b.P99) })
			if !strings.Contains(slowest.Route, "/api/checkout") || slowest.P99.Value < 500*time.Millisecond {
				t.Errorf("slowest route %q p99 %v, want /api/checkout above 500ms", slowest.Route, slowest.P99)
			}
			if rep.Rows[0].BurnShare <= 0 {
				t.Errorf("top-ranked route %q has burn share %v, want failures ranked first", rep.Rows[0].Route, rep.Rows[0].BurnShare)
			}
			if pin != ConventionClassic && len(slowest.Exemplars) == 0 {
				t.Errorf("no exemplars on %q: the test service and spanmetrics attach trace IDs", slowest.Route)
			}
			if len(rep.Queries) < 6 {
				t.Errorf("%d queries recorded, want every RED query", len(rep.Queries))
			}
			for _, r := range rep.Rows {
				t.Logf("%-28s %6.2f/s err %5.3f p50 %v p99 %v share %.2f exemplars %d", r.Route, r.Rate, r.ErrorRatio, r.P50, r.P99, r.BurnShare, len(r.Exemplars))
			}
		})
	}
}

// TestIntegrationLiveRateIsPrometheusRate5m: a RED row's rate is what
// Prometheus itself computes over the last 5 minutes at the range end,
// within 5%, even when the load changed within the range (the hour's
// average then differs: a fresh stack has run for less than the hour, and
// the saturation load starts and stops), where an average over the whole
// range would be off.
func TestIntegrationLiveRateIsPrometheusRate5m(t *testing.T) {
	forEachServer(t, testLiveRateIsPrometheusRate5m)
}

func testLiveRateIsPrometheusRate5m(t *testing.T, srv itServer) {
	c := itClient(t, srv, Config{Convention: ConventionOTel})
	det := waitDetected(t, c, "shop", ConventionOTel)
	conv, _ := det.Best("shop")
	at := time.Now().Truncate(time.Second)
	rep, err := c.Routes(context.Background(), red.Query{Service: "shop", Range: funnel.Last(time.Hour, at)})
	if err != nil {
		t.Fatal(err)
	}
	byRoute := func(window time.Duration) map[string]float64 {
		// The detected convention writes the query, in this server's names.
		q := conv.requestCount("rate", conv.serviceMatchers("shop"), conv.routeLabels(), window)
		val, _, _, err := c.api.Query(context.Background(), q, at)
		if err != nil {
			t.Fatal(err)
		}
		vec, _ := val.(model.Vector)
		out := map[string]float64{}
		for _, s := range vec {
			out[routeName(conv, s.Metric)] = float64(s.Value)
		}
		return out
	}
	live, hour := byRoute(5*time.Minute), byRoute(time.Hour)
	if len(rep.Rows) == 0 || len(live) == 0 {
		t.Fatalf("no routes (%d rows, %d from Prometheus); warnings %q", len(rep.Rows), len(live), rep.Warnings)
	}
	changed := false
	for _, row := range rep.Rows {
		want := live[row.Route]
		if math.Abs(row.Rate-want) > 0.05*want {
			t.Errorf("%s: rate %.3g/s, Prometheus' rate[5m] %.3g/s: not within 5%%", row.Route, row.Rate, want)
		}
		changed = changed || math.Abs(hour[row.Route]-want) > 0.05*want
		t.Logf("%-28s shown %.3g/s, rate[5m] %.3g/s, rate[1h] %.3g/s", row.Route, row.Rate, want, hour[row.Route])
	}
	if !changed {
		t.Log("the load was steady over the hour: this run could not tell a 5m rate from the hour's average")
	}
}

// TestIntegrationAlertOnShopSLO: .ci/config/rules/redline-integration.yml
// fires ShopCheckoutSlow (severity page, service shop) while the test
// service's checkouts are slow; it shows on shop's SLOs, which sort first,
// and not among the alerts of no SLO. Only the 2.42 server scrapes the
// classic histogram the rule reads.
func TestIntegrationAlertOnShopSLO(t *testing.T) {
	srv := itServers(t)[0]
	c := itClient(t, srv, Config{})
	waitDetected(t, c, "shop", ConventionOTel)
	rep := waitAlertOnSLO(t, c, "ShopCheckoutSlow")
	if rep.Statuses[0].Objective.Service != "shop" {
		t.Errorf("first SLO %s, want shop's, which pages", rep.Statuses[0].Objective.Service)
	}
}

// TestIntegrationAlertMatchedByRecordingRule: CheckoutP99AboveHalfSecond
// (.ci/config/rules/redline-integration.yml) carries no service, SLO or
// job label: its expression reads only the recording rule
// shop:checkout_request_duration_seconds:p99_rate1m, labelled service shop.
// It shows on shop's SLOs through that rule.
func TestIntegrationAlertMatchedByRecordingRule(t *testing.T) {
	srv := itServers(t)[0]
	c := itClient(t, srv, Config{})
	waitDetected(t, c, "shop", ConventionOTel)
	waitAlertOnSLO(t, c, "CheckoutP99AboveHalfSecond")
}

// waitAlertOnSLO polls the SLO step until the alert named name fires on an
// SLO, checks that it is a shop SLO and that the alert is not also listed
// as matching no SLO, and returns the report.
func waitAlertOnSLO(t *testing.T, c *Client, name string) slo.Report {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		rep, err := c.SLOs(context.Background(), funnel.Last(30*time.Minute, time.Now()))
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(rep.Statuses, func(s slo.Status) bool {
			return slices.ContainsFunc(s.Alerts, func(a alert.Alert) bool { return a.Name == name && a.State == alert.Firing })
		})
		if i >= 0 {
			s := rep.Statuses[i]
			if s.Objective.Service != "shop" {
				t.Errorf("%s on %s/%s, want a shop SLO", name, s.Objective.Service, s.Objective.Name)
			}
			if slices.ContainsFunc(rep.Unmatched, func(a alert.Alert) bool { return a.Name == name }) {
				t.Errorf("%s is also listed as matching no SLO", name)
			}
			t.Logf("%s/%s: %s", s.Objective.Service, s.Objective.Name, s.Alerts[0].Summary(time.Now()))
			return rep
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s never fired on an SLO; unmatched %+v, warnings %q", name, rep.Unmatched, rep.Warnings)
		}
		time.Sleep(3 * time.Second)
	}
}

package prometheus

import (
	"context"
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/units"
)

var fixtureNow = time.Unix(1700000000, 0)

func rowOf(t *testing.T, rep red.Report, route string) red.Row {
	t.Helper()
	i := slices.IndexFunc(rep.Rows, func(r red.Row) bool { return r.Route == route })
	if i < 0 {
		var got []string
		for _, r := range rep.Rows {
			got = append(got, r.Route)
		}
		t.Fatalf("no row %q; rows: %q", route, got)
	}
	return rep.Rows[i]
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-9 }

func TestRoutesPerConvention(t *testing.T) {
	tests := []struct {
		fixture, convention, checkout, cart string
		exemplar                            string
	}{
		{"otel.json", "OTel semconv (http_server_request_duration_seconds_count, service label job)", "POST /api/checkout", "GET /api/cart", "5b8efff798038103d269b633813fc700"},
		{"spanmetrics.json", "spanmetrics connector (traces_span_metrics_calls_total, service label service_name)", "POST /api/checkout", "GET /api/cart", "5b8efff798038103d269b633813fc700"},
		{"tempo.json", "Tempo metrics-generator (traces_spanmetrics_calls_total, service label service)", "POST /api/checkout", "GET /api/cart", "5b8efff798038103d269b633813fc700"},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			f := newFakeProm(t, loadFixture(t, tt.fixture))
			c := f.client(t, Config{})
			c.now = func() time.Time { return fixtureNow }
			rep, err := c.Routes(context.Background(), red.Query{Service: "shop", Range: funnel.Last(time.Hour, fixtureNow)})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Convention != tt.convention {
				t.Errorf("Convention = %q, want %q", rep.Convention, tt.convention)
			}
			if u := f.unknownQueries(); len(u) > 0 {
				t.Errorf("unexpected requests:\n%s", strings.Join(u, "\n"))
			}
			if len(rep.Rows) != 3 {
				t.Fatalf("%d rows, want 3", len(rep.Rows))
			}
			checkout := rowOf(t, rep, tt.checkout)
			if !near(checkout.Rate, 1) || !near(checkout.ErrorRatio, 0.05) {
				t.Errorf("checkout rate %v error ratio %v, want 1 and 0.05", checkout.Rate, checkout.ErrorRatio)
			}
			if checkout.P99 != units.Measured(1480*time.Millisecond) || checkout.P50 != units.Measured(900*time.Millisecond) {
				t.Errorf("checkout p50 %v p99 %v, want 900ms and 1.48s", checkout.P50, checkout.P99)
			}
			if len(checkout.LatencyHistory) != 4 || !near(checkout.LatencyHistory[3], 1.48) {
				t.Errorf("checkout p99 history %v, want 4 points ending at 1.48 (seconds)", checkout.LatencyHistory)
			}
			if len(checkout.Exemplars) != 2 || checkout.Exemplars[0].TraceID != tt.exemplar || checkout.Exemplars[0].Value != 1450*time.Millisecond {
				t.Errorf("checkout exemplars %+v, want the 1.45s trace %s first", checkout.Exemplars, tt.exemplar)
			}
			cart := rowOf(t, rep, tt.cart)
			if cart.ErrorRatio != 0 || len(cart.ErrorHistory) != 4 {
				t.Errorf("cart error ratio %v history %v, want 0 with 4 points", cart.ErrorRatio, cart.ErrorHistory)
			}
			if rep.Rows[0].Route != "GET /api/items/{id}" {
				t.Errorf("first ranked row %q, want the route with most failures", rep.Rows[0].Route)
			}
			if len(rep.Queries) != 12 {
				t.Errorf("%d queries recorded, want 12: the detection this first step ran and 11 RED queries", len(rep.Queries))
			}
			for _, q := range rep.Queries {
				if q.Backend != "prometheus" || q.Language != funnel.PromQL || q.Purpose == "" || q.Text == "" || q.Range.End != fixtureNow {
					t.Errorf("recorded query %+v lacks backend, language, purpose, text or range", q)
				}
			}
		})
	}
}

func TestRoutesPrefersOTelOverClassic(t *testing.T) {
	f := newFakeProm(t, loadFixture(t, "otel.json"))
	c := f.client(t, Config{})
	det, err := c.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, conv := range det.Conventions {
		ids = append(ids, conv.ID+":"+strings.Join(conv.Services, ","))
	}
	if want := []string{"otel:payments,shop", "classic:legacy,shop"}; !slices.Equal(ids, want) {
		t.Fatalf("detected %q, want %q", ids, want)
	}
	classic := det.Conventions[1]
	if classic.RouteLabel != "handler" || classic.MethodLabel != "method" || classic.Errors.String() != `code=~"5.."` || classic.Latency != "http_request_duration_seconds_bucket" {
		t.Errorf("classic labels %+v", classic)
	}
	for svc, want := range map[string]string{"shop": "otel", "payments": "otel", "legacy": "classic"} {
		if best, _ := det.Best(svc); best.ID != want {
			t.Errorf("Best(%s) = %s, want %s", svc, best.ID, want)
		}
	}
}

func TestRoutesUnknownService(t *testing.T) {
	f := newFakeProm(t, loadFixture(t, "otel.json"))
	_, err := f.client(t, Config{}).Routes(context.Background(), red.Query{Service: "nope", Range: funnel.Last(time.Hour, fixtureNow)})
	if err == nil || !strings.Contains(err.Error(), `prometheus: no HTTP server metrics found for service "nope"`) {
		t.Fatalf("error = %v", err)
	}
}

func TestDetectionIsCached(t *testing.T) {
	f := newFakeProm(t, loadFixture(t, "otel.json"))
	c := f.client(t, Config{})
	now := fixtureNow
	c.now = func() time.Time { return now }
	count := func() int {
		f.mu.Lock()
		defer f.mu.Unlock()
		return len(f.asked)
	}
	c.Detect(context.Background())
	first := count()
	c.Detect(context.Background())
	if count() != first {
		t.Errorf("second Detect within the TTL sent %d requests", count()-first)
	}
	now = now.Add(detectTTL + time.Second)
	c.Detect(context.Background())
	if count() == first {
		t.Error("Detect after the TTL did not look again")
	}
}

// TestRoutesLiveValuesAndShareWindow: rows hold the last 5m of the range;
// burn shares count what the SLO counts (here requests slower than its
// 1s threshold) over its focus window (here 6h), in one extra query.
func TestRoutesLiveValuesAndShareWindow(t *testing.T) {
	fx := loadFixture(t, "otel.json")
	share := `sum by (le, http_request_method, http_route) (rate(http_server_request_duration_seconds_bucket{job="shop"}[6h]))`
	fx.Query[share] = json.RawMessage(`{"resultType":"vector","result":[` +
		`{"metric":{"http_request_method":"GET","http_route":"/api/cart","le":"1"},"value":[1700000000,"4.5"]},` +
		`{"metric":{"http_request_method":"GET","http_route":"/api/cart","le":"+Inf"},"value":[1700000000,"5"]},` +
		`{"metric":{"http_request_method":"POST","http_route":"/api/checkout","le":"1"},"value":[1700000000,"0.6"]},` +
		`{"metric":{"http_request_method":"POST","http_route":"/api/checkout","le":"+Inf"},"value":[1700000000,"1"]},` +
		`{"metric":{"http_request_method":"GET","http_route":"/api/items/{id}","le":"1"},"value":[1700000000,"3"]},` +
		`{"metric":{"http_request_method":"GET","http_route":"/api/items/{id}","le":"+Inf"},"value":[1700000000,"3"]}]}`)
	f := newFakeProm(t, fx)
	c := f.client(t, Config{})
	c.now = func() time.Time { return fixtureNow }
	q := red.Query{Service: "shop", Range: funnel.Last(time.Hour, fixtureNow), ShareWindow: 6 * time.Hour, SlowerThan: time.Second}
	rep, err := c.Routes(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if u := f.unknownQueries(); len(u) > 0 {
		t.Errorf("unexpected requests:\n%s", strings.Join(u, "\n"))
	}
	if rep.Window != 5*time.Minute || rep.ShareWindow != 6*time.Hour || rep.BadEvents != "requests >1.00s" {
		t.Errorf("report windows %v / %v of %q, want 5m / 6h of requests >1.00s", rep.Window, rep.ShareWindow, rep.BadEvents)
	}
	got := map[string]float64{}
	for _, r := range rep.Rows {
		got[r.Route] = r.BurnShare
	}
	if !near(got["GET /api/cart"], 0.5/0.9) || !near(got["POST /api/checkout"], 0.4/0.9) || got["GET /api/items/{id}"] != 0 {
		t.Errorf("shares %v, want cart 5/9 and checkout 4/9 (slow requests over 6h), items 0 though it fails most", got)
	}
	for _, qr := range rep.Queries {
		if strings.HasPrefix(qr.Purpose, "requests per second by route over") && qr.Range != funnel.Last(5*time.Minute, fixtureNow) {
			t.Errorf("%q covers %v, want the last 5m of the range", qr.Purpose, qr.Range)
		}
	}
}

package prometheus

import (
	"context"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/units"
)

func bucketSample(route, le string, v float64) *model.Sample {
	return &model.Sample{Metric: model.Metric{"route": model.LabelValue(route), "le": model.LabelValue(le)}, Value: model.SampleValue(v)}
}

func byRoute(m model.Metric) string { return string(m["route"]) }

func TestClassicHistogramQuantile(t *testing.T) {
	vec := model.Vector{
		// shuffled, with a repeated bound written two ways and a dip
		bucketSample("slow", "+Inf", 100), bucketSample("slow", "15", 90), bucketSample("slow", "1", 50),
		bucketSample("slow", "1.0", 50), bucketSample("slow", "5", 40),
		bucketSample("fast", "0.1", 99.5), bucketSample("fast", "1", 100), bucketSample("fast", "+Inf", 100),
		bucketSample("idle", "1", 0), bucketSample("idle", "+Inf", 0),
		bucketSample("junk", "abc", 3),
	}
	hs := classicHistograms(vec, byRoute)
	tests := []struct {
		route      string
		q          float64
		want       float64
		lowerBound bool
		ok         bool
	}{
		{"slow", 0.5, 1, false, true},
		{"slow", 0.9, 15, false, true},
		{"slow", 0.95, 15, true, true},
		{"slow", 0.99, 15, true, true},
		{"fast", 0.5, 0.1 * 50 / 99.5, false, true},
		{"fast", 0.999, 0.1 + 0.9*(99.9-99.5)/0.5, false, true},
		{"idle", 0.99, 0, false, false},
		{"junk", 0.99, 0, false, false},
	}
	for _, tt := range tests {
		v, lb, ok := hs[tt.route].quantile(tt.q)
		if math.Abs(v-tt.want) > 1e-9 || lb != tt.lowerBound || ok != tt.ok {
			t.Errorf("%s q%g = %v lower bound %v ok %v, want %v %v %v", tt.route, tt.q, v, lb, ok, tt.want, tt.lowerBound, tt.ok)
		}
		if got := hs[tt.route].beyondLast(tt.q); got != tt.lowerBound {
			t.Errorf("%s beyondLast(%g) = %v, want %v", tt.route, tt.q, got, tt.lowerBound)
		}
	}
	if got := hs["slow"].atMost(5); got != 50 {
		t.Errorf("slow atMost(5) = %v, want 50 (cumulative counts never fall)", got)
	}
}

func TestNativeHistogramBounds(t *testing.T) {
	exp := func(lo, hi, n float64) *model.HistogramBucket {
		return &model.HistogramBucket{Boundaries: 0, Lower: model.FloatString(lo), Upper: model.FloatString(hi), Count: model.FloatString(n)}
	}
	// schema 0: bounds are powers of 2; empty buckets are not listed.
	exponential := fromNative(&model.SampleHistogram{Count: 10, Buckets: model.HistogramBuckets{exp(0.5, 1, 6), exp(0.125, 0.25, 3), exp(2, 4, 1)}})
	// custom buckets (NHCB) end in +Inf.
	custom := fromNative(&model.SampleHistogram{Count: 10, Buckets: model.HistogramBuckets{exp(0, 0.5, 4), exp(0.5, 2.5, 4), exp(2.5, math.Inf(1), 2)}})
	tests := []struct {
		name   string
		h      histogram
		x      float64
		want   float64
		wantOK bool
	}{
		{"listed bound", exponential, 0.9, 1, true},
		{"between listed bounds: the next power", exponential, 1.5, 2, true},
		{"past the last listed bucket", exponential, 9, 16, true},
		{"exact bound", exponential, 4, 4, true},
		{"custom listed", custom, 1, 2.5, true},
		{"custom beyond the last finite bound", custom, 3, 0, false},
	}
	for _, tt := range tests {
		got, ok := tt.h.boundAtLeast(tt.x)
		if ok != tt.wantOK || math.Abs(got-tt.want) > 1e-9 {
			t.Errorf("%s: boundAtLeast(%v) = %v %v, want %v %v", tt.name, tt.x, got, ok, tt.want, tt.wantOK)
		}
	}
	if exponential.beyondLast(0.99) {
		t.Error("an exponential histogram has no +Inf bucket, so no quantile is beyond it")
	}
	if !custom.beyondLast(0.9) || custom.beyondLast(0.8) {
		t.Error("custom buckets: 20% beyond 2.5, so p90 lies beyond it and p80 does not")
	}
	if got := exponential.atMost(1); got != 9 {
		t.Errorf("atMost(1) = %v, want 9", got)
	}
}

// TestRoutesHonestQuantiles checks that a quantile histogram_quantile puts
// at the last finite bucket bound is a lower bound, that a route without
// requests has no quantiles (not 0), and that its p99 history marks points
// beyond the last bucket.
func TestRoutesHonestQuantiles(t *testing.T) {
	fx := loadFixture(t, "otel.json")
	const (
		p95     = `histogram_quantile(0.95, sum by (le, http_request_method, http_route) (rate(http_server_request_duration_seconds_bucket{job="shop"}[5m])))`
		p99     = `histogram_quantile(0.99, sum by (le, http_request_method, http_route) (rate(http_server_request_duration_seconds_bucket{job="shop"}[5m])))`
		p99Hist = `histogram_quantile(0.99, sum by (le, http_request_method, http_route) (rate(http_server_request_duration_seconds_bucket{job="shop"}[5m])))`
		buckets = `sum by (le, http_request_method, http_route) (rate(http_server_request_duration_seconds_bucket{job="shop"}[5m]))`
	)
	checkout := `{"http_request_method":"POST","http_route":"/api/checkout"`
	cart := `{"http_request_method":"GET","http_route":"/api/cart"`
	vec := func(samples ...string) json.RawMessage {
		out := `{"resultType":"vector","result":[`
		for i, s := range samples {
			if i > 0 {
				out += ","
			}
			out += s
		}
		return json.RawMessage(out + `]}`)
	}
	at := func(metric, le, v string) string {
		if le != "" {
			metric += `,"le":"` + le + `"`
		}
		return `{"metric":` + metric + `},"value":[1700000000,"` + v + `"]}`
	}
	fx.Query[p95] = vec(at(checkout, "", "4.9"), at(cart, "", "NaN"))
	fx.Query[p99] = vec(at(checkout, "", "5"), at(cart, "", "NaN"))
	fx.Query[buckets] = vec(at(checkout, "1", "0.5"), at(checkout, "5", "0.97"), at(checkout, "+Inf", "1"),
		at(cart, "1", "0"), at(cart, "5", "0"), at(cart, "+Inf", "0"))
	fx.QueryRange[p99Hist] = json.RawMessage(`{"resultType":"matrix","result":[{"metric":` + checkout +
		`},"values":[[1699996400,"0.8"],[1699998200,"5"],[1700000000,"5"]]}]}`)
	c := newFakeProm(t, fx).client(t, Config{})
	rep, err := c.Routes(context.Background(), red.Query{Service: "shop", Range: funnel.Last(time.Hour, fixtureNow)})
	if err != nil {
		t.Fatal(err)
	}
	co := rowOf(t, rep, "POST /api/checkout")
	if co.P99 != units.AtLeast(5*time.Second) || co.P95 != units.Measured(4900*time.Millisecond) {
		t.Errorf("checkout p95 %v p99 %v, want 4.90s and >5.00s (3%% of requests beyond the 5s bucket)", co.P95, co.P99)
	}
	if got := co.LatencyHistory; len(got) != 3 || got[0] != 0.8 || !math.IsInf(got[1], 1) || !math.IsInf(got[2], 1) {
		t.Errorf("checkout p99 history %v, want 0.8 then beyond the scale twice", got)
	}
	ca := rowOf(t, rep, "GET /api/cart")
	if ca.P95.Known || ca.P99.Known || ca.P99.String() != "—" {
		t.Errorf("cart p95 %v p99 %v, want no data", ca.P95, ca.P99)
	}
}

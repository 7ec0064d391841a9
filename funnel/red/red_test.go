package red

import (
	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/units"
	"math"
	"slices"
	"testing"
	"time"
)

func TestErrorRate(t *testing.T) {
	tests := []struct {
		name        string
		rate, ratio float64
		want        float64
	}{
		{"plain", 20, 0.05, 1},
		{"no errors", 20, 0, 0},
		{"no traffic, unknown ratio", 0, math.NaN(), 0},
		{"unknown ratio", 5, math.NaN(), math.NaN()},
		{"unknown rate", math.NaN(), 0.1, math.NaN()},
	}
	for _, tt := range tests {
		got := Row{Rate: tt.rate, ErrorRatio: tt.ratio}.ErrorRate()
		if !(got == tt.want || math.IsNaN(got) && math.IsNaN(tt.want)) {
			t.Errorf("%s: ErrorRate = %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestRank(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name   string
		rows   []Row
		routes []string
		shares []float64
	}{
		{
			// bad rates over the share window: items 0.3, checkout 0.1, cart 0.
			name: "share of bad events",
			rows: []Row{
				{Route: "GET /api/cart", Rate: 50, BadRate: 0, P99: units.Measured(20 * ms)},
				{Route: "POST /api/checkout", Rate: 2, BadRate: 0.1, P99: units.Measured(1500 * ms)},
				{Route: "GET /api/items/{id}", Rate: 3, BadRate: 0.3, P99: units.Measured(30 * ms)},
			},
			routes: []string{"GET /api/items/{id}", "POST /api/checkout", "GET /api/cart"},
			shares: []float64{0.75, 0.25, 0},
		},
		{
			name: "no bad events anywhere: p99 then route decide",
			rows: []Row{
				{Route: "b", Rate: 1, P99: units.Measured(10 * ms)},
				{Route: "c", Rate: 1, P99: units.Measured(90 * ms)},
				{Route: "a", Rate: 1, P99: units.Measured(10 * ms)},
				{Route: "d", Rate: 1, P99: units.AtLeast(90 * ms)},
				{Route: "e", Rate: 0},
			},
			routes: []string{"d", "c", "a", "b", "e"},
			shares: []float64{0, 0, 0, 0, 0},
		},
		{
			name: "unknown or negative bad rates count as none",
			rows: []Row{
				{Route: "unknown", Rate: 100, BadRate: math.NaN(), P99: units.Measured(5 * ms)},
				{Route: "bad", Rate: 1, BadRate: 1, P99: units.Measured(time.Millisecond)},
				{Route: "negative", Rate: 1, BadRate: -1},
			},
			routes: []string{"bad", "unknown", "negative"},
			shares: []float64{1, 0, 0},
		},
		{name: "empty", rows: nil, routes: nil, shares: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows := slices.Clone(tt.rows)
			// A stale share from an earlier Rank must be overwritten.
			for i := range rows {
				rows[i].BurnShare = 0.42
			}
			Rank(rows)
			var routes []string
			var shares []float64
			for _, r := range rows {
				routes = append(routes, r.Route)
				shares = append(shares, r.BurnShare)
			}
			if !slices.Equal(routes, tt.routes) {
				t.Errorf("order = %v, want %v", routes, tt.routes)
			}
			for i := range shares {
				if math.Abs(shares[i]-tt.shares[i]) > 1e-12 {
					t.Errorf("shares = %v, want %v", shares, tt.shares)
					break
				}
			}
		})
	}
}

func TestQueryFor(t *testing.T) {
	r := funnel.Last(time.Hour, time.Unix(1700000000, 0))
	latency := slo.Evaluate(slo.Objective{Service: "shop", Name: "latency", Target: 0.99, Threshold: 2 * time.Second},
		slo.Measurements{Windows: []slo.Ratio{{Window: 6 * time.Hour, ErrorRatio: 0.07}, {Window: 30 * time.Minute, ErrorRatio: 0.08}, {Window: time.Hour, ErrorRatio: 0.01}}})
	tests := []struct {
		name   string
		st     *slo.Status
		window time.Duration
		bad    string
	}{
		{"no SLO", nil, DefaultShareWindow, "errors"},
		{"latency SLO firing over 6h/30m", &latency, 6 * time.Hour, "requests >2.00s"},
	}
	for _, tt := range tests {
		q := QueryFor("shop", r, tt.st)
		if q.Window() != tt.window || q.BadEvents() != tt.bad || q.Service != "shop" || q.Range != r {
			t.Errorf("%s: %+v window %v bad %q, want %v %q", tt.name, q, q.Window(), q.BadEvents(), tt.window, tt.bad)
		}
	}
}

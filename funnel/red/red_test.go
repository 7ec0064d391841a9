package red

import (
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
			// error rates: checkout 2×0.05 = 0.1, items 3×0.1 = 0.3, cart 0.
			name: "share of bad events",
			rows: []Row{
				{Route: "GET /api/cart", Rate: 50, ErrorRatio: 0, P99: units.Measured(20 * ms)},
				{Route: "POST /api/checkout", Rate: 2, ErrorRatio: 0.05, P99: units.Measured(1500 * ms)},
				{Route: "GET /api/items/{id}", Rate: 3, ErrorRatio: 0.1, P99: units.Measured(30 * ms)},
			},
			routes: []string{"GET /api/items/{id}", "POST /api/checkout", "GET /api/cart"},
			shares: []float64{0.75, 0.25, 0},
		},
		{
			name: "no errors anywhere: p99 then route decide",
			rows: []Row{
				{Route: "b", Rate: 1, P99: units.Measured(10 * ms)},
				{Route: "c", Rate: 1, P99: units.Measured(90 * ms)},
				{Route: "a", Rate: 1, P99: units.Measured(10 * ms)},
			},
			routes: []string{"c", "a", "b"},
			shares: []float64{0, 0, 0},
		},
		{
			name: "unknown ratios count as no errors",
			rows: []Row{
				{Route: "unknown", Rate: 100, ErrorRatio: math.NaN(), P99: units.Measured(5 * ms)},
				{Route: "bad", Rate: 1, ErrorRatio: 1, P99: units.Measured(time.Millisecond)},
				{Route: "idle", Rate: 0, ErrorRatio: math.NaN()},
			},
			routes: []string{"bad", "unknown", "idle"},
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

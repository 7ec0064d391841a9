package prometheus

import (
	"context"
	"encoding/json"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
)

// allNaN turns every sample value of a fixture's query answers into NaN,
// as a Prometheus answers when every series divides by zero.
func allNaN(t *testing.T, fx fixture) fixture {
	t.Helper()
	for _, answers := range []map[string]json.RawMessage{fx.Query, fx.QueryRange} {
		for q, raw := range answers {
			var data struct {
				ResultType string           `json:"resultType"`
				Result     []map[string]any `json:"result"`
			}
			if err := json.Unmarshal(raw, &data); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			for _, series := range data.Result {
				if v, ok := series["value"].([]any); ok && len(v) == 2 {
					v[1] = "NaN"
				}
				if vs, ok := series["values"].([]any); ok {
					for _, v := range vs {
						v.([]any)[1] = "NaN"
					}
				}
			}
			out, err := json.Marshal(data)
			if err != nil {
				t.Fatal(err)
			}
			answers[q] = out
		}
	}
	return fx
}

// TestEveryValueNaNIsNoData: when every value a Prometheus answers is NaN,
// no SLO reads OK: each says it has no data and names the query behind
// its shortest window first.
func TestEveryValueNaNIsNoData(t *testing.T) {
	tests := []struct {
		fixture string
		cfg     Config
		first   map[string]string // service/name → the first query named
	}{
		{"otel.json", Config{SLOs: []SLOSpec{charges}, Assume: Assume{NoLatency: true}}, map[string]string{
			"billing/charges":       "billing/charges: all events over 5m",
			"shop/availability":     "all requests per job over 5m (OTel semconv)",
			"payments/availability": "all requests per job over 5m (OTel semconv)",
			"legacy/availability":   "all requests per job over 5m (classic client_golang)",
		}},
		{"sloth.json", Config{}, map[string]string{
			"shop/requests-availability": slothRatios,
			"payments/charge-latency":    slothRatios,
		}},
		{"pyrra.json", Config{}, map[string]string{"shop/shop-availability": pyrraRatios}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			f := newFakeProm(t, allNaN(t, loadFixture(t, tt.fixture)))
			c := f.client(t, tt.cfg)
			c.now = func() time.Time { return fixtureNow }
			rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Statuses) != len(tt.first) {
				t.Errorf("%d statuses, want %d", len(rep.Statuses), len(tt.first))
			}
			for _, s := range rep.Statuses {
				key := s.Objective.Service + "/" + s.Objective.Name
				want, ok := tt.first[key]
				if !ok || s.Verdict != slo.NoData || len(s.NoDataFrom) == 0 || s.NoDataFrom[0] != want {
					t.Errorf("%s: %v from %q, want NO DATA from %q first", key, s.Verdict, s.NoDataFrom, want)
				}
				if !strings.HasPrefix(s.Caveat, "no data: "+strconv.Quote(want)) {
					t.Errorf("%s: caveat %q does not name %q", key, s.Caveat, want)
				}
			}
		})
	}
}

package prometheus

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
)

// latencyFixture answers the assumed latency SLO's queries for conv: the
// baseline, each window and the history, every answer built by answer from
// the counts per service of that window (nil: no answer at all).
func latencyFixture(conv Convention, baseline, windows map[string]string, history string) fixture {
	fx := fixture{Query: map[string]json.RawMessage{}, QueryRange: map[string]json.RawMessage{}}
	empty := json.RawMessage(`{"resultType":"vector","result":[]}`)
	for _, q := range []string{"slo:objective:ratio", "slo:time_period:days", `{__name__=~"slo:sli_error:ratio_rate.+"}`} {
		fx.Query[q] = empty // Sloth's rules are always looked for
	}
	fx.QueryRange["slo:sli_error:ratio_rate1h"] = json.RawMessage(`{"resultType":"matrix","result":[]}`)
	by := []string{conv.ServiceLabel}
	fx.Query[conv.histogram("increase", conv.Fixed, by, BaselineSpan-BaselineGap)] = json.RawMessage(baseline["shop"])
	for w, ans := range windows {
		d, _ := time.ParseDuration(w)
		if strings.HasSuffix(w, "d") {
			var days int
			fmt.Sscanf(w, "%dd", &days)
			d = time.Duration(days) * 24 * time.Hour
		}
		fx.Query[conv.histogram("increase", conv.Fixed, by, d)] = json.RawMessage(ans)
	}
	fx.QueryRange[conv.histogram("rate", conv.Fixed, by, time.Hour)] = json.RawMessage(history)
	return fx
}

// classicAnswer renders a vector of cumulative buckets for service shop:
// pairs of le and count.
func classicAnswer(buckets ...any) string {
	var parts []string
	for i := 0; i < len(buckets); i += 2 {
		parts = append(parts, fmt.Sprintf(`{"metric":{"job":"shop","le":%q},"value":[1700000000,"%v"]}`, buckets[i], buckets[i+1]))
	}
	return `{"resultType":"vector","result":[` + strings.Join(parts, ",") + `]}`
}

// nativeAnswer renders one exponential native histogram (schema 0, bounds
// powers of 2) for service shop from (upper bound, count) pairs.
func nativeAnswer(buckets ...float64) string {
	var parts []string
	total := 0.0
	for i := 0; i < len(buckets); i += 2 {
		parts = append(parts, fmt.Sprintf(`[0,"%g","%g","%g"]`, buckets[i]/2, buckets[i], buckets[i+1]))
		total += buckets[i+1]
	}
	return fmt.Sprintf(`{"resultType":"vector","result":[{"metric":{"job":"shop"},"histogram":[1700000000,{"count":"%g","sum":"1","buckets":[%s]}]}]}`,
		total, strings.Join(parts, ","))
}

func latencySLOs(t *testing.T, conv Convention, fx fixture, spec Assume) (slo.Report, *fakeProm) {
	t.Helper()
	f := newFakeProm(t, fx)
	c := f.client(t, Config{Assume: spec})
	c.now = func() time.Time { return fixtureNow }
	c.detected = &Detection{At: fixtureNow, Conventions: []Convention{conv}}
	rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
	if err != nil {
		t.Fatal(err)
	}
	if u := f.unknownQueries(); len(u) > 0 {
		t.Errorf("unexpected requests:\n%s", strings.Join(u, "\n"))
	}
	return rep, f
}

var otelShop = Convention{
	ID: ConventionOTel, Title: "OTel semconv", Requests: "http_server_request_duration_seconds_count",
	Latency: "http_server_request_duration_seconds_bucket", LatencyScale: 1, ServiceLabel: "job",
	Errors: re("http_response_status_code", "5.."), Services: []string{"shop"},
}

// TestAssumedLatencyClassic: the baseline p99 is 250ms, so T is the
// smallest bound ≥ 500ms; half the requests of the last 5m and 30% of the
// last hour were slower: the SLO pages.
func TestAssumedLatencyClassic(t *testing.T) {
	window := func(total, fast float64) string {
		return classicAnswer("0.1", fast/2, "0.25", fast/2, "0.5", fast, "1", total, "+Inf", total)
	}
	windows := map[string]string{
		"5m": window(600, 300), "30m": window(3600, 1800), "1h": window(7200, 5040), "2h": window(14400, 12000),
		"6h": window(43200, 40000), "24h": window(288000, 287000), "72h": window(864000, 863000), "30d": window(1e6, 995000),
	}
	baseline := map[string]string{"shop": classicAnswer("0.1", 900, "0.25", 990, "0.5", 999, "1", 1000, "+Inf", 1000)}
	history := `{"resultType":"matrix","result":[` +
		`{"metric":{"job":"shop","le":"0.5"},"values":[[1699998200,"0.9"],[1700000000,"0.7"]]},` +
		`{"metric":{"job":"shop","le":"+Inf"},"values":[[1699998200,"1"],[1700000000,"1"]]}]}`
	rep, _ := latencySLOs(t, otelShop, latencyFixture(otelShop, baseline, windows, history), Assume{NoAvailability: true})
	st := statusOf(t, rep, "shop", "latency")
	o := st.Objective
	if o.Origin != slo.OriginAssumed || o.Target != 0.99 || o.Threshold != 500*time.Millisecond || o.Basis != "2× 7d p99" {
		t.Errorf("objective %+v, want assumed 99%% < 500ms from 2× 7d p99", o)
	}
	if got := o.Summary(); got != "latency assumed · 99% < 500ms (2× 7d p99)" {
		t.Errorf("Summary = %q", got)
	}
	if st.Verdict != slo.Critical || !near(st.CurrentBurn, 50) || !near(st.BudgetRemaining, 0.5) {
		t.Errorf("verdict %v burn %v budget %v, want CRITICAL, 50× (half of 5m slower), 0.5", st.Verdict, st.CurrentBurn, st.BudgetRemaining)
	}
	if len(st.BurnHistory) != 2 || !near(st.BurnHistory[0].Value, 10) || !near(st.BurnHistory[1].Value, 30) {
		t.Errorf("burn history %v, want 10 then 30", st.BurnHistory)
	}
	if len(rep.Statuses) != 1 {
		t.Errorf("%d statuses, want only the latency SLO (availability not assumed)", len(rep.Statuses))
	}
}

// TestAssumedLatencyNative: native histograms list only the buckets that
// counted something; T continues the exponential schema past them.
func TestAssumedLatencyNative(t *testing.T) {
	conv := otelShop
	conv.Latency, conv.LatencyNative = "http_server_request_duration_seconds", true
	windows := map[string]string{}
	for _, w := range []string{"5m", "30m", "1h", "2h", "6h", "24h", "72h", "30d"} {
		windows[w] = nativeAnswer(1, 900, 2, 90, 32, 10) // 10 of 1000 above 2s
	}
	baseline := map[string]string{"shop": nativeAnswer(0.5, 500, 1, 500)} // p99 0.99s → T ≥ 1.98s: 2s
	rep, _ := latencySLOs(t, conv, latencyFixture(conv, baseline, windows, `{"resultType":"matrix","result":[]}`), Assume{NoAvailability: true})
	st := statusOf(t, rep, "shop", "latency")
	if st.Objective.Threshold != 2*time.Second || st.Objective.Basis != "2× 7d p99" {
		t.Errorf("threshold %v basis %q, want 2s (a power of 2) from 2× 7d p99", st.Objective.Threshold, st.Objective.Basis)
	}
	if !near(st.CurrentBurn, 1) || st.Verdict == slo.Critical {
		t.Errorf("burn %v verdict %v, want 1× (1%% slower than 2s, the whole budget) and not critical", st.CurrentBurn, st.Verdict)
	}
}

func TestAssumedLatencyThresholdChoice(t *testing.T) {
	classic := func(pairs ...any) histogram {
		return classicHistograms(mustVector(classicAnswer(pairs...)), func(m model.Metric) string { return "x" })["x"]
	}
	current := classic("0.5", 10, "1", 20, "2.5", 30, "+Inf", 40)
	tests := []struct {
		name   string
		base   histogram
		fixed  time.Duration
		want   float64
		basis  string
		wantOK bool
	}{
		{"no history: default 1s", histogram{}, 0, 1, "default, no 7d history", true},
		{"configured, raised to a bound", histogram{}, 700 * time.Millisecond, 1, "configured", true},
		{"baseline p99 beyond the last bucket", classic("0.5", 10, "+Inf", 40), 0, 2.5, "last bucket: the 7d p99 is beyond it", true},
		{"2× p99 beyond the last bucket", classic("1", 0, "2.5", 100, "+Inf", 100), 0, 2.5, "2× 7d p99, capped at the last bucket", true},
		{"baseline: smallest bound ≥ 2× p99", classic("0.5", 99, "1", 100, "2.5", 100, "+Inf", 100), 0, 1, "2× 7d p99", true},
	}
	for _, tt := range tests {
		got, basis, ok := threshold(tt.base, current, tt.fixed, 1)
		if ok != tt.wantOK || math.Abs(got-tt.want) > 1e-9 || basis != tt.basis {
			t.Errorf("%s: threshold = %v %q %v, want %v %q %v", tt.name, got, basis, ok, tt.want, tt.basis, tt.wantOK)
		}
	}
	if _, _, ok := threshold(histogram{}, histogram{}, 0, 1); ok {
		t.Error("no histogram at all: no threshold, so no latency SLO")
	}
}

func TestAssumedSLOsOff(t *testing.T) {
	rep, f := latencySLOs(t, otelShop, latencyFixture(otelShop, nil, nil, ""), Assume{Off: true})
	for _, q := range f.asked {
		if strings.Contains(q, "http_server") {
			t.Errorf("assume off, yet %s was asked", q)
		}
	}
	if len(rep.Statuses) != 0 {
		t.Errorf("assume off: %d statuses, want none", len(rep.Statuses))
	}
}

func mustVector(s string) model.Vector {
	var v struct {
		Result model.Vector `json:"result"`
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		panic(err)
	}
	return v.Result
}

func TestAssumedLatencyNeedsAHistogram(t *testing.T) {
	conv := otelShop
	conv.Latency = ""
	rep, _ := latencySLOs(t, conv, latencyFixture(conv, nil, nil, ""), Assume{NoAvailability: true})
	if len(rep.Statuses) != 0 || !slices.ContainsFunc(rep.Warnings, func(w string) bool { return strings.Contains(w, "no latency histogram") }) {
		t.Errorf("statuses %d, warnings %q: want no SLO and a warning naming the missing histogram", len(rep.Statuses), rep.Warnings)
	}
}

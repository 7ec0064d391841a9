package slo

import (
	"math"
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	day   = 24 * time.Hour
	tol   = 1e-9
	tight = 1e-6
)

func approx(a, b, eps float64) bool {
	if math.IsNaN(a) || math.IsNaN(b) {
		return math.IsNaN(a) && math.IsNaN(b)
	}
	if math.IsInf(a, 0) || math.IsInf(b, 0) {
		return a == b
	}
	return math.Abs(a-b) <= eps*math.Max(1, math.Abs(b))
}

func TestWindows(t *testing.T) {
	tests := []struct {
		period  time.Duration
		factors []float64
	}{
		{30 * day, []float64{14.4, 6, 3, 1}},
		{28 * day, []float64{13.44, 5.6, 2.8, 0.9333333333333333}},
		{7 * day, []float64{3.36, 1.4, 0.7, 0.23333333333333334}},
		{0, []float64{14.4, 6, 3, 1}}, // default period
	}
	wantShape := []Window{
		{Severity: Page, Long: time.Hour, Short: 5 * time.Minute, BudgetShare: 0.02},
		{Severity: Page, Long: 6 * time.Hour, Short: 30 * time.Minute, BudgetShare: 0.05},
		{Severity: Ticket, Long: day, Short: 2 * time.Hour, BudgetShare: 0.1},
		{Severity: Ticket, Long: 3 * day, Short: 6 * time.Hour, BudgetShare: 0.1},
	}
	for _, tt := range tests {
		ws := Windows(tt.period)
		if len(ws) != 4 {
			t.Fatalf("Windows(%v) has %d windows", tt.period, len(ws))
		}
		for i, w := range ws {
			shape := w
			shape.Factor = 0
			if shape != wantShape[i] || !approx(w.Factor, tt.factors[i], tol) {
				t.Errorf("Windows(%v)[%d] = %+v, want %+v with factor %v", tt.period, i, w, wantShape[i], tt.factors[i])
			}
		}
	}
}

func TestWindowLabel(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{5 * time.Minute, "5m"},
		{time.Hour, "1h"},
		{6 * time.Hour, "6h"},
		{day, "1d"},
		{3 * day, "3d"},
		{28 * day, "28d"},
		{90 * time.Minute, "90m"},
		{90 * time.Second, "1m30s"},
		{0, "0s"},
	}
	for _, tt := range tests {
		if got := WindowLabel(tt.d); got != tt.want {
			t.Errorf("WindowLabel(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
}

func TestVerdictStringAndSymbol(t *testing.T) {
	tests := []struct {
		v            Verdict
		word, symbol string
	}{
		{Critical, "CRITICAL", "✖"},
		{Increasing, "INCREASING", "▲"},
		{Recovering, "RECOVERING", "▼"},
		{NoData, "NO DATA", "∅"},
		{OK, "OK", "✔"},
		{Verdict(7), "VERDICT(7)", "?"},
	}
	for _, tt := range tests {
		if tt.v.String() != tt.word || tt.v.Symbol() != tt.symbol {
			t.Errorf("Verdict %d = %q %q, want %q %q", int(tt.v), tt.v.String(), tt.v.Symbol(), tt.word, tt.symbol)
		}
	}
}

// ratios builds measurements from error ratios per window label; every
// window gets 10 000 events unless totals says otherwise.
func ratios(errs map[time.Duration]float64, totals map[time.Duration]float64) []Ratio {
	var rs []Ratio
	for w, e := range errs {
		total := 10_000.0
		if v, ok := totals[w]; ok {
			total = v
		}
		rs = append(rs, Ratio{Window: w, ErrorRatio: e, Total: total})
	}
	return rs
}

// uniform gives every alert window the same error ratio.
func uniform(e float64) map[time.Duration]float64 {
	m := map[time.Duration]float64{}
	for _, w := range []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, day, 3 * day} {
		m[w] = e
	}
	return m
}

func with(base map[time.Duration]float64, w time.Duration, e float64) map[time.Duration]float64 {
	out := map[time.Duration]float64{}
	for k, v := range base {
		out[k] = v
	}
	out[w] = e
	return out
}

func TestEvaluateBurnsAndVerdict(t *testing.T) {
	const m5, m30, h1, h2, h6 = 5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour
	tests := []struct {
		name    string
		target  float64
		period  time.Duration
		errs    map[time.Duration]float64
		firing  [4]bool
		long    [4]float64 // expected long burns
		short   [4]float64
		verdict Verdict
	}{
		{
			// 99.9%: budget 0.001. 2% errors everywhere = burn 20 > 14.4.
			name: "99.9 page fires", target: 0.999, errs: uniform(0.02),
			firing: [4]bool{true, true, true, true},
			long:   [4]float64{20, 20, 20, 20}, short: [4]float64{20, 20, 20, 20},
			verdict: Critical,
		},
		{
			// 1h burns 20 but 5m only 10 (< 14.4): the fast page does not
			// fire; 6h/30m burn 7 > 6 fires the slow page.
			name: "99.9 slow page fires", target: 0.999,
			errs:   with(with(with(with(uniform(0.0005), h1, 0.02), m5, 0.01), h6, 0.007), m30, 0.007),
			firing: [4]bool{false, true, false, false},
			long:   [4]float64{20, 7, 0.5, 0.5}, short: [4]float64{10, 7, 0.5, 7},
			verdict: Critical,
		},
		{
			// 99%: budget 0.01. 5% errors = burn 5: both tickets fire
			// (3, 1), no page (14.4, 6).
			name: "99 ticket fires", target: 0.99, errs: uniform(0.05),
			firing: [4]bool{false, false, true, true},
			long:   [4]float64{5, 5, 5, 5}, short: [4]float64{5, 5, 5, 5},
			verdict: Increasing,
		},
		{
			// 99.99%: budget 0.0001. 0.15% errors = burn 15 > 14.4.
			name: "99.99 page fires", target: 0.9999, errs: uniform(0.0015),
			firing: [4]bool{true, true, true, true},
			long:   [4]float64{15, 15, 15, 15}, short: [4]float64{15, 15, 15, 15},
			verdict: Critical,
		},
		{
			// 28 days rescales the fast page factor to 13.44: burn 14 fires
			// there but would not fire the 30-day 14.4.
			name: "28d rescaled page fires at 14", target: 0.999, period: 28 * day, errs: uniform(0.014),
			firing: [4]bool{true, true, true, true},
			long:   [4]float64{14, 14, 14, 14}, short: [4]float64{14, 14, 14, 14},
			verdict: Critical,
		},
		{
			name: "30d does not page at 14", target: 0.999, period: 30 * day,
			errs:   with(with(uniform(0.0001), h1, 0.014), m5, 0.014),
			firing: [4]bool{false, false, false, false},
			long:   [4]float64{14, 0.1, 0.1, 0.1}, short: [4]float64{14, 0.1, 0.1, 0.1},
			verdict: OK, // 14 < 14.4 and nothing else burns
		},
		{
			// Every short window burns above 1 and above its long window.
			name: "increasing", target: 0.999,
			errs: map[time.Duration]float64{
				m5: 0.004, h1: 0.002, m30: 0.003, h6: 0.0015, h2: 0.002, day: 0.0005, 3 * day: 0.0004,
			},
			firing: [4]bool{false, false, false, false},
			long:   [4]float64{2, 1.5, 0.5, 0.4}, short: [4]float64{4, 3, 2, 1.5},
			verdict: Increasing,
		},
		{
			// 1d burned at 4 (> 3) but the last 2h only at 0.2.
			name: "recovering", target: 0.999,
			errs:   with(with(uniform(0.0002), day, 0.004), h2, 0.0002),
			firing: [4]bool{false, false, false, false},
			long:   [4]float64{0.2, 0.2, 4, 0.2}, short: [4]float64{0.2, 0.2, 0.2, 0.2},
			verdict: Recovering,
		},
		{
			name: "ok", target: 0.999, errs: uniform(0.0005),
			long: [4]float64{0.5, 0.5, 0.5, 0.5}, short: [4]float64{0.5, 0.5, 0.5, 0.5},
			verdict: OK,
		},
		{
			name: "no data at all", target: 0.999, errs: nil,
			long:    [4]float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()},
			short:   [4]float64{math.NaN(), math.NaN(), math.NaN(), math.NaN()},
			verdict: NoData,
		},
		{
			// A NaN short window must not fire even with a huge long burn.
			name: "unknown short window never fires", target: 0.999,
			errs:    with(uniform(0.5), m5, math.NaN()),
			firing:  [4]bool{false, true, true, true},
			long:    [4]float64{500, 500, 500, 500},
			short:   [4]float64{math.NaN(), 500, 500, 500},
			verdict: Critical,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := Objective{Service: "shop", Name: "availability", Target: tt.target, Period: tt.period}
			st := Evaluate(obj, Measurements{Windows: ratios(tt.errs, nil), Period: Ratio{Window: 30 * day, ErrorRatio: 0, Total: 1e6}})
			if len(st.Burns) != 4 {
				t.Fatalf("%d burns", len(st.Burns))
			}
			for i, b := range st.Burns {
				if b.Firing != tt.firing[i] || !approx(b.LongBurn, tt.long[i], tight) || !approx(b.ShortBurn, tt.short[i], tight) {
					t.Errorf("window %d (%v/%v ×%.4g): long %v short %v firing %v; want %v %v %v",
						i, b.Long, b.Short, b.Factor, b.LongBurn, b.ShortBurn, b.Firing, tt.long[i], tt.short[i], tt.firing[i])
				}
			}
			if st.Verdict != tt.verdict {
				t.Errorf("verdict %v, want %v", st.Verdict, tt.verdict)
			}
		})
	}
}

func TestVerdictRules(t *testing.T) {
	page := Window{Severity: Page, Factor: 14.4}
	ticket := Window{Severity: Ticket, Factor: 3}
	nanF := math.NaN()
	tests := []struct {
		name  string
		burns []WindowBurn
		want  Verdict
	}{
		{"page firing", []WindowBurn{{Window: page, LongBurn: 20, ShortBurn: 15, Firing: true}}, Critical},
		{"ticket firing, short above long", []WindowBurn{{Window: ticket, LongBurn: 4, ShortBurn: 5, Firing: true}}, Increasing},
		{"ticket firing, short below long", []WindowBurn{{Window: ticket, LongBurn: 5, ShortBurn: 4, Firing: true}}, Increasing},
		{"all known shorts accelerate above 1", []WindowBurn{
			{Window: page, LongBurn: 2, ShortBurn: 3}, {Window: ticket, LongBurn: 1.1, ShortBurn: 1.2}, {Window: ticket, LongBurn: nanF, ShortBurn: 9},
		}, Increasing},
		{"one short below its long is not accelerating", []WindowBurn{
			{Window: page, LongBurn: 2, ShortBurn: 3}, {Window: ticket, LongBurn: 1.3, ShortBurn: 1.2},
		}, OK},
		{"accelerating but below 1× is fine", []WindowBurn{{Window: page, LongBurn: 0.2, ShortBurn: 0.9}}, OK},
		{"long above factor, short not", []WindowBurn{{Window: ticket, LongBurn: 4, ShortBurn: 1}}, Recovering},
		{"long above factor, short unknown", []WindowBurn{{Window: ticket, LongBurn: 4, ShortBurn: nanF}}, OK},
		{"nothing known", []WindowBurn{{Window: page, LongBurn: nanF, ShortBurn: nanF}}, OK},
		{"no windows", nil, OK},
	}
	for _, tt := range tests {
		if got := verdictOf(tt.burns); got != tt.want {
			t.Errorf("%s: verdict %v, want %v", tt.name, got, tt.want)
		}
	}
}

func TestEvaluateBudget(t *testing.T) {
	tests := []struct {
		name      string
		target    float64
		period    time.Duration
		m5        float64 // error ratio over 5m (current burn)
		periodErr float64
		remaining float64
		current   float64
		tte       time.Duration
	}{
		// 99.9/30d: period ratio 0.0004 → 40% used, 60% left; burn 20
		// spends 20 periods' budget per period: 0.6 × 720h ÷ 20 = 21.6h.
		{"99.9 burning", 0.999, 30 * day, 0.02, 0.0004, 0.6, 20, 21*time.Hour + 36*time.Minute},
		// 99/28d: 0.25 × 672h ÷ 2 = 84h.
		{"99 over 28 days", 0.99, 28 * day, 0.02, 0.0075, 0.25, 2, 84 * time.Hour},
		// 99.99: period ratio 0.0002 = twice the budget.
		{"99.99 exhausted", 0.9999, 30 * day, 0.001, 0.0002, -1, 10, 0},
		{"no burn never exhausts", 0.999, 30 * day, 0, 0.0005, 0.5, 0, -1},
		{"unknown current burn", 0.999, 30 * day, math.NaN(), 0.0005, 0.5, math.NaN(), -1},
		{"unknown period ratio", 0.999, 30 * day, 0.01, math.NaN(), math.NaN(), 10, -1},
		{"tiny burn overflows duration", 0.999, 30 * day, 1e-300, 0, 1, 1e-297, -1},
		{"100% target, no errors", 1, 30 * day, 0, 0, 1, 0, -1},
		{"100% target, errors", 1, 30 * day, 0.001, 0.001, math.Inf(-1), math.Inf(1), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj := Objective{Target: tt.target, Period: tt.period}
			st := Evaluate(obj, Measurements{
				Windows: []Ratio{{Window: 5 * time.Minute, ErrorRatio: tt.m5, Total: 1000}},
				Period:  Ratio{Window: tt.period, ErrorRatio: tt.periodErr, Total: 1e6},
			})
			if !approx(st.BudgetRemaining, tt.remaining, tight) || !approx(st.CurrentBurn, tt.current, tight) ||
				(st.TimeToExhaustion-tt.tte).Abs() > time.Millisecond {
				t.Errorf("remaining %v burn %v tte %v; want %v %v %v",
					st.BudgetRemaining, st.CurrentBurn, st.TimeToExhaustion, tt.remaining, tt.current, tt.tte)
			}
		})
	}
}

func TestCurrentBurnFallsBackToShortestKnownWindow(t *testing.T) {
	st := Evaluate(Objective{Target: 0.999}, Measurements{Windows: []Ratio{
		{Window: time.Hour, ErrorRatio: 0.004, Total: 1e4},
		{Window: 5 * time.Minute, ErrorRatio: math.NaN(), Total: 0},
		{Window: 30 * time.Minute, ErrorRatio: 0.003, Total: 1e4},
	}})
	if !approx(st.CurrentBurn, 3, tight) {
		t.Errorf("CurrentBurn = %v, want 3 (the 30m window)", st.CurrentBurn)
	}
}

func TestEvaluateLowTraffic(t *testing.T) {
	tests := []struct {
		name    string
		windows []Ratio
		period  Ratio
		low     bool
		caveat  string // substring; "" means Caveat must be empty
	}{
		{"plenty", []Ratio{{Window: 5 * time.Minute, ErrorRatio: 0, Total: 500}, {Window: time.Hour, ErrorRatio: 0, Total: 6000}}, Ratio{Window: 30 * day, ErrorRatio: 0, Total: 1e6}, false, ""},
		{"5m has 42", []Ratio{{Window: 5 * time.Minute, ErrorRatio: 0, Total: 42}, {Window: time.Hour, ErrorRatio: 0, Total: 99}}, Ratio{Window: 30 * day, ErrorRatio: 0, Total: 1e6}, true, "only 42 events over the last 5m"},
		{"fewest wins", []Ratio{{Window: 5 * time.Minute, ErrorRatio: 0, Total: 80}, {Window: time.Hour, ErrorRatio: 0, Total: 7}}, Ratio{Window: 30 * day, ErrorRatio: 0, Total: 1e6}, true, "only 7 events over the last 1h"},
		{"unknown totals are not low", []Ratio{{Window: 5 * time.Minute, ErrorRatio: 0, Total: math.NaN()}}, Ratio{Window: 30 * day, ErrorRatio: 0, Total: math.NaN()}, false, ""},
		{"period low", nil, Ratio{Window: 30 * day, ErrorRatio: 0, Total: 12}, true, "only 12 events over the SLO period"},
		{"zero events", []Ratio{{Window: 5 * time.Minute, ErrorRatio: math.NaN(), Total: 0}}, Ratio{Window: 30 * day, ErrorRatio: 0, Total: 1e6}, true, "only 0 events over the last 5m"},
		{"unknown period ratio", []Ratio{{Window: 5 * time.Minute, ErrorRatio: 0, Total: 500}}, Ratio{Window: 30 * day, ErrorRatio: math.NaN(), Total: math.NaN()}, false, "budget remaining unknown"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Evaluate(Objective{Target: 0.999}, Measurements{Windows: tt.windows, Period: tt.period})
			if st.LowTraffic != tt.low {
				t.Errorf("LowTraffic = %v, want %v", st.LowTraffic, tt.low)
			}
			if (tt.caveat == "") != (st.Caveat == "") || !strings.Contains(st.Caveat, tt.caveat) {
				t.Errorf("Caveat = %q, want it to contain %q", st.Caveat, tt.caveat)
			}
		})
	}
}

func TestEvaluateNoData(t *testing.T) {
	nan := math.NaN()
	const sloth = "Sloth error ratios, every window"
	tests := []struct {
		name    string
		windows []Ratio
		period  Ratio
		verdict Verdict
		from    []string
		caveat  string // substring; "" means no "no data" in Caveat
	}{
		{"every window NaN from one query",
			[]Ratio{{Window: 5 * time.Minute, ErrorRatio: nan, Total: nan, Query: sloth}, {Window: time.Hour, ErrorRatio: nan, Total: nan, Query: sloth}},
			Ratio{Window: 30 * day, ErrorRatio: nan, Total: nan, Query: sloth},
			NoData, []string{sloth}, `no data: "Sloth error ratios, every window" gave no error ratio`},
		{"every window NaN, one query each, period known",
			[]Ratio{{Window: 5 * time.Minute, ErrorRatio: nan, Total: nan, Query: "all over 5m"}, {Window: time.Hour, ErrorRatio: nan, Total: 0, Query: "all over 1h"}},
			Ratio{Window: 30 * day, ErrorRatio: 0.0001, Total: 1e6, Query: "all over 30d"},
			NoData, []string{"all over 5m", "all over 1h"}, `no data: "all over 5m" and 1 other gave no error ratio`},
		{"no window measured",
			nil, Ratio{Window: 30 * day, ErrorRatio: nan, Total: nan},
			NoData, nil, "no data: no window has an error ratio"},
		{"one window known is data",
			[]Ratio{{Window: 5 * time.Minute, ErrorRatio: 0, Total: 500, Query: "all over 5m"}, {Window: time.Hour, ErrorRatio: nan, Total: nan, Query: "all over 1h"}},
			Ratio{Window: 30 * day, ErrorRatio: 0, Total: 1e6},
			OK, nil, ""},
		{"a known zero ratio is data",
			[]Ratio{{Window: 5 * time.Minute, ErrorRatio: 0, Total: nan, Query: sloth}},
			Ratio{Window: 30 * day, ErrorRatio: nan, Total: nan, Query: sloth},
			OK, nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := Evaluate(Objective{Target: 0.999}, Measurements{Windows: tt.windows, Period: tt.period})
			if st.Verdict != tt.verdict || !slices.Equal(st.NoDataFrom, tt.from) {
				t.Errorf("verdict %v from %q, want %v from %q", st.Verdict, st.NoDataFrom, tt.verdict, tt.from)
			}
			if tt.caveat == "" && strings.Contains(st.Caveat, "no data") || !strings.Contains(st.Caveat, tt.caveat) {
				t.Errorf("Caveat = %q, want it to contain %q", st.Caveat, tt.caveat)
			}
		})
	}
}

func TestSortBySeverity(t *testing.T) {
	mk := func(name string, v Verdict, burn, remaining float64) Status {
		return Status{Objective: Objective{Service: "shop", Name: name}, Verdict: v, CurrentBurn: burn, BudgetRemaining: remaining}
	}
	s := []Status{
		mk("ok", OK, 0.1, 0.9),
		mk("inc-slow", Increasing, 2, 0.5),
		mk("crit-unknown", Critical, math.NaN(), 0.2),
		mk("crit-fast", Critical, 30, 0.8),
		mk("crit-fast-less-budget", Critical, 30, 0.1),
		mk("inc-fast", Increasing, 5, 0.5),
		mk("rec", Recovering, 0.5, math.NaN()),
		mk("rec-b", Recovering, 0.5, 0.3),
		mk("no-data", NoData, math.NaN(), math.NaN()),
	}
	SortBySeverity(s)
	want := []string{"crit-fast-less-budget", "crit-fast", "crit-unknown", "inc-fast", "inc-slow", "rec-b", "rec", "no-data", "ok"}
	for i, st := range s {
		if st.Objective.Name != want[i] {
			var got []string
			for _, x := range s {
				got = append(got, x.Objective.Name)
			}
			t.Fatalf("order = %v, want %v", got, want)
		}
	}
}

func TestObjectiveBudget(t *testing.T) {
	if got := (Objective{Target: 0.999}).Budget(); !approx(got, 0.001, tight) {
		t.Errorf("Budget = %v", got)
	}
}

func TestObjectiveSummary(t *testing.T) {
	tests := []struct {
		obj     Objective
		want    string
		latency bool
	}{
		{Objective{Name: "latency", Target: 0.99, Origin: OriginAssumed, Threshold: 2 * time.Second, Basis: "2× 7d p99"}, "latency assumed · 99% < 2.00s (2× 7d p99)", true},
		{Objective{Name: "availability", Target: 0.999, Origin: OriginSloth}, "availability · 99.9%", false},
		{Objective{Name: "checkout-latency", Target: 0.95, Origin: OriginPyrra}, "checkout-latency · 95%", true},
		{Objective{Name: "fast", SLI: "requests slower than 1s / all requests", Target: 0.9}, "fast · 90%", true},
	}
	for _, tt := range tests {
		if got := tt.obj.Summary(); got != tt.want {
			t.Errorf("Summary = %q, want %q", got, tt.want)
		}
		if got := tt.obj.IsLatency(); got != tt.latency {
			t.Errorf("%s: IsLatency = %v, want %v", tt.obj.Name, got, tt.latency)
		}
	}
}

func TestFocusWindow(t *testing.T) {
	obj := Objective{Target: 0.99}
	ratios := func(rs ...float64) Measurements { // 5m, 30m, 1h, 2h, 6h, 1d, 3d
		var m Measurements
		for i, w := range []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour, 2 * time.Hour, 6 * time.Hour, 24 * time.Hour, 72 * time.Hour} {
			m.Windows = append(m.Windows, Ratio{Window: w, ErrorRatio: rs[i]})
		}
		return m
	}
	tests := []struct {
		name string
		m    Measurements
		want time.Duration
	}{
		{"page 1h/5m fires", ratios(0.2, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2), time.Hour},
		{"only the 6h/30m page fires", ratios(0.001, 0.07, 0.001, 0.07, 0.07, 0.001, 0.001), 6 * time.Hour},
		{"none fires: 3d burns nearest its factor", ratios(0, 0, 0, 0, 0, 0, 0.009), 72 * time.Hour},
		{"nothing known: the fastest page window", Measurements{}, time.Hour},
	}
	for _, tt := range tests {
		if got := Evaluate(obj, tt.m).FocusWindow(); got != tt.want {
			t.Errorf("%s: FocusWindow = %v, want %v", tt.name, got, tt.want)
		}
	}
}

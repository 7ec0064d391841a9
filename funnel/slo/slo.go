// Package slo models service level objectives and evaluates their error
// budget burn with the multi-window, multi-burn-rate method of the Google SRE
// Workbook (page: 14.4× over 1h and 5m, 6× over 6h and 30m; ticket: 3× over
// 1d and 2h, 1× over 3d and 6h), rescaled for periods other than 30 days.
package slo

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/units"
)

// DefaultPeriod is the SLO period used when none is given.
const DefaultPeriod = 30 * 24 * time.Hour

// Origin says where an objective came from.
type Origin string

// Origins of an objective.
const (
	OriginSloth   Origin = "sloth"   // Sloth recording rules
	OriginPyrra   Origin = "pyrra"   // Pyrra recording rules
	OriginConfig  Origin = "config"  // redline's config file
	OriginAssumed Origin = "assumed" // no SLO defined: availability and latency assumed
	OriginDemo    Origin = "demo"    // the embedded demo incident
)

// Objective is one SLO of one service.
type Objective struct {
	Service string
	Name    string  // e.g. "availability", "checkout-latency"
	Target  float64 // as a ratio, e.g. 0.999
	Period  time.Duration
	SLI     string // human description of the SLI, e.g. "HTTP 5xx / all requests"
	Origin  Origin
	// Threshold is a latency objective's bound: a request is good when it
	// is at most this slow. 0 for other objectives.
	Threshold time.Duration
	// Basis says how an assumed objective's threshold was chosen, e.g.
	// "2× 7d p99"; "" otherwise.
	Basis string
}

// IsLatency reports whether the objective is about latency: it has a
// threshold, or its name or SLI says so (Sloth and Pyrra rules carry no
// threshold).
func (o Objective) IsLatency() bool {
	text := strings.ToLower(o.Name + " " + o.SLI)
	return o.Threshold > 0 || strings.Contains(text, "latency") || strings.Contains(text, "slower")
}

// Summary renders the objective in one line: "latency assumed · 99% < 2.00s
// (2× 7d p99)", "availability · 99.9%".
func (o Objective) Summary() string {
	s := o.Name
	if o.Origin == OriginAssumed {
		s += " assumed"
	}
	s += " · " + units.Objective(o.Target)
	if o.Threshold > 0 {
		s += " < " + units.Duration(o.Threshold)
	}
	if o.Basis != "" {
		s += " (" + o.Basis + ")"
	}
	return s
}

// Budget is the error budget as a ratio: 1 − Target.
func (o Objective) Budget() float64 { return 1 - o.Target }

// Severity of an alert window.
type Severity string

// Severities.
const (
	Page   Severity = "page"
	Ticket Severity = "ticket"
)

// Window is one multi-window alert rule: it fires when the burn rate over
// both Long and Short exceeds Factor.
type Window struct {
	Severity    Severity
	Long, Short time.Duration
	BudgetShare float64 // share of the period's budget consumed at Factor over Long, e.g. 0.02
	Factor      float64 // burn-rate threshold
}

// Windows returns the four SRE-Workbook windows with their factors rescaled to
// period: factor = BudgetShare × period hours ÷ Long hours (14.4, 6, 3, 1 for
// 30 days; 13.44, 5.6, 2.8, 0.933… for 28 days).
// A period ≤ 0 means DefaultPeriod.
func Windows(period time.Duration) []Window {
	if period <= 0 {
		period = DefaultPeriod
	}
	ws := []Window{
		{Severity: Page, Long: time.Hour, Short: 5 * time.Minute, BudgetShare: 0.02},
		{Severity: Page, Long: 6 * time.Hour, Short: 30 * time.Minute, BudgetShare: 0.05},
		{Severity: Ticket, Long: 24 * time.Hour, Short: 2 * time.Hour, BudgetShare: 0.10},
		{Severity: Ticket, Long: 72 * time.Hour, Short: 6 * time.Hour, BudgetShare: 0.10},
	}
	for i := range ws {
		ws[i].Factor = ws[i].BudgetShare * period.Hours() / ws[i].Long.Hours()
	}
	return ws
}

// WindowLabel renders a window length the way SLO tools name them: "5m",
// "1h", "1d", "30d", falling back to Go's duration text (e.g. "1h30m0s")
// when no single unit fits.
func WindowLabel(d time.Duration) string {
	const day = 24 * time.Hour
	switch {
	case d > 0 && d%day == 0:
		return fmt.Sprintf("%dd", d/day)
	case d > 0 && d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d > 0 && d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return d.String()
}

// Ratio is the error ratio measured over one window.
type Ratio struct {
	Window     time.Duration
	ErrorRatio float64 // bad ÷ total over Window; NaN when unknown
	Total      float64 // number of events over Window; NaN when the source cannot tell (e.g. recording rules)
	// Query is the purpose of the query the ratio comes from, named when it
	// gave no ratio; "" when the source does not say.
	Query string
}

// Measurements are what a source measured for one objective at one instant.
type Measurements struct {
	At      time.Time
	Windows []Ratio // one per distinct window length (5m, 30m, 1h, 2h, 6h, 1d, 3d), any order
	Period  Ratio   // error ratio over the whole SLO period
	// BurnHistory is the burn rate over the shortest page window (1h by default)
	// sampled over the recent past, oldest first, for a sparkline.
	BurnHistory []funnel.Point
}

// Verdict summarises the burn of one SLO, worst first.
type Verdict int

// Verdicts, from the most to the least severe.
const (
	Critical   Verdict = iota // a page window is firing
	Increasing                // burning faster than sustainable, and the short windows burn faster than the long ones
	Recovering                // the long windows still burn over threshold, the short ones no longer do
	NoData                    // no window has a known error ratio: the burn cannot be told
	OK                        // within budget
)

// String returns the verdict as a word: "CRITICAL", "INCREASING",
// "RECOVERING", "NO DATA", "OK".
func (v Verdict) String() string {
	switch v {
	case Critical:
		return "CRITICAL"
	case Increasing:
		return "INCREASING"
	case Recovering:
		return "RECOVERING"
	case NoData:
		return "NO DATA"
	case OK:
		return "OK"
	}
	return fmt.Sprintf("VERDICT(%d)", int(v))
}

// Symbol returns a one-cell symbol for the verdict that reads without colour
// (e.g. "✖", "▲", "▼", "∅", "✔").
func (v Verdict) Symbol() string {
	switch v {
	case Critical:
		return "✖"
	case Increasing:
		return "▲"
	case Recovering:
		return "▼"
	case NoData:
		return "∅"
	case OK:
		return "✔"
	}
	return "?"
}

// WindowBurn is one alert window evaluated.
type WindowBurn struct {
	Window
	LongBurn, ShortBurn float64 // burn rates (error ratio ÷ budget); NaN when unknown
	Firing              bool
}

// Status is an objective evaluated at one instant.
type Status struct {
	Objective        Objective
	At               time.Time
	Burns            []WindowBurn  // in Windows(period) order
	CurrentBurn      float64       // burn rate over the shortest window (5m)
	BudgetRemaining  float64       // 1 − period error ratio ÷ budget; may be negative
	TimeToExhaustion time.Duration // at CurrentBurn, how long the remaining budget lasts; 0 when exhausted, -1 when never (burn ≤ 0)
	Verdict          Verdict
	LowTraffic       bool   // a window held too few events for its ratio to be trusted
	Caveat           string // human explanation when LowTraffic, NoData (or other doubt), else ""
	// NoDataFrom names the queries that gave no ratio for any window (their
	// purposes, in window order) when the Verdict is NoData.
	NoDataFrom  []string
	BurnHistory []funnel.Point
	Alerts      []alert.Alert // the active alerts that page for this SLO, most urgent first
}

// FocusWindow is the window whose burn brought the user to this SLO: the
// long window of the first firing alert, else of the alert closest to
// firing (highest long burn ÷ factor), else the fastest page window.
func (s Status) FocusWindow() time.Duration {
	best, closest := Windows(s.Objective.Period)[0].Long, 0.0
	for _, b := range s.Burns {
		if b.Firing {
			return b.Long
		}
		if r := b.LongBurn / b.Factor; r > closest {
			best, closest = b.Long, r
		}
	}
	return best
}

// MinEvents is the number of events below which a window is flagged as low
// traffic.
const MinEvents = 100

// Evaluate computes the status of obj from m. A zero obj.Period means
// DefaultPeriod. Unknown (NaN or missing) ratios never fire and never
// panic: the burns that depend on them are NaN.
//
//   - Burn over a window = error ratio ÷ (1 − Target). A Target of 1 leaves
//     no budget: any error is an infinite burn.
//   - A window fires when its long AND short burns both exceed its Factor.
//   - CurrentBurn is the burn over the shortest window (5m) with a known
//     ratio, NaN when none is known.
//   - BudgetRemaining = 1 − period error ratio ÷ budget (NaN when unknown).
//   - TimeToExhaustion = BudgetRemaining × period ÷ CurrentBurn; 0 when the
//     budget is exhausted, -1 when the burn is ≤ 0 (never), unknown, or the
//     answer exceeds what a time.Duration holds.
//   - LowTraffic is set when a window with a known Total (including the
//     period) counted fewer than MinEvents events; Caveat names the window
//     with the fewest events and its count.
//
// The Verdict is the first of these that holds:
//
//  1. Critical: a page window fires.
//  2. Increasing: a ticket window fires (at this rate the budget runs out
//     before the period ends, so a firing alert never reads OK), or every
//     window whose burns are both known (at least one) burns above 1× over
//     its short window and faster over its short window than its long one.
//  3. Recovering: some window's long burn is above its factor while its
//     short burn is known and not above it (the burn is subsiding).
//  4. NoData: no measured window has a known error ratio (every one is
//     NaN or absent); NoDataFrom and the Caveat name the queries.
//  5. OK.
func Evaluate(obj Objective, m Measurements) Status {
	if obj.Period <= 0 {
		obj.Period = DefaultPeriod
	}
	budget := obj.Budget()
	st := Status{Objective: obj, At: m.At, BurnHistory: m.BurnHistory}
	for _, w := range Windows(obj.Period) {
		wb := WindowBurn{
			Window:    w,
			LongBurn:  burn(ratioOver(m.Windows, w.Long).ErrorRatio, budget),
			ShortBurn: burn(ratioOver(m.Windows, w.Short).ErrorRatio, budget),
		}
		wb.Firing = wb.LongBurn > w.Factor && wb.ShortBurn > w.Factor
		st.Burns = append(st.Burns, wb)
	}
	st.CurrentBurn = currentBurn(m.Windows, budget)
	st.BudgetRemaining = 1 - burn(m.Period.ErrorRatio, budget)
	st.TimeToExhaustion = timeToExhaustion(st.BudgetRemaining, obj.Period, st.CurrentBurn)
	st.Verdict = verdictOf(st.Burns)
	noData := ""
	if st.Verdict == OK && !anyKnown(m.Windows) {
		st.Verdict, st.NoDataFrom = NoData, silentQueries(m)
		noData = noDataDoubt(st.NoDataFrom)
	}
	st.LowTraffic, st.Caveat = caveat(obj, m, noData)
	return st
}

// burn is ratio ÷ budget: NaN when the ratio is unknown, and with no
// budget at all 0 for a perfect ratio and +Inf otherwise.
func burn(ratio, budget float64) float64 {
	switch {
	case math.IsNaN(ratio) || math.IsNaN(budget):
		return math.NaN()
	case budget <= 0 && ratio <= 0:
		return 0
	case budget <= 0:
		return math.Inf(1)
	}
	return ratio / budget
}

// ratioOver finds the measurement for window d; a missing one is unknown.
func ratioOver(rs []Ratio, d time.Duration) Ratio {
	for _, r := range rs {
		if r.Window == d {
			return r
		}
	}
	return Ratio{Window: d, ErrorRatio: math.NaN(), Total: math.NaN()}
}

// currentBurn is the burn over the shortest window with a known ratio.
func currentBurn(rs []Ratio, budget float64) float64 {
	best := Ratio{Window: math.MaxInt64, ErrorRatio: math.NaN()}
	for _, r := range rs {
		if r.Window > 0 && r.Window < best.Window && !math.IsNaN(r.ErrorRatio) {
			best = r
		}
	}
	return burn(best.ErrorRatio, budget)
}

func timeToExhaustion(remaining float64, period time.Duration, burn float64) time.Duration {
	switch {
	case math.IsNaN(remaining) || math.IsNaN(burn) || burn <= 0:
		return -1
	case remaining <= 0:
		return 0
	}
	d := remaining * float64(period) / burn
	if d >= math.MaxInt64 {
		return -1
	}
	return time.Duration(d)
}

// verdictOf decides the verdict from evaluated windows by the rules
// documented on Evaluate.
func verdictOf(burns []WindowBurn) Verdict {
	accelerating, known := true, 0
	for _, b := range burns {
		if b.Firing && b.Severity == Page {
			return Critical
		}
		if math.IsNaN(b.LongBurn) || math.IsNaN(b.ShortBurn) {
			continue
		}
		known++
		accelerating = accelerating && b.ShortBurn > 1 && b.ShortBurn > b.LongBurn
	}
	for _, b := range burns {
		if b.Firing { // only tickets are left
			return Increasing
		}
	}
	if known > 0 && accelerating {
		return Increasing
	}
	for _, b := range burns {
		if b.LongBurn > b.Factor && b.ShortBurn <= b.Factor {
			return Recovering
		}
	}
	return OK
}

// anyKnown reports whether some window has a known error ratio.
func anyKnown(rs []Ratio) bool {
	return slices.ContainsFunc(rs, func(r Ratio) bool { return !math.IsNaN(r.ErrorRatio) })
}

// silentQueries lists the distinct purposes of the queries behind m's
// windows and, when it is unknown too, its period, in order.
func silentQueries(m Measurements) []string {
	rs := slices.Clone(m.Windows)
	if math.IsNaN(m.Period.ErrorRatio) {
		rs = append(rs, m.Period)
	}
	var out []string
	for _, r := range rs {
		if r.Query != "" && !slices.Contains(out, r.Query) {
			out = append(out, r.Query)
		}
	}
	return out
}

// noDataDoubt says which queries gave nothing: `no data: "all requests over
// 5m" gave no error ratio`, or `… and 6 others gave …`.
func noDataDoubt(queries []string) string {
	switch len(queries) {
	case 0:
		return "no data: no window has an error ratio"
	case 1:
		return fmt.Sprintf("no data: %q gave no error ratio", queries[0])
	}
	return fmt.Sprintf("no data: %q and %s gave no error ratio", queries[0], units.Count(len(queries)-1, "other"))
}

// caveat reports noData (the doubt of a NoData verdict, else "") and low
// traffic: the window (among the measured windows and the period) with a
// known Total below MinEvents and the fewest events.
func caveat(obj Objective, m Measurements, noData string) (bool, string) {
	var doubts []string
	if noData != "" {
		doubts = append(doubts, noData)
	}
	low := Ratio{Total: math.Inf(1)}
	for _, r := range append(slices.Clone(m.Windows), m.Period) {
		if !math.IsNaN(r.Total) && r.Total < MinEvents && r.Total < low.Total {
			low = r
		}
	}
	lowTraffic := !math.IsInf(low.Total, 1)
	if lowTraffic {
		over := "the last " + WindowLabel(low.Window)
		if low.Window == m.Period.Window {
			over = "the SLO period"
		}
		doubts = append(doubts, fmt.Sprintf("low traffic: only %.0f events over %s (fewer than %d), burn rates are noisy", low.Total, over, MinEvents))
	}
	if obj.Budget() <= 0 {
		doubts = append(doubts, "a 100% target leaves no error budget: any error burns it")
	}
	if math.IsNaN(m.Period.ErrorRatio) && noData == "" {
		doubts = append(doubts, "no error ratio over the SLO period: budget remaining unknown")
	}
	return lowTraffic, strings.Join(doubts, "; ")
}

// SortBySeverity orders statuses worst first: an SLO with a firing paging
// alert, then verdict, then current burn, then budget remaining. Unknown
// (NaN) burns and budgets sort after known ones; remaining ties keep
// service then objective name order.
func SortBySeverity(s []Status) {
	slices.SortStableFunc(s, func(a, b Status) int {
		if c := cmp.Compare(pageRank(a), pageRank(b)); c != 0 {
			return c
		}
		if c := cmp.Compare(a.Verdict, b.Verdict); c != 0 {
			return c
		}
		if c := compareNaNLast(a.CurrentBurn, b.CurrentBurn, true); c != 0 {
			return c
		}
		if c := compareNaNLast(a.BudgetRemaining, b.BudgetRemaining, false); c != 0 {
			return c
		}
		return cmp.Or(strings.Compare(a.Objective.Service, b.Objective.Service), strings.Compare(a.Objective.Name, b.Objective.Name))
	})
}

// pageRank is 0 for an SLO with a firing paging alert, else 1.
func pageRank(s Status) int {
	if alert.Pages(s.Alerts) {
		return 0
	}
	return 1
}

// compareNaNLast orders x and y ascending (descending with desc), with NaN
// after every number either way.
func compareNaNLast(x, y float64, desc bool) int {
	switch xn, yn := math.IsNaN(x), math.IsNaN(y); {
	case xn && yn:
		return 0
	case xn:
		return 1
	case yn:
		return -1
	case desc:
		return cmp.Compare(y, x)
	}
	return cmp.Compare(x, y)
}

// Report is what a metrics source answers for the SLO step.
type Report struct {
	Statuses []Status
	Queries  []funnel.Query
	Warnings []string
	// Unmatched are the firing alerts that page for none of Statuses.
	Unmatched []alert.Alert
}

// AttachAlerts gives every status the active alerts that page for it
// (alert.Match), keeps the firing ones that match none in Unmatched, and
// sorts the statuses again: an SLO that pages goes first.
func (r *Report) AttachAlerts(alerts []alert.Alert) {
	targets := make([]alert.Target, len(r.Statuses))
	for i, s := range r.Statuses {
		targets[i] = alert.Target{Service: s.Objective.Service, Name: s.Objective.Name}
	}
	matched, unmatched := alert.Match(alerts, targets)
	for i := range r.Statuses {
		r.Statuses[i].Alerts = matched[i]
	}
	r.Unmatched = unmatched
	SortBySeverity(r.Statuses)
}

// Package slo models service level objectives and evaluates their error
// budget burn with the multi-window, multi-burn-rate method of the Google SRE
// Workbook (page: 14.4× over 1h and 5m, 6× over 6h and 30m; ticket: 3× over
// 1d and 2h, 1× over 3d and 6h), rescaled for periods other than 30 days.
package slo

import (
	"time"

	"github.com/redline-tui/redline/funnel"
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
	OriginAssumed Origin = "assumed" // no SLO defined: 99.9% availability assumed
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
	Severity     Severity
	Long, Short  time.Duration
	BudgetShare  float64 // share of the period's budget consumed at Factor over Long, e.g. 0.02
	Factor       float64 // burn-rate threshold
}

// Windows returns the four SRE-Workbook windows with their factors rescaled to
// period: factor = BudgetShare × period hours ÷ Long hours (14.4, 6, 3, 1 for
// 30 days; 13.44, 5.6, 2.8, 0.933… for 28 days).
func Windows(period time.Duration) []Window {
	panic("TODO")
}

// Ratio is the error ratio measured over one window.
type Ratio struct {
	Window     time.Duration
	ErrorRatio float64 // bad ÷ total over Window; NaN when unknown
	Total      float64 // number of events over Window; NaN when the source cannot tell (e.g. recording rules)
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
	OK                        // within budget
)

// String returns the verdict as a word: "CRITICAL", "INCREASING", "RECOVERING", "OK".
func (v Verdict) String() string { panic("TODO") }

// Symbol returns a one-cell symbol for the verdict that reads without colour
// (e.g. "✖", "▲", "▼", "✔").
func (v Verdict) Symbol() string { panic("TODO") }

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
	Burns            []WindowBurn // in Windows(period) order
	CurrentBurn      float64      // burn rate over the shortest window (5m)
	BudgetRemaining  float64      // 1 − period error ratio ÷ budget; may be negative
	TimeToExhaustion time.Duration // at CurrentBurn, how long the remaining budget lasts; 0 when exhausted, -1 when never (burn ≤ 0)
	Verdict          Verdict
	LowTraffic       bool   // a window held too few events for its ratio to be trusted
	Caveat           string // human explanation when LowTraffic (or other doubt), else ""
	BurnHistory      []funnel.Point
}

// MinEvents is the number of events below which a window is flagged as low
// traffic.
const MinEvents = 100

// Evaluate computes the status of obj from m.
func Evaluate(obj Objective, m Measurements) Status { panic("TODO") }

// SortBySeverity orders statuses worst first: verdict, then current burn,
// then budget remaining.
func SortBySeverity(s []Status) { panic("TODO") }

// Report is what a metrics source answers for the SLO step.
type Report struct {
	Statuses []Status
	Queries  []funnel.Query
	Warnings []string
}

// Package red models rate, errors and duration (RED) per route of one
// service, and ranks routes by how much each contributes to the service's
// error-budget burn.
package red

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/units"
)

// LiveWindow is the window of a row's current values: the last 5 minutes
// of the range, the page alert's short window.
const LiveWindow = 5 * time.Minute

// Query asks for the RED rows of one service over Range, ranked by the
// burn of the SLO the user came from.
type Query struct {
	Service string
	Range   funnel.TimeRange
	// ShareWindow is the window burn shares are counted over, ending at
	// Range.End; 0 means DefaultShareWindow.
	ShareWindow time.Duration
	// SlowerThan makes a route's bad events its requests slower than it (a
	// latency SLO's threshold); 0 counts failed requests.
	SlowerThan time.Duration
}

// DefaultShareWindow is the share window without an SLO: the fastest page
// alert's long window.
const DefaultShareWindow = time.Hour

// QueryFor asks for service's routes ranked by the burn of st (nil: none):
// over its focus window, counting what its SLI counts.
func QueryFor(service string, r funnel.TimeRange, st *slo.Status) Query {
	q := Query{Service: service, Range: r, ShareWindow: DefaultShareWindow}
	if st != nil {
		q.ShareWindow, q.SlowerThan = st.FocusWindow(), st.Objective.Threshold
	}
	return q
}

// Window returns the share window, DefaultShareWindow when unset.
func (q Query) Window() time.Duration {
	if q.ShareWindow <= 0 {
		return DefaultShareWindow
	}
	return q.ShareWindow
}

// BadEvents names what a route's burn share counts, e.g. "errors" or
// "requests >2.00s".
func (q Query) BadEvents() string {
	if q.SlowerThan > 0 {
		return "requests >" + units.Duration(q.SlowerThan)
	}
	return "errors"
}

// Row is the RED summary of one route: its current values over the
// report's Window (the end of the range), sparklines over the whole range.
type Row struct {
	Service    string
	Route      string  // e.g. "POST /api/checkout" or "/api/checkout"
	Rate       float64 // requests per second
	ErrorRatio float64 // errors ÷ requests, 0..1; NaN when unknown
	// Latency quantiles: unknown without requests, a lower bound when
	// beyond the histogram's last finite bucket.
	P50, P95, P99 units.Quantile
	// Sparklines, oldest first, over the selected range.
	RateHistory    []float64
	ErrorHistory   []float64 // error ratio
	LatencyHistory []float64 // p99 in seconds; NaN without requests, +Inf beyond the last bucket
	// BadRate is the route's bad events per second over the report's
	// ShareWindow (failed, or slower than the SLO's threshold); NaN when
	// unknown.
	BadRate float64
	// BurnShare is this route's share of the service's bad events, 0..1, set by Rank.
	BurnShare float64
	// Exemplars are trace IDs seen on this route's latency histogram, slowest first.
	Exemplars []Exemplar
}

// Exemplar links a latency observation to a trace.
type Exemplar struct {
	TraceID string
	SpanID  string
	Value   time.Duration
	Time    time.Time
}

// ErrorRate is requests per second that failed: Rate × ErrorRatio. It is
// 0 when the route has no traffic (even with an unknown ratio) and NaN
// when requests flowed but their error ratio is unknown.
func (r Row) ErrorRate() float64 {
	if r.Rate == 0 {
		return 0
	}
	return r.Rate * r.ErrorRatio
}

// Rank sets BurnShare on every row (the route's bad rate ÷ the sum of all
// routes' bad rates) and sorts rows by BurnShare descending, then P99
// descending (a lower bound counts as at least its bound, no data last),
// then route name. Rows with an unknown (NaN) or negative bad rate get
// share 0 and do not count in the sum; when the sum is 0 every share is 0.
func Rank(rows []Row) {
	total := 0.0
	for _, r := range rows {
		total += knownRate(r.BadRate)
	}
	for i := range rows {
		rows[i].BurnShare = 0
		if total > 0 {
			rows[i].BurnShare = knownRate(rows[i].BadRate) / total
		}
	}
	slices.SortStableFunc(rows, func(a, b Row) int {
		return cmp.Or(
			cmp.Compare(b.BurnShare, a.BurnShare),
			b.P99.Compare(a.P99),
			strings.Compare(a.Route, b.Route),
		)
	})
}

// knownRate is a rate with unknown or nonsensical values as 0.
func knownRate(e float64) float64 {
	if !units.Known(e) || e < 0 {
		return 0
	}
	return e
}

// Report is what a metrics source answers for the RED step of one service.
type Report struct {
	Service string
	Rows    []Row
	// Window is what the rows' current values cover (LiveWindow, at the
	// end of the range); ShareWindow and BadEvents what their burn shares
	// count ("errors", "requests >2.00s").
	Window      time.Duration
	ShareWindow time.Duration
	BadEvents   string
	Convention  string // which metric convention was detected, e.g. "OTel semconv", "spanmetrics connector"
	Queries     []funnel.Query
	Warnings    []string
}

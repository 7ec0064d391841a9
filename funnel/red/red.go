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
	"github.com/redline-tui/redline/funnel/units"
)

// Row is the RED summary of one route over the selected time range.
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

// Rank sets BurnShare on every row (the route's error rate ÷ the sum of all
// routes' error rates) and sorts rows by BurnShare descending, then P99
// descending (a lower bound counts as at least its bound, no data last),
// then route name. Rows with an unknown (NaN) or negative
// error rate get share 0 and do not count in the sum; when the sum is 0
// every share is 0.
func Rank(rows []Row) {
	total := 0.0
	for _, r := range rows {
		total += knownErrorRate(r)
	}
	for i := range rows {
		rows[i].BurnShare = 0
		if total > 0 {
			rows[i].BurnShare = knownErrorRate(rows[i]) / total
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

// knownErrorRate is ErrorRate with unknown or nonsensical values as 0.
func knownErrorRate(r Row) float64 {
	e := r.ErrorRate()
	if !units.Known(e) || e < 0 {
		return 0
	}
	return e
}

// Report is what a metrics source answers for the RED step of one service.
type Report struct {
	Service    string
	Rows       []Row
	Convention string // which metric convention was detected, e.g. "OTel semconv", "spanmetrics connector"
	Queries    []funnel.Query
	Warnings   []string
}

package demo

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/units"
)

// Burn history: the burn rate over the shortest page window, sampled every
// burnHistoryStep over the last burnHistorySpan.
const (
	burnHistoryStep = 5 * time.Minute
	burnHistorySpan = 6 * time.Hour
)

// latencyThreshold is the bound of checkout's latency objective.
const latencyThreshold = time.Second

// objective is one demo SLO and how to count its bad events.
type objective struct {
	slo.Objective
	slowAbove time.Duration // 0: bad events are errors; else requests slower than this
}

// objectives are the demo's SLOs at at: availability of every service,
// checkout's latency, and payments' assumed latency (no one wrote one).
func (s *Source) objectives(at time.Time) []objective {
	var out []objective
	for _, service := range serviceNames {
		out = append(out, objective{Objective: slo.Objective{
			Service: service, Name: "availability", Target: 0.999, Period: slo.DefaultPeriod,
			SLI: "HTTP 5xx / all requests", Origin: slo.OriginDemo,
		}})
	}
	t := s.assumedThreshold(assumedLatencyService, at)
	return append(out, objective{slowAbove: latencyThreshold, Objective: slo.Objective{
		Service: "checkout", Name: "latency", Target: 0.99, Period: slo.DefaultPeriod,
		SLI: "requests slower than 1s / all requests", Origin: slo.OriginDemo, Threshold: latencyThreshold,
	}}, objective{slowAbove: t, Objective: slo.Objective{
		Service: assumedLatencyService, Name: "latency", Target: 0.99, Period: slo.DefaultPeriod,
		SLI: "requests slower than " + units.Duration(t) + " / all requests", Origin: slo.OriginAssumed,
		Threshold: t, Basis: fmt.Sprintf("%d× %s p99", latencyMultiple, slo.WindowLabel(baselineSpan)),
	}})
}

// bad returns the objective's bad events among c.
func (o objective) bad(c counts) float64 {
	if o.slowAbove > 0 {
		return c.slow
	}
	return c.errors
}

// SLOs evaluates every demo objective at the end of r (or now).
func (s *Source) SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	at := s.resolveRange(r).End
	var report slo.Report
	for _, o := range s.objectives(at) {
		if err := cancelled(ctx); err != nil {
			return slo.Report{}, err
		}
		report.Statuses = append(report.Statuses, slo.Evaluate(o.Objective, s.measure(o, at)))
	}
	report.AttachAlerts(alerts(report.Statuses, at)) // sorts them, paging first
	report.Queries = sloQueries(at, s.assumedThreshold(assumedLatencyService, at))
	return report, nil
}

// measure integrates the traffic model over every alert window, the period
// and the burn history of o, ending at at.
func (s *Source) measure(o objective, at time.Time) slo.Measurements {
	tl := s.timeline(routeIndexes(o.Service), at.Add(-o.Period), at, o.slowAbove)
	m := slo.Measurements{At: at}
	for _, w := range windowLengths(o.Period) {
		m.Windows = append(m.Windows, o.ratio(tl, at, w))
	}
	m.Period = o.ratio(tl, at, o.Period)
	shortest := slo.Windows(o.Period)[0].Long
	for t := at.Add(-burnHistorySpan); !t.After(at); t = t.Add(burnHistoryStep) {
		burn := o.ratio(tl, t, shortest).ErrorRatio / o.Budget()
		m.BurnHistory = append(m.BurnHistory, funnel.Point{Time: t, Value: burn})
	}
	return m
}

// ratio is o's error ratio over the window w ending at at.
func (o objective) ratio(tl *timeline, at time.Time, w time.Duration) slo.Ratio {
	c := tl.between(at.Add(-w), at)
	return slo.Ratio{Window: w, ErrorRatio: ratioOf(o.bad(c), c.total), Total: c.total}
}

// windowLengths are the distinct long and short windows of period's alert
// rules, shortest first.
func windowLengths(period time.Duration) []time.Duration {
	var out []time.Duration
	for _, w := range slo.Windows(period) {
		out = append(out, w.Short, w.Long)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// sloQueries are the PromQL queries a live Prometheus source would run for
// the demo's objectives: one per window for all services at once, the
// latency objective's, and the assumed latency objective's (threshold t).
func sloQueries(at time.Time, t time.Duration) []funnel.Query {
	var out []funnel.Query
	lengths := windowLengths(slo.DefaultPeriod)
	for _, w := range append(lengths, slo.DefaultPeriod) {
		win := promDuration(w)
		out = append(out,
			funnel.Query{
				Backend: Backend, Language: funnel.PromQL, Range: funnel.Last(w, at),
				Purpose: "availability error ratio over " + win + " (every service)",
				Text: fmt.Sprintf(`sum by (job) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[%s]))`+
					"\n/\nsum by (job) (rate(http_server_request_duration_seconds_count[%s]))", win, win),
			},
			funnel.Query{
				Backend: Backend, Language: funnel.PromQL, Range: funnel.Last(w, at),
				Purpose: "checkout latency: share of requests slower than 1s over " + win,
				Text: fmt.Sprintf(`1 - sum(rate(http_server_request_duration_seconds_bucket{job="checkout",le="1"}[%s]))`+
					"\n/\nsum(rate(http_server_request_duration_seconds_count{job=\"checkout\"}[%s]))", win, win),
			},
			funnel.Query{
				Backend: Backend, Language: funnel.PromQL, Range: funnel.Last(w, at),
				Purpose: "latency histogram per job over " + win + ", requests above the assumed threshold",
				Text:    fmt.Sprintf(`sum by (le, job) (increase(http_server_request_duration_seconds_bucket{job=%q}[%s]))`, assumedLatencyService, win),
			})
	}
	baselineEnd := at.Add(-baselineGap)
	out = append(out, funnel.Query{
		Backend: Backend, Language: funnel.PromQL, Range: funnel.Last(baselineSpan-baselineGap, baselineEnd),
		Purpose: fmt.Sprintf("latency histogram per job over the 7d baseline before the last 2h: assumed threshold %s (%d× p99)", units.Duration(t), latencyMultiple),
		Text:    fmt.Sprintf(`sum by (le, job) (increase(http_server_request_duration_seconds_bucket{job=%q}[%s]))`, assumedLatencyService, promDuration(baselineSpan-baselineGap)),
	})
	return append(out, funnel.Query{
		Backend: Backend, Language: funnel.PromQL, Range: funnel.Last(burnHistorySpan, at),
		Purpose: "1h burn rate history (step 5m)",
		Text: `sum by (job) (rate(http_server_request_duration_seconds_count{http_response_status_code=~"5.."}[1h]))` +
			"\n/\nsum by (job) (rate(http_server_request_duration_seconds_count[1h]))\n/ 0.001",
	})
}

// promDuration renders d as a PromQL duration: 5m, 1h, 3d, 30d.
func promDuration(d time.Duration) string {
	switch {
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	case d%time.Hour == 0:
		return fmt.Sprintf("%dh", d/time.Hour)
	case d%time.Minute == 0:
		return fmt.Sprintf("%dm", d/time.Minute)
	}
	return strings.TrimSuffix(d.String(), "0s")
}

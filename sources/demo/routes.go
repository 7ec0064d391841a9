package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/trace"
)

// historyPoints is the number of points of each RED sparkline.
const historyPoints = 48

// Exemplars: routes whose p99 reaches exemplarP99 carry up to
// exemplarCount trace IDs of their slowest requests.
const (
	exemplarP99   = 250 * time.Millisecond
	exemplarCount = 3
)

// Routes returns the RED summary of every route of q.Service: current
// values over the last red.LiveWindow of the range, sparklines over all of
// it, ranked by contribution to the burn q asks about.
func (s *Source) Routes(ctx context.Context, q red.Query) (red.Report, error) {
	if err := cancelled(ctx); err != nil {
		return red.Report{}, err
	}
	service, r := q.Service, s.resolveRange(q.Range)
	q.Range = r
	report := red.Report{Service: service, Convention: "OTel semconv", Queries: redQueries(q),
		Window: red.LiveWindow, ShareWindow: q.Window(), BadEvents: q.BadEvents()}
	for i, spec := range routeTable {
		if spec.service != service {
			continue
		}
		if err := cancelled(ctx); err != nil {
			return red.Report{}, err
		}
		row, err := s.row(ctx, i, q)
		if err != nil {
			return red.Report{}, err
		}
		report.Rows = append(report.Rows, row)
	}
	if len(report.Rows) == 0 {
		return red.Report{}, unknownRoute(service, "")
	}
	red.Rank(report.Rows)
	return report, nil
}

// row summarises route: its current values over the last red.LiveWindow
// of the range, its bad events over q's share window, and historyPoints
// slices of the range for the sparklines.
func (s *Source) row(ctx context.Context, route int, q red.Query) (red.Row, error) {
	spec, r := routeTable[route], q.Range
	row := red.Row{Service: spec.service, Route: spec.name()}
	step := r.Duration() / historyPoints
	from := r.Start
	if shareStart := r.End.Add(-q.Window()); shareStart.Before(from) {
		from = shareStart
	}
	tl := s.timeline([]int{route}, from, r.End, q.SlowerThan)
	for i := range historyPoints {
		from := r.Start.Add(time.Duration(i) * step)
		c := tl.between(from, from.Add(step))
		d := weighted{latency: s.latencyAt(route, from.Add(step/2)), requests: c.total}
		row.RateHistory = append(row.RateHistory, c.total/step.Seconds())
		row.ErrorHistory = append(row.ErrorHistory, ratioOf(c.errors, c.total))
		row.LatencyHistory = append(row.LatencyHistory, histogramQuantile(spec.service, []weighted{d}, 0.99).Seconds())
	}
	live := tl.between(r.End.Add(-red.LiveWindow), r.End)
	row.Rate = live.total / red.LiveWindow.Seconds()
	row.ErrorRatio = ratioOf(live.errors, live.total)
	now := []weighted{{latency: s.latencyAt(route, r.End.Add(-red.LiveWindow/2)), requests: live.total}}
	row.P50, row.P95, row.P99 = histogramQuantile(spec.service, now, 0.5), histogramQuantile(spec.service, now, 0.95), histogramQuantile(spec.service, now, 0.99)
	shared := tl.between(r.End.Add(-q.Window()), r.End)
	row.BadRate = shared.errors / q.Window().Seconds()
	if q.SlowerThan > 0 {
		row.BadRate = shared.slow / q.Window().Seconds()
	}
	if row.P99.Value < exemplarP99 {
		return row, nil
	}
	var err error
	row.Exemplars, err = s.exemplars(ctx, route, r)
	return row, err
}

func ratioOf(part, whole float64) float64 {
	if whole <= 0 {
		return 0
	}
	return part / whole
}

// exemplars are the slowest sampled requests of route, as trace IDs that
// resolve through Trace.
func (s *Source) exemplars(ctx context.Context, route int, r funnel.TimeRange) ([]red.Exemplar, error) {
	plans := s.slowest(route, trace.Query{Range: r, Limit: exemplarCount + 1})
	var out []red.Exemplar
	for _, p := range plans {
		if p.key.shape == shapeStress || len(out) == exemplarCount {
			continue
		}
		g, err := s.generate(ctx, p.key, false)
		if err != nil {
			return nil, err
		}
		out = append(out, red.Exemplar{TraceID: g.traceID, SpanID: g.matched, Value: p.matchedDuration(), Time: p.key.start})
	}
	return out, nil
}

// redQueries are the PromQL queries a live Prometheus source would run for
// the RED step of q.
func redQueries(q red.Query) []funnel.Query {
	service, r := q.Service, q.Range
	step := promDuration(red.LiveWindow)
	sel := fmt.Sprintf(`job=%q`, service)
	query := func(purpose, text string) funnel.Query {
		return funnel.Query{Backend: Backend, Language: funnel.PromQL, Purpose: purpose, Text: text, Range: r}
	}
	hist := func(q string) string {
		return fmt.Sprintf("histogram_quantile(%s, sum by (le, http_route, http_request_method) (rate(http_server_request_duration_seconds_bucket{%s}[%s])))", q, sel, step)
	}
	return []funnel.Query{
		query("request rate per route", fmt.Sprintf("sum by (http_route, http_request_method) (rate(http_server_request_duration_seconds_count{%s}[%s]))", sel, step)),
		query("error ratio per route", fmt.Sprintf(`sum by (http_route, http_request_method) (rate(http_server_request_duration_seconds_count{%s,http_response_status_code=~"5.."}[%s]))`+
			"\n/\nsum by (http_route, http_request_method) (rate(http_server_request_duration_seconds_count{%s}[%s]))", sel, step, sel, step)),
		query("p50 latency per route", hist("0.5")),
		query("p95 latency per route", hist("0.95")),
		query("p99 latency per route", hist("0.99")),
		query("exemplars of slow requests", fmt.Sprintf("http_server_request_duration_seconds_bucket{%s,le=\"+Inf\"}", sel)),
	}
}

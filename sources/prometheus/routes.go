package prometheus

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
	"github.com/redline-tui/redline/sources/internal/step"
)

// redPoints is how many samples a route sparkline gets.
const redPoints = 48

// minRateWindow is the shortest window rates are taken over.
const minRateWindow = 5 * time.Minute

// quantiles are the latency quantiles of a route row.
var quantiles = []float64{0.5, 0.95, 0.99}

// routeQueries holds the results of one Routes call.
type routeQueries struct {
	rate, errRate     model.Vector
	quant             [3]model.Vector
	rateHist, errHist model.Matrix
	p99Hist           model.Matrix
	buckets           model.Vector // the latency histogram by route, to tell quantiles beyond its last bucket
	exemplars         []v1.ExemplarQueryResult
	rateIdx, errIdx   int
	bucketsIdx        int
	// bad is what burn shares count over the share window: failed requests
	// per second, or the latency histogram when the SLO is about latency;
	// badIdx is -1 when it is one of the live queries (same window).
	bad    model.Vector
	badIdx int
}

// Routes returns rate, error ratio and latency per route of q.Service over
// the last red.LiveWindow of q.Range (sparklines over all of it), with each
// route's bad events per second over the share window, ranked by its share.
func (c *Client) Routes(ctx context.Context, q red.Query) (red.Report, error) {
	ctx, end := step.Begin(ctx)
	rep, err := c.routes(ctx, q)
	return rep, end(err)
}

// routes is Routes within its step.
func (c *Client) routes(ctx context.Context, q red.Query) (red.Report, error) {
	service := q.Service
	rep := red.Report{Service: service, Window: red.LiveWindow, ShareWindow: q.Window(), BadEvents: q.BadEvents()}
	det, fresh, err := c.detection(ctx)
	if err != nil {
		return rep, err
	}
	if fresh {
		rep.Queries = append(rep.Queries, det.Queries...)
	}
	conv, ok := det.Best(service)
	if !ok {
		return rep, fmt.Errorf("prometheus: no HTTP server metrics found for service %q (looked for %s)", service, strings.Join(conventionIDs(), ", "))
	}
	rep.Convention = conv.Describe()
	b, rq := c.planRoutes(conv, q)
	errs := b.run(ctx)
	rep.Queries = append(rep.Queries, b.queries...)
	rep.Warnings = appendErrs(addWarnings(det.Warnings, b.warnings...), errs)
	if errs[rq.rateIdx] != nil {
		return rep, errs[rq.rateIdx]
	}
	rep.Rows = buildRows(conv, q, rq, errs)
	red.Rank(rep.Rows)
	return rep, nil
}

// planRoutes adds every RED query of one service to a batch: current values
// over red.LiveWindow, histories over the range, and the bad events over
// the share window when it differs from the live one.
func (c *Client) planRoutes(conv Convention, rq red.Query) (*batch, *routeQueries) {
	b := c.newBatch()
	q := &routeQueries{errIdx: -1, bucketsIdx: -1, badIdx: -1}
	r, w, live := rq.Range, rq.Window(), promDuration(red.LiveWindow)
	ms, by := conv.serviceMatchers(rq.Service), conv.routeLabels()
	histWindow := max(stepFor(r, redPoints), minRateWindow)
	q.rateIdx = b.instant("requests per second by route over the last "+live, conv.requestCount("rate", ms, by, red.LiveWindow), r.End, red.LiveWindow, &q.rate)
	b.ranged("requests per second by route, history", conv.requestCount("rate", ms, by, histWindow), r, redPoints, &q.rateHist)
	if conv.HasErrors() {
		q.errIdx = b.instant("failed requests per second by route over the last "+live, conv.requestCount("rate", conv.withErrors(ms), by, red.LiveWindow), r.End, red.LiveWindow, &q.errRate)
		b.ranged("error ratio by route, history", conv.errorRatio(ms, by, histWindow), r, redPoints, &q.errHist)
	}
	slow := rq.SlowerThan > 0 && conv.Latency != ""
	switch {
	case w == red.LiveWindow:
	case slow:
		q.badIdx = b.instant(fmt.Sprintf("latency histogram by route over %s: %s (burn share)", promDuration(w), rq.BadEvents()), conv.histogram("rate", ms, by, w), r.End, w, &q.bad)
	case conv.HasErrors():
		q.badIdx = b.instant(fmt.Sprintf("failed requests per second by route over %s (burn share)", promDuration(w)), conv.requestCount("rate", conv.withErrors(ms), by, w), r.End, w, &q.bad)
	}
	if conv.Latency != "" {
		for i, qt := range quantiles {
			b.instant(fmt.Sprintf("p%g latency by route over the last %s", qt*100, live), conv.quantile(qt, ms, by, red.LiveWindow), r.End, red.LiveWindow, &q.quant[i])
		}
		q.bucketsIdx = b.instant("latency histogram by route over the last "+live+" (quantiles beyond its last bucket are lower bounds)", conv.histogram("rate", ms, by, red.LiveWindow), r.End, red.LiveWindow, &q.buckets)
		b.ranged("p99 latency by route, history", conv.quantile(0.99, ms, by, histWindow), r, redPoints, &q.p99Hist)
		b.exemplars("exemplars (trace IDs) on the latency histogram", conv.exemplarSelector(ms), r, &q.exemplars)
	}
	return b, q
}

// buildRows turns the results into one row per route.
func buildRows(conv Convention, rq red.Query, q *routeQueries, errs []error) []red.Row {
	key := func(m model.Metric) string { return routeName(conv, m) }
	rows := map[string]*red.Row{}
	for _, s := range q.rate {
		k := key(s.Metric)
		rows[k] = &red.Row{Service: rq.Service, Route: k, Rate: float64(s.Value), ErrorRatio: math.NaN(), BadRate: math.NaN()}
	}
	errRates := vectorBy(q.errRate, key)
	for k, row := range rows {
		if conv.HasErrors() && errs[q.errIdx] == nil && row.Rate > 0 {
			row.ErrorRatio = errRates[k] / row.Rate
		}
	}
	var hists map[string]histogram
	if q.bucketsIdx >= 0 && errs[q.bucketsIdx] == nil {
		hists = conv.histograms(q.buckets, key)
	}
	for i, qt := range quantiles {
		for k, v := range vectorBy(q.quant[i], key) {
			if row := rows[k]; row != nil {
				setQuantile(row, i, quantileOf(v*conv.LatencyScale, hists[k].beyondLast(qt)))
			}
		}
	}
	attachBadRates(rows, conv, rq, q, errs, hists, key)
	attachHistories(rows, q, conv, key, hists)
	attachExemplars(rows, q.exemplars, conv, key)
	out := make([]red.Row, 0, len(rows))
	for _, k := range sortedKeys(rows) {
		out = append(out, *rows[k])
	}
	return out
}

// quantileOf turns a histogram_quantile answer in seconds into a quantile:
// no data when NaN (no requests), a lower bound when beyond the last bucket.
func quantileOf(secs float64, beyond bool) units.Quantile {
	switch {
	case math.IsNaN(secs):
		return units.Quantile{}
	case beyond:
		return units.AtLeast(seconds(secs))
	}
	return units.Measured(seconds(secs))
}

// attachBadRates sets each row's bad events per second over the share
// window: requests slower than the SLO's threshold (from the latency
// histogram) or failed requests; a route absent from a good answer had
// none. Both come from the live answers when the windows agree.
func attachBadRates(rows map[string]*red.Row, conv Convention, rq red.Query, q *routeQueries, errs []error, live map[string]histogram, key func(model.Metric) string) {
	vec, idx := q.bad, q.badIdx
	if idx < 0 {
		vec, idx = q.errRate, q.errIdx
	}
	slow := rq.SlowerThan > 0 && conv.Latency != ""
	if slow && q.badIdx < 0 {
		vec, idx = q.buckets, q.bucketsIdx
	}
	if idx < 0 || errs[idx] != nil {
		return
	}
	bad := vectorBy(vec, key)
	if slow {
		hists := live
		if q.badIdx >= 0 {
			hists = conv.histograms(vec, key)
		}
		bound := rq.SlowerThan.Seconds() / conv.LatencyScale
		bad = map[string]float64{}
		for k, h := range hists {
			bad[k] = h.total() - h.atMost(bound)
		}
	}
	for k, row := range rows {
		row.BadRate = bad[k]
	}
}

func setQuantile(row *red.Row, i int, d units.Quantile) {
	switch i {
	case 0:
		row.P50 = d
	case 1:
		row.P95 = d
	default:
		row.P99 = d
	}
}

// attachHistories sets each row's sparklines. A p99 point at or above the
// route's highest finite bucket bound is what histogram_quantile answers
// for a quantile beyond it, so it becomes +Inf (beyond the scale).
func attachHistories(rows map[string]*red.Row, q *routeQueries, conv Convention, key func(model.Metric) string, hists map[string]histogram) {
	for _, s := range q.rateHist {
		if row := rows[key(s.Metric)]; row != nil {
			row.RateHistory = values(s.Values, 1)
		}
	}
	for _, s := range q.errHist {
		if row := rows[key(s.Metric)]; row != nil {
			row.ErrorHistory = values(s.Values, 1)
		}
	}
	for _, s := range q.p99Hist {
		if row := rows[key(s.Metric)]; row != nil {
			row.LatencyHistory = values(s.Values, conv.LatencyScale)
			markBeyond(row.LatencyHistory, hists[key(s.Metric)], conv.LatencyScale)
		}
	}
}

// markBeyond replaces the quantiles (in seconds) at or above h's highest
// finite bound with +Inf.
func markBeyond(secs []float64, h histogram, scale float64) {
	last := h.lastFinite()
	if last < 0 || !math.IsInf(h.bounds[len(h.bounds)-1], 1) {
		return
	}
	top := h.bounds[last] * scale
	for i, v := range secs {
		if v >= top*(1-boundTolerance) {
			secs[i] = math.Inf(1)
		}
	}
}

// maxExemplars bounds the exemplars kept per route (the slowest).
const maxExemplars = 20

// traceIDLabels are the exemplar labels that may hold a trace ID.
var traceIDLabels = []model.LabelName{"trace_id", "traceID", "traceId", "TraceID"}
var spanIDLabels = []model.LabelName{"span_id", "spanID", "spanId", "SpanID"}

// attachExemplars adds each route's exemplars that carry a trace ID,
// slowest first, one per trace, at most maxExemplars. IDs are normalised
// (lower case, zero-padded) so one trace is one exemplar whatever the
// instrumentation wrote; an exemplar whose trace ID is not hex is left out.
func attachExemplars(rows map[string]*red.Row, results []v1.ExemplarQueryResult, conv Convention, key func(model.Metric) string) {
	seen := map[string]bool{}
	for _, res := range results {
		row := rows[key(model.Metric(res.SeriesLabels))]
		if row == nil {
			continue
		}
		for _, e := range res.Exemplars {
			id := trace.NormalizeTraceID(firstLabel(e.Labels, traceIDLabels))
			if id == "" || seen[row.Route+"\x00"+id] {
				continue
			}
			seen[row.Route+"\x00"+id] = true
			row.Exemplars = append(row.Exemplars, red.Exemplar{
				TraceID: id, SpanID: trace.NormalizeSpanID(firstLabel(e.Labels, spanIDLabels)),
				Value: seconds(float64(e.Value) * conv.LatencyScale), Time: e.Timestamp.Time(),
			})
		}
	}
	for _, row := range rows {
		slices.SortStableFunc(row.Exemplars, func(a, b red.Exemplar) int {
			return cmp.Compare(b.Value, a.Value)
		})
		row.Exemplars = row.Exemplars[:min(len(row.Exemplars), maxExemplars)]
	}
}

func firstLabel(ls model.LabelSet, names []model.LabelName) string {
	for _, n := range names {
		if v := ls[n]; v != "" {
			return string(v)
		}
	}
	return ""
}

// routeName renders a route row's name: "METHOD route" when the method is
// known, else the route (or span name); "(no route)" when empty.
func routeName(conv Convention, m model.Metric) string {
	route := string(m[model.LabelName(conv.RouteLabel)])
	if route == "" {
		route = "(no route)"
	}
	if method := string(m[model.LabelName(conv.MethodLabel)]); conv.MethodLabel != "" && method != "" {
		return method + " " + route
	}
	return route
}

func vectorBy(v model.Vector, key func(model.Metric) string) map[string]float64 {
	out := make(map[string]float64, len(v))
	for _, s := range v {
		out[key(s.Metric)] += float64(s.Value)
	}
	return out
}

func values(ps []model.SamplePair, scale float64) []float64 {
	out := make([]float64, len(ps))
	for i, p := range ps {
		out[i] = float64(p.Value) * scale
	}
	return out
}

// seconds converts a float number of seconds to a Duration.
func seconds(s float64) time.Duration {
	if math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
		return 0
	}
	return time.Duration(s * float64(time.Second))
}

package prometheus

import (
	"cmp"
	"context"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/sources/internal/step"
)

// historyPoints is how many samples a burn-history sparkline gets.
const historyPoints = 60

// measured is one objective with what was measured for it.
type measured struct {
	obj slo.Objective
	m   slo.Measurements
}

// sloPart is what one SLO origin (Sloth, Pyrra, config, assumed) produced.
type sloPart struct {
	found    []measured
	queries  []funnel.Query
	warnings []string
	err      error // the origin could not be read at all
}

// SLOs reads every SLO the backend and config define, assumes a 99.9%
// availability SLO for services without one and a latency SLO for services
// without a latency SLO, evaluates their burn at r.End with burn history
// over r, and gives each the active alerts that page for it.
func (c *Client) SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	ctx, end := step.Begin(ctx)
	rep, err := c.slos(ctx, r)
	return rep, end(err)
}

// slos is SLOs within its step.
func (c *Client) slos(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	var rep slo.Report
	det, fresh, detErr := c.detection(ctx)
	if detErr != nil {
		rep.Warnings = append(rep.Warnings, detErr.Error())
		det = &Detection{}
	}
	if fresh {
		rep.Queries = append(rep.Queries, det.Queries...)
	}
	rep.Warnings = addWarnings(rep.Warnings, det.Warnings...)
	readers := []func(context.Context, funnel.TimeRange) sloPart{
		c.slothSLOs,
		func(ctx context.Context, r funnel.TimeRange) sloPart { return c.pyrraSLOs(ctx, r, det) },
		c.configSLOs,
		func(ctx context.Context, r funnel.TimeRange) sloPart { return c.assumedSLOs(ctx, r, det) },
	}
	parts := make([]sloPart, len(readers))
	var (
		wg     sync.WaitGroup
		alerts activeAlerts
	)
	wg.Go(func() { alerts = c.readAlerts(ctx) })
	for i, read := range readers {
		wg.Go(func() { parts[i] = read(ctx, r) })
	}
	wg.Wait() // each reader reports through parts, the alerts through alerts
	var firstErr error
	defined, definedLatency := map[string]bool{}, map[string]bool{}
	for _, p := range parts {
		rep.Queries = append(rep.Queries, p.queries...)
		rep.Warnings = addWarnings(rep.Warnings, p.warnings...)
		if p.err != nil {
			firstErr = cmp.Or(firstErr, p.err)
			rep.Warnings = addWarnings(rep.Warnings, p.err.Error())
		}
		for _, f := range p.found {
			svc, latency := f.obj.Service, f.obj.IsLatency()
			if f.obj.Origin == slo.OriginAssumed {
				if latency && definedLatency[svc] || !latency && defined[svc] {
					continue
				}
			} else {
				defined[svc] = true
				definedLatency[svc] = definedLatency[svc] || latency
			}
			rep.Statuses = append(rep.Statuses, slo.Evaluate(f.obj, f.m))
		}
	}
	if err := cmp.Or(detErr, firstErr); err != nil && len(rep.Statuses) == 0 {
		return rep, err
	}
	alerts.attach(&rep)
	return rep, nil
}

// measureWindows lists the distinct window lengths the alert windows of
// period need, shortest first.
func measureWindows(period time.Duration) []time.Duration {
	var ws []time.Duration
	for _, w := range slo.Windows(period) {
		ws = append(ws, w.Long, w.Short)
	}
	slices.Sort(ws)
	return slices.Compact(ws)
}

// pageWindow is the long window of the fastest page alert (1h): its burn is
// what the history sparkline shows.
func pageWindow(period time.Duration) time.Duration { return slo.Windows(period)[0].Long }

// valuesBy indexes a vector by the value of label.
func valuesBy(vec model.Vector, label string) map[string]float64 {
	out := make(map[string]float64, len(vec))
	for _, s := range vec {
		out[string(s.Metric[model.LabelName(label)])] = float64(s.Value)
	}
	return out
}

// historiesBy indexes a matrix by the value of label, scaling each value.
func historiesBy(m model.Matrix, label string, scale float64) map[string][]funnel.Point {
	out := make(map[string][]funnel.Point, len(m))
	for _, s := range m {
		out[string(s.Metric[model.LabelName(label)])] = points(s.Values, scale)
	}
	return out
}

func points(vals []model.SamplePair, scale float64) []funnel.Point {
	pts := make([]funnel.Point, 0, len(vals))
	for _, v := range vals {
		pts = append(pts, funnel.Point{Time: v.Timestamp.Time(), Value: float64(v.Value) * scale})
	}
	return pts
}

// countRatio is bad ÷ total over window, measured by the query of purpose
// query. A service without failed series has bad = 0; an unknown or zero
// total makes the ratio unknown.
func countRatio(window time.Duration, bad, total float64, totalOK bool, query string) slo.Ratio {
	r := slo.Ratio{Window: window, ErrorRatio: math.NaN(), Total: math.NaN(), Query: query}
	if !totalOK {
		return r
	}
	r.Total = total
	if total > 0 {
		r.ErrorRatio = bad / total
	}
	return r
}

// knownRatio is an error ratio read from a recording rule (no event count)
// by the query of purpose query.
func knownRatio(window time.Duration, ratio float64, ok bool, query string) slo.Ratio {
	if !ok {
		ratio = math.NaN()
	}
	return slo.Ratio{Window: window, ErrorRatio: ratio, Total: math.NaN(), Query: query}
}

// burnHistory divides an error-ratio history by the objective's budget.
func burnHistory(ratios []funnel.Point, obj slo.Objective) []funnel.Point {
	out := make([]funnel.Point, len(ratios))
	for i, p := range ratios {
		out[i] = funnel.Point{Time: p.Time, Value: p.Value / obj.Budget()}
	}
	return out
}

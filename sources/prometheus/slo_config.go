package prometheus

import (
	"context"
	"math"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
)

// windowPlaceholder stands for the window in SLOSpec expressions.
const windowPlaceholder = "$window"

// eventCount renders the number of events q counted over window: a selector
// is summed with increase; an expression has $window replaced and is summed.
func eventCount(q string, window time.Duration) string {
	q = strings.TrimSpace(q)
	if strings.Contains(q, windowPlaceholder) {
		return "sum(" + strings.ReplaceAll(q, windowPlaceholder, promDuration(window)) + ")"
	}
	return "sum(increase(" + q + "[" + promDuration(window) + "]))"
}

// configSLOs measures every SLO declared in config, all at once (each SLO's
// queries are one batch), keeping the config's order.
func (c *Client) configSLOs(ctx context.Context, r funnel.TimeRange) sloPart {
	type result struct {
		m        measured
		queries  []funnel.Query
		warnings []string
		err      error
	}
	results := make([]result, len(c.cfg.SLOs))
	var wg sync.WaitGroup
	for i, spec := range c.cfg.SLOs {
		wg.Go(func() {
			res := &results[i]
			res.m, res.queries, res.warnings, res.err = c.measureSpec(ctx, r, spec)
		})
	}
	wg.Wait() // each SLO reports through results
	var part sloPart
	for _, res := range results {
		part.queries = append(part.queries, res.queries...)
		part.warnings = addWarnings(part.warnings, res.warnings...)
		if res.err != nil {
			part.warnings = append(part.warnings, res.err.Error())
			continue
		}
		part.found = append(part.found, res.m)
	}
	return part
}

func (c *Client) measureSpec(ctx context.Context, r funnel.TimeRange, spec SLOSpec) (measured, []funnel.Query, []string, error) {
	obj := slo.Objective{
		Service: spec.Service, Name: spec.Name, Target: spec.Objective, Period: spec.Period,
		SLI: "config: " + strings.TrimSpace(spec.ErrorQuery) + " / " + strings.TrimSpace(spec.TotalQuery), Origin: slo.OriginConfig,
	}
	if obj.Period == 0 {
		obj.Period = slo.DefaultPeriod
	}
	windows := append(measureWindows(obj.Period), obj.Period)
	bad, total := make([]model.Vector, len(windows)), make([]model.Vector, len(windows))
	b := c.newBatch()
	label := spec.Service + "/" + spec.Name
	for i, w := range windows {
		b.instant(label+": bad events over "+promDuration(w), eventCount(spec.ErrorQuery, w), r.End, w, &bad[i])
		b.instant(label+": all events over "+promDuration(w), eventCount(spec.TotalQuery, w), r.End, w, &total[i])
	}
	page := pageWindow(obj.Period)
	var history model.Matrix
	b.ranged(label+": error ratio over "+promDuration(page)+", history",
		"("+eventCount(spec.ErrorQuery, page)+" or vector(0)) / "+eventCount(spec.TotalQuery, page), r, historyPoints, &history)
	errs := b.run(ctx)
	if err := allFailed(errs); err != nil {
		return measured{}, b.queries, b.warnings, err
	}
	m := slo.Measurements{At: r.End}
	for i, w := range windows {
		t, tOK := scalarOf(total[i])
		bd, _ := scalarOf(bad[i])
		ratio := countRatio(w, bd, t, tOK && errs[2*i+1] == nil, b.queries[2*i+1].Purpose)
		if errs[2*i] != nil {
			ratio.ErrorRatio, ratio.Query = math.NaN(), b.queries[2*i].Purpose // the bad count is unknown
		}
		if w == obj.Period {
			m.Period = ratio
		} else {
			m.Windows = append(m.Windows, ratio)
		}
	}
	if len(history) > 0 {
		m.BurnHistory = burnHistory(points(history[0].Values, 1), obj)
	}
	return measured{obj: obj, m: m}, b.queries, appendErrs(b.warnings, errs), nil
}

// scalarOf returns the single value of a label-free vector.
func scalarOf(v model.Vector) (float64, bool) {
	if len(v) == 0 {
		return 0, false
	}
	return float64(v[0].Value), true
}

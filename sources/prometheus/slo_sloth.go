package prometheus

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
)

// Sloth recording rules (slok/sloth pkg/common/conventions).
const (
	slothObjective  = "slo:objective:ratio"
	slothPeriodDays = "slo:time_period:days"
	slothErrorRatio = "slo:sli_error:ratio_rate" // + window, e.g. 5m, 1h, 30d
	slothID         = "sloth_id"
	slothRatios     = "Sloth error ratios, every window" // the purpose of their query
)

// slothSLO gathers the series of one Sloth SLO.
type slothSLO struct {
	service, name string
	objective     float64
	periodDays    float64
	ratios        map[time.Duration]float64
	history       []funnel.Point
	periodQuery   string // the purpose of the query of the period's ratio
}

// slothSLOs reads Sloth's recording rules: objectives, periods, every
// window's error ratio in one query, and the page window's history.
func (c *Client) slothSLOs(ctx context.Context, r funnel.TimeRange) sloPart {
	var objectives, periods, ratios model.Vector
	var history model.Matrix
	b := c.newBatch()
	b.instant("Sloth objectives", slothObjective, r.End, 0, &objectives)
	b.instant("Sloth SLO periods in days", slothPeriodDays, r.End, 0, &periods)
	b.instant(slothRatios,
		selector("", re("__name__", regexp.QuoteMeta(slothErrorRatio)+".+")), r.End, 0, &ratios)
	page := pageWindow(slo.DefaultPeriod)
	b.ranged("Sloth error ratio over "+promDuration(page)+", history",
		slothErrorRatio+promDuration(page), r, historyPoints, &history)
	errs := b.run(ctx)
	if errs[0] != nil {
		return sloPart{queries: b.queries, err: errs[0]}
	}
	if len(objectives) == 0 {
		return sloPart{} // no Sloth rules: nothing to show, nothing to quote
	}
	slos := slothGather(objectives, periods, ratios, history)
	part := sloPart{queries: b.queries, warnings: appendErrs(b.warnings, errs)}
	c.slothFillPeriods(ctx, r, slos, &part)
	for _, s := range sortedKeys(slos) {
		part.found = append(part.found, slos[s].measured(r.End))
	}
	return part
}

func slothGather(objectives, periods, ratios model.Vector, history model.Matrix) map[string]*slothSLO {
	slos := map[string]*slothSLO{}
	for _, s := range objectives {
		slos[string(s.Metric[slothID])] = &slothSLO{
			service:     string(s.Metric["sloth_service"]),
			name:        string(s.Metric["sloth_slo"]),
			objective:   math.Round(float64(s.Value)*1e6) / 1e6, // 0.9990000000000001 → 0.999
			periodDays:  slo.DefaultPeriod.Hours() / 24,
			ratios:      map[time.Duration]float64{},
			periodQuery: slothRatios,
		}
	}
	for id, days := range valuesBy(periods, slothID) {
		if s := slos[id]; s != nil && days > 0 {
			s.periodDays = days
		}
	}
	for _, smp := range ratios {
		s := slos[string(smp.Metric[slothID])]
		name := string(smp.Metric[model.MetricNameLabel])
		w, err := model.ParseDuration(strings.TrimPrefix(name, slothErrorRatio))
		if s != nil && err == nil {
			s.ratios[time.Duration(w)] = float64(smp.Value)
		}
	}
	for id, h := range historiesBy(history, slothID, 1) {
		if s := slos[id]; s != nil {
			s.history = h
		}
	}
	return slos
}

// slothFillPeriods computes the period error ratio of SLOs whose Sloth
// version records none, as Sloth does: the mean 5m ratio over the period.
func (c *Client) slothFillPeriods(ctx context.Context, r funnel.TimeRange, slos map[string]*slothSLO, part *sloPart) {
	missing := map[time.Duration]bool{}
	for _, s := range slos {
		if _, ok := s.ratios[s.period()]; !ok {
			missing[s.period()] = true
			s.periodQuery = slothPeriodQuery(s.period())
		}
	}
	if len(missing) == 0 {
		return
	}
	b := c.newBatch()
	periods := sortedKeys(missing)
	results := make([]model.Vector, len(periods))
	short := measureWindows(slo.DefaultPeriod)[0]
	for i, p := range periods {
		text := fmt.Sprintf("avg_over_time(%s%s[%s])", slothErrorRatio, promDuration(short), promDuration(p))
		b.instant(slothPeriodQuery(p), text, r.End, p, &results[i])
	}
	errs := b.run(ctx)
	part.queries = append(part.queries, b.queries...)
	part.warnings = appendErrs(addWarnings(part.warnings, b.warnings...), errs)
	for i, p := range periods {
		for id, v := range valuesBy(results[i], slothID) {
			if s := slos[id]; s != nil && s.period() == p {
				s.ratios[p] = v
			}
		}
	}
}

// slothPeriodQuery is the purpose of the query of a period's ratio.
func slothPeriodQuery(period time.Duration) string {
	return "Sloth error ratio over the " + promDuration(period) + " period"
}

func (s *slothSLO) period() time.Duration {
	return time.Duration(s.periodDays * float64(24*time.Hour))
}

func (s *slothSLO) measured(at time.Time) measured {
	obj := slo.Objective{
		Service: s.service, Name: s.name, Target: s.objective, Period: s.period(),
		SLI: "Sloth recording rules " + slothErrorRatio + "*", Origin: slo.OriginSloth,
	}
	m := slo.Measurements{At: at, BurnHistory: burnHistory(s.history, obj)}
	for _, w := range measureWindows(obj.Period) {
		v, ok := s.ratios[w]
		m.Windows = append(m.Windows, knownRatio(w, v, ok, slothRatios))
	}
	v, ok := s.ratios[obj.Period]
	m.Period = knownRatio(obj.Period, v, ok, s.periodQuery)
	return measured{obj: obj, m: m}
}

// sortedKeys returns a map's keys in order.
func sortedKeys[K interface{ ~string | ~int64 }, V any](m map[K]V) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

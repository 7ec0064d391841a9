package prometheus

import (
	"context"
	"math"
	"regexp"
	"strconv"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
)

// Pyrra names its rules after the SLI metric: <metric>:burnrate<window>
// holds the error ratio over window, <metric>:increase<period> the event
// counts over the SLO period. Only with --generic-rules does it also record
// pyrra_objective and pyrra_window (seconds).
const (
	pyrraBurnPrefix     = "burnrate"
	pyrraIncreasePrefix = "increase"
	pyrraObjective      = "pyrra_objective"
	pyrraWindow         = "pyrra_window"
	pyrraSLOLabel       = "slo"
)

// pyrraBase is 28 days, the SLO window Pyrra's alert windows are defined
// for; other SLO windows scale them (30d: 1h4m instead of 1h).
const pyrraBase = 28 * 24 * time.Hour

// pyrraRule is one discovered burnrate rule.
type pyrraRule struct {
	name, metric string
	window       time.Duration
}

// pyrraNames splits discovered metric names into burnrate rules and the SLO
// period each SLI metric's increase rule names.
func pyrraNames(names []string) (rules []pyrraRule, periods map[string]time.Duration, generic map[string]bool) {
	periods, generic = map[string]time.Duration{}, map[string]bool{}
	for _, n := range names {
		metric, kind, window, ok := splitPyrraName(n)
		switch {
		case n == pyrraObjective || n == pyrraWindow:
			generic[n] = true
		case ok && kind == pyrraBurnPrefix:
			rules = append(rules, pyrraRule{name: n, metric: metric, window: window})
		case ok && kind == pyrraIncreasePrefix:
			periods[metric] = window
		}
	}
	return rules, periods, generic
}

var pyrraName = regexp.MustCompile(`^(.+):(burnrate|increase)([0-9][0-9a-z]*)$`)

func splitPyrraName(name string) (metric, kind string, window time.Duration, ok bool) {
	m := pyrraName.FindStringSubmatch(name)
	if m == nil {
		return "", "", 0, false
	}
	d, err := model.ParseDuration(m[3])
	if err != nil || d <= 0 {
		return "", "", 0, false
	}
	return m[1], m[2], time.Duration(d), true
}

// pyrraSLO gathers one Pyrra SLO (one label set of its burnrate series).
type pyrraSLO struct {
	labels      model.LabelSet // burnrate labels without __name__
	metric      string
	objective   float64
	period      time.Duration
	ratios      map[time.Duration]float64 // by Pyrra window
	periodRatio float64
	hasPeriod   bool
	history     []funnel.Point
}

func (p *pyrraSLO) slo() string { return string(p.labels[pyrraSLOLabel]) }

// service is the first of service, job, namespace, else the SLO name.
func (p *pyrraSLO) service() string {
	for _, l := range []model.LabelName{"service", "job", "namespace"} {
		if v := p.labels[l]; v != "" {
			return string(v)
		}
	}
	return p.slo()
}

// pyrraSLOs finds Pyrra's rules by name (as detection found them, else by
// asking), reads every burnrate series in one query, then the page window's
// history and the period ratio.
func (c *Client) pyrraSLOs(ctx context.Context, r funnel.TimeRange, det *Detection) sloPart {
	names, ok := det.pyrraRulesAt(r.End)
	if !ok {
		vals, err := c.labelValues(ctx, "__name__", notEq(pyrraSLOLabel, ""), r.End.Add(-detectLookback), r.End)
		if err != nil {
			return sloPart{err: err}
		}
		names = toStrings(vals)
	}
	rules, periods, generic := pyrraNames(names)
	if len(rules) == 0 {
		return sloPart{}
	}
	part := sloPart{}
	slos := c.pyrraFirstRound(ctx, r, rules, periods, generic, &part)
	if part.err != nil || len(slos) == 0 {
		return part
	}
	c.pyrraObjectivesFromAlerts(ctx, slos, &part)
	c.pyrraSecondRound(ctx, r, rules, slos, &part)
	for _, k := range sortedKeys(slos) {
		if m, ok := slos[k].measured(r.End); ok {
			part.found = append(part.found, m)
		} else {
			part.warnings = append(part.warnings, "prometheus: Pyrra SLO "+slos[k].slo()+": objective not found (record pyrra_objective with --generic-rules)")
		}
	}
	return part
}

func burnNames(rules []pyrraRule, keep func(pyrraRule) bool) string {
	var names []string
	for _, r := range rules {
		if keep(r) {
			names = append(names, r.name)
		}
	}
	return selector("", anyOf("__name__", names))
}

// pyrraFirstRound reads every burnrate series, plus the generic objective
// and window rules when Pyrra records them.
func (c *Client) pyrraFirstRound(ctx context.Context, r funnel.TimeRange, rules []pyrraRule, periods map[string]time.Duration, generic map[string]bool, part *sloPart) map[string]*pyrraSLO {
	var burns, objectives, windows model.Vector
	b := c.newBatch()
	b.instant(pyrraRatios, burnNames(rules, func(pyrraRule) bool { return true }), r.End, 0, &burns)
	if generic[pyrraObjective] {
		b.instant("Pyrra objectives", pyrraObjective, r.End, 0, &objectives)
	}
	if generic[pyrraWindow] {
		b.instant("Pyrra SLO windows in seconds", pyrraWindow, r.End, 0, &windows)
	}
	errs := b.run(ctx)
	part.queries, part.warnings = b.queries, b.warnings
	if errs[0] != nil {
		part.err = errs[0]
		return nil
	}
	part.warnings = appendErrs(part.warnings, errs)
	objByName, winByName := valuesBy(objectives, pyrraSLOLabel), valuesBy(windows, pyrraSLOLabel)
	slos := map[string]*pyrraSLO{}
	for _, s := range burns {
		name := string(s.Metric[model.MetricNameLabel])
		metric, _, window, _ := splitPyrraName(name)
		labels := s.Metric.Clone()
		delete(labels, model.MetricNameLabel)
		p := slos[labels.String()]
		if p == nil {
			p = &pyrraSLO{labels: model.LabelSet(labels), metric: metric, period: periods[metric], ratios: map[time.Duration]float64{}}
			p.objective = objByName[p.slo()]
			if secs := winByName[p.slo()]; secs > 0 {
				p.period = time.Duration(secs * float64(time.Second))
			}
			if p.period == 0 {
				p.period = pyrraBase
			}
			slos[labels.String()] = p
		}
		p.ratios[window] = float64(s.Value)
	}
	return slos
}

var pyrraTargetInAlert = regexp.MustCompile(`\(\s*1\s*-\s*([0-9.]+(?:[eE][-+]?[0-9]+)?)\s*\)`)

// pyrraObjectivesFromAlerts reads the objective of SLOs without generic
// rules from Pyrra's alert expressions, which compare with factor × (1-target).
func (c *Client) pyrraObjectivesFromAlerts(ctx context.Context, slos map[string]*pyrraSLO, part *sloPart) {
	need := false
	for _, p := range slos {
		need = need || p.objective == 0
	}
	if !need {
		return
	}
	idx, err := c.rules(ctx)
	if err != nil {
		part.warnings = append(part.warnings, "Pyrra alert rules: "+err.Error())
		return
	}
	targets := map[string]float64{}
	for _, rules := range idx.alerting {
		for _, a := range rules {
			if m := pyrraTargetInAlert.FindStringSubmatch(a.query); m != nil && a.labels[pyrraSLOLabel] != "" {
				if t, err := strconv.ParseFloat(m[1], 64); err == nil && t > 0 && t < 1 {
					targets[a.labels[pyrraSLOLabel]] = t
				}
			}
		}
	}
	for _, p := range slos {
		if p.objective == 0 {
			p.objective = targets[p.slo()]
		}
	}
}

// pyrraSecondRound reads the page window's history and, as Pyrra's
// availability does, the period error ratio: the mean shortest-window
// ratio over the period.
func (c *Client) pyrraSecondRound(ctx context.Context, r funnel.TimeRange, rules []pyrraRule, slos map[string]*pyrraSLO, part *sloPart) {
	type periodQuery struct {
		name   string
		period time.Duration
		out    model.Vector
	}
	var history model.Matrix
	b := c.newBatch()
	b.ranged("Pyrra error ratio over the page window, history", burnNames(rules, func(rule pyrraRule) bool {
		return pyrraStandardWindow(rule.window, pyrraPeriodOf(slos, rule.metric)) == pageWindow(slo.DefaultPeriod)
	}), r, historyPoints, &history)
	var pqs []*periodQuery
	seen := map[string]bool{}
	for _, k := range sortedKeys(slos) {
		p := slos[k]
		name := p.metric + ":" + pyrraBurnPrefix + promDuration(p.shortest())
		key := name + "/" + p.period.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		pq := &periodQuery{name: name, period: p.period}
		pqs = append(pqs, pq)
		b.instant(pyrraPeriodQuery(p.period),
			"avg_over_time("+name+"["+promDuration(p.period)+"])", r.End, p.period, &pq.out)
	}
	errs := b.run(ctx)
	part.queries = append(part.queries, b.queries...)
	part.warnings = appendErrs(addWarnings(part.warnings, b.warnings...), errs)
	for _, s := range history {
		labels := s.Metric.Clone()
		delete(labels, model.MetricNameLabel)
		if p := slos[labels.String()]; p != nil {
			p.history = points(s.Values, 1)
		}
	}
	for _, pq := range pqs {
		for _, s := range pq.out {
			if p := slos[model.LabelSet(s.Metric).String()]; p != nil && p.period == pq.period {
				p.periodRatio, p.hasPeriod = float64(s.Value), true
			}
		}
	}
}

// pyrraRatios is the purpose of the query of every window's ratio.
const pyrraRatios = "Pyrra error ratios (burnrate rules), every window"

// pyrraPeriodQuery is the purpose of the query of a period's ratio.
func pyrraPeriodQuery(period time.Duration) string {
	return "Pyrra error ratio over the " + promDuration(period) + " period"
}

func pyrraPeriodOf(slos map[string]*pyrraSLO, metric string) time.Duration {
	for _, p := range slos {
		if p.metric == metric {
			return p.period
		}
	}
	return pyrraBase
}

func (p *pyrraSLO) shortest() time.Duration {
	var min time.Duration
	for w := range p.ratios {
		if min == 0 || w < min {
			min = w
		}
	}
	return min
}

// pyrraStandardWindow maps a Pyrra window (scaled with the SLO period, e.g.
// 1h4m for 30 days) to the nearest standard alert window (1h).
func pyrraStandardWindow(w, period time.Duration) time.Duration {
	base := float64(w) * float64(pyrraBase) / float64(period)
	best, bestDist := time.Duration(0), math.Inf(1)
	for _, s := range measureWindows(slo.DefaultPeriod) {
		if d := math.Abs(math.Log(base / float64(s))); d < bestDist {
			best, bestDist = s, d
		}
	}
	return best
}

func (p *pyrraSLO) measured(at time.Time) (measured, bool) {
	if !(p.objective > 0 && p.objective < 1) {
		return measured{}, false
	}
	obj := slo.Objective{
		Service: p.service(), Name: p.slo(), Target: p.objective, Period: p.period,
		SLI: "Pyrra recording rules " + p.metric + ":" + pyrraBurnPrefix + "*", Origin: slo.OriginPyrra,
	}
	byStd := map[time.Duration]float64{}
	for w, v := range p.ratios {
		byStd[pyrraStandardWindow(w, p.period)] = v
	}
	m := slo.Measurements{At: at, BurnHistory: burnHistory(p.history, obj)}
	for _, w := range measureWindows(obj.Period) {
		v, ok := byStd[w]
		m.Windows = append(m.Windows, knownRatio(w, v, ok, pyrraRatios))
	}
	m.Period = knownRatio(p.period, p.periodRatio, p.hasPeriod, pyrraPeriodQuery(p.period))
	return measured{obj: obj, m: m}, true
}

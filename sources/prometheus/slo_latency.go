package prometheus

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/units"
)

// The assumed latency SLO: AssumedLatencyTarget of a service's server
// requests are at most T, T a bound of its latency histogram (so the SLI
// counts buckets exactly, nothing is interpolated). T is the smallest bound
// at least LatencyMultiple × the service's p99 over the baseline: the
// BaselineSpan before the range end, minus the last BaselineGap (so an
// incident in progress does not raise its own threshold). Without any
// history there, T is the smallest bound at least DefaultLatencyThreshold.
const (
	AssumedLatencyTarget    = 0.99
	LatencyMultiple         = 2
	BaselineSpan            = 7 * 24 * time.Hour
	BaselineGap             = 2 * time.Hour
	DefaultLatencyThreshold = time.Second
)

// latencyCounts is the latency histogram per service over one window.
type latencyCounts struct {
	window time.Duration
	vec    model.Vector
	idx    int
	query  string // the purpose of its query
	hists  map[string]histogram
}

// assumedLatency builds an assumed latency SLO for every service of conv
// in one batch: the baseline histogram, the histogram over every alert
// window and the period, and the page window's history, all grouped by
// the service label, so the batch neither waits for the threshold nor
// grows with the number of services. Thresholds and SLIs are read from the
// buckets.
func (c *Client) assumedLatency(r funnel.TimeRange, conv Convention, services []string, spec Assume) (*batch, func([]error) sloPart) {
	period := slo.DefaultPeriod
	by := []string{conv.ServiceLabel}
	b := c.newBatch()
	baselineEnd, baselineLen := r.End.Add(-BaselineGap), BaselineSpan-BaselineGap
	var baseline model.Vector
	baseIdx := b.instant(fmt.Sprintf("latency histogram per %s over the %s baseline before the last %s, for the assumed latency threshold (%s)",
		conv.ServiceLabel, slo.WindowLabel(BaselineSpan), slo.WindowLabel(BaselineGap), conv.Title),
		conv.histogram("increase", conv.Fixed, by, baselineLen), baselineEnd, baselineLen, &baseline)
	windows := append(measureWindows(period), period)
	counts := make([]latencyCounts, len(windows))
	for i, w := range windows {
		counts[i].window = w
		counts[i].query = fmt.Sprintf("latency histogram per %s over %s, requests above the assumed threshold (%s)", conv.ServiceLabel, promDuration(w), conv.Title)
		counts[i].idx = b.instant(counts[i].query, conv.histogram("increase", conv.Fixed, by, w), r.End, w, &counts[i].vec)
	}
	var history model.Matrix
	page := pageWindow(period)
	histIdx := b.ranged(fmt.Sprintf("latency histogram per %s over %s, history (%s)", conv.ServiceLabel, promDuration(page), conv.Title),
		conv.histogram("rate", conv.Fixed, by, page), r, historyPoints, &history)
	key := func(m model.Metric) string { return string(m[model.LabelName(conv.ServiceLabel)]) }
	return b, func(errs []error) sloPart {
		part := sloPart{queries: b.queries, warnings: b.warnings}
		if err := allFailed(errs); err != nil {
			part.err = err
			return part
		}
		part.warnings = appendErrs(part.warnings, errs)
		base := map[string]histogram{}
		if errs[baseIdx] == nil {
			base = conv.histograms(baseline, key)
		}
		for i := range counts {
			if errs[counts[i].idx] == nil {
				counts[i].hists = conv.histograms(counts[i].vec, key)
			}
		}
		var hist map[string][]timedHistogram
		if errs[histIdx] == nil {
			hist = histogramHistory(conv, history, key)
		}
		for _, svc := range services {
			if found, ok := latencyObjective(conv, svc, spec, base[svc], counts, hist[svc], r.End); ok {
				part.found = append(part.found, found)
			}
		}
		return part
	}
}

// latencyObjective measures svc's assumed latency SLO; ok is false when
// no histogram of the service has a finite bound to set T at.
func latencyObjective(conv Convention, svc string, spec Assume, base histogram, counts []latencyCounts, hist []timedHistogram, at time.Time) (measured, bool) {
	var period histogram
	for _, wc := range counts {
		if len(wc.hists[svc].bounds) > len(period.bounds) {
			period = wc.hists[svc]
		}
	}
	bound, basis, ok := threshold(base, period, spec.Thresholds[svc], conv.LatencyScale)
	if !ok {
		return measured{}, false
	}
	t := seconds(bound * conv.LatencyScale)
	obj := slo.Objective{
		Service: svc, Name: "latency", Target: spec.latencyTarget(), Period: slo.DefaultPeriod,
		SLI: "requests slower than " + units.Duration(t) + " / all requests (" + conv.Title + ")", Origin: slo.OriginAssumed,
		Threshold: t, Basis: basis,
	}
	m := slo.Measurements{At: at}
	for _, wc := range counts {
		h, known := wc.hists[svc]
		ratio := countRatio(wc.window, h.total()-h.atMost(bound), h.total(), known, wc.query)
		if wc.window == obj.Period {
			m.Period = ratio
		} else {
			m.Windows = append(m.Windows, ratio)
		}
	}
	for _, th := range hist {
		if total := th.h.total(); total > 0 {
			m.BurnHistory = append(m.BurnHistory, funnel.Point{Time: th.at, Value: (total - th.h.atMost(bound)) / total / obj.Budget()})
		}
	}
	return measured{obj: obj, m: m}, true
}

// threshold picks T (in the histogram's unit) and says how it was chosen:
// the smallest bound at or above the target, or the highest finite bound
// when none is that high.
func threshold(base, current histogram, fixed time.Duration, scale float64) (float64, string, bool) {
	target, basis := latencyTarget(base, fixed, scale)
	for _, h := range []histogram{base, current} {
		if t, ok := h.boundAtLeast(target); ok {
			return t, basis, true
		}
	}
	if !math.IsInf(target, 1) {
		basis += ", capped at the last bucket"
	}
	for _, h := range []histogram{current, base} {
		if last := h.lastFinite(); last >= 0 && h.bounds[last] > 0 {
			return h.bounds[last], basis, true
		}
	}
	return 0, "", false
}

// latencyTarget is what T should at least be: the configured threshold,
// else LatencyMultiple × the baseline p99 (+Inf when that p99 is already
// beyond the last bucket), else DefaultLatencyThreshold.
func latencyTarget(base histogram, fixed time.Duration, scale float64) (float64, string) {
	p99, beyond, ok := base.quantile(0.99)
	switch {
	case fixed > 0:
		return fixed.Seconds() / scale, "configured"
	case ok && beyond:
		return math.Inf(1), "last bucket: the " + slo.WindowLabel(BaselineSpan) + " p99 is beyond it"
	case ok:
		return LatencyMultiple * p99, fmt.Sprintf("%d× %s p99", LatencyMultiple, slo.WindowLabel(BaselineSpan))
	}
	return DefaultLatencyThreshold.Seconds() / scale, "default, no " + slo.WindowLabel(BaselineSpan) + " history"
}

// timedHistogram is one point of a histogram's history.
type timedHistogram struct {
	at time.Time
	h  histogram
}

// histogramHistory turns a range answer of conv.histogram into each key's
// histograms in time order.
func histogramHistory(conv Convention, m model.Matrix, key func(model.Metric) string) map[string][]timedHistogram {
	byTime := map[model.Time]model.Vector{}
	for _, s := range m {
		for _, v := range s.Values {
			byTime[v.Timestamp] = append(byTime[v.Timestamp], &model.Sample{Metric: s.Metric, Value: v.Value, Timestamp: v.Timestamp})
		}
		for _, h := range s.Histograms {
			byTime[h.Timestamp] = append(byTime[h.Timestamp], &model.Sample{Metric: s.Metric, Histogram: h.Histogram, Timestamp: h.Timestamp})
		}
	}
	times := make([]model.Time, 0, len(byTime))
	for t := range byTime {
		times = append(times, t)
	}
	slices.Sort(times)
	out := map[string][]timedHistogram{}
	for _, t := range times {
		for k, h := range conv.histograms(byTime[t], key) {
			out[k] = append(out[k], timedHistogram{at: t.Time(), h: h})
		}
	}
	return out
}

// Assume configures the SLOs assumed for services that define none.
type Assume struct {
	Off                   bool                     // assume no SLO at all
	Availability, Latency float64                  // objectives as ratios; 0 = AssumedTarget, AssumedLatencyTarget
	NoAvailability        bool                     // assume no availability SLO
	NoLatency             bool                     // assume no latency SLO
	Thresholds            map[string]time.Duration // a fixed latency threshold per service (the nearest bound at or above it)
}

func (a Assume) availabilityTarget() float64 { return orDefault(a.Availability, AssumedTarget) }
func (a Assume) latencyTarget() float64      { return orDefault(a.Latency, AssumedLatencyTarget) }

func orDefault(v, def float64) float64 {
	if v > 0 && !math.IsNaN(v) {
		return v
	}
	return def
}

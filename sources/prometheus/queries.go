package prometheus

import (
	"strconv"

	"github.com/prometheus/common/model"
	"strings"
	"time"
)

// This file is the one place where convention-detection, RED and
// assumed-SLO PromQL is written, for every convention: each template takes
// the matchers (already quoted by selector), the grouping labels and the
// window.

// serviceMatchers selects the server requests of one service.
func (c Convention) serviceMatchers(service string) []matcher {
	return append(append([]matcher{}, c.Fixed...), eq(c.ServiceLabel, service))
}

// withErrors adds the convention's error matcher.
func (c Convention) withErrors(ms []matcher) []matcher {
	return append(append([]matcher{}, ms...), c.Errors)
}

// routeLabels are the labels a route row is grouped by: method (when known)
// and route.
func (c Convention) routeLabels() []string { return nonEmpty([]string{c.MethodLabel, c.RouteLabel}) }

// sumBy renders "sum by (labels) (expr)", or "sum(expr)" without labels.
func sumBy(labels []string, expr string) string {
	if len(nonEmpty(labels)) == 0 {
		return "sum(" + expr + ")"
	}
	return "sum " + byClause(labels...) + " (" + expr + ")"
}

// requestCount renders the number (fn "increase") or rate (fn "rate") of
// requests matching ms over window, summed by labels.
func (c Convention) requestCount(fn string, ms []matcher, by []string, window time.Duration) string {
	inner := fn + "(" + selector(c.Requests, ms...) + "[" + promDuration(window) + "])"
	if c.RequestsNative {
		inner = "histogram_count(" + inner + ")"
	}
	return sumBy(by, inner)
}

// errorRatio renders failed ÷ all requests over window by labels; groups
// without any failed series count as 0, not as missing.
func (c Convention) errorRatio(ms []matcher, by []string, window time.Duration) string {
	total := c.requestCount("rate", ms, by, window)
	bad := c.requestCount("rate", c.withErrors(ms), by, window)
	return "(" + bad + " or " + total + " * 0) / " + total
}

// quantile renders the q-quantile of latency over window by labels, in the
// histogram's unit (multiply by LatencyScale for seconds).
func (c Convention) quantile(q float64, ms []matcher, by []string, window time.Duration) string {
	rate := "rate(" + selector(c.Latency, ms...) + "[" + promDuration(window) + "])"
	if !c.LatencyNative {
		by = append([]string{"le"}, by...)
	}
	return "histogram_quantile(" + strconv.FormatFloat(q, 'f', -1, 64) + ", " + sumBy(by, rate) + ")"
}

// histogram renders the latency histogram over window summed by labels,
// with fn "rate" or "increase": classic buckets keep le, a native
// histogram comes back whole.
func (c Convention) histogram(fn string, ms []matcher, by []string, window time.Duration) string {
	inner := fn + "(" + selector(c.Latency, ms...) + "[" + promDuration(window) + "])"
	if !c.LatencyNative {
		by = append([]string{"le"}, by...)
	}
	return sumBy(by, inner)
}

// histograms reads the answer to a histogram query, one per key.
func (c Convention) histograms(vec model.Vector, key func(model.Metric) string) map[string]histogram {
	if c.LatencyNative {
		return nativeHistograms(vec, key)
	}
	return classicHistograms(vec, key)
}

// exemplarSelector selects the latency series whose exemplars link to traces.
func (c Convention) exemplarSelector(ms []matcher) string { return selector(c.Latency, ms...) }

// errorSLI describes the assumed availability SLI in words.
func (c Convention) errorSLI() string {
	if strings.HasPrefix(c.Errors.Value, "5") {
		return "HTTP 5xx / all requests (" + c.Title + ")"
	}
	return "error spans / all server spans (" + c.Title + ")"
}

// presenceLabel is the marker label detectionQuery sets to "1" on the
// series that carry label; a legacy name even for a UTF-8 label.
func presenceLabel(label string) string { return "redline_has_" + escaped(label) }

// detectionQuery renders the one query convention detection sends: for
// every metric of names with a sample in the lookback, one series per
// combination of the metric name, the values of groupBy, and a presence
// marker (see presenceLabel) for each label of carried its series hold.
// Classic histograms are read through their +Inf bucket only, so the answer
// and the work stay small whatever the number of buckets, routes or
// instances. last_over_time and label_replace keep the metric name. The
// query parses on Prometheus 2 although some candidates have UTF-8 names: a
// UTF-8 grouping label is grouped by under its escaped name (see escaped;
// newInventory reverses it) and names are only matched as values of __name__.
func detectionQuery(names, groupBy, carried []string, lookback time.Duration) string {
	sel := selector("", anyOf("__name__", names), re("le", `|\+Inf`))
	expr := "last_over_time(" + sel + "[" + promDuration(lookback) + "])"
	by := []string{"__name__"}
	for _, l := range groupBy {
		if e := escaped(l); e != l {
			expr = "label_replace(" + expr + ", " + quote(e) + `, "$1", ` + quote(l) + `, "(.*)")`
			l = e
		}
		by = append(by, l)
	}
	for _, l := range carried {
		expr = "label_replace(" + expr + ", " + quote(presenceLabel(l)) + `, "1", ` + quote(l) + `, ".+")`
		by = append(by, presenceLabel(l))
	}
	return "count " + byClause(by...) + " (" + expr + ")"
}

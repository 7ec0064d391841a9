package prometheus

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/common/model"
)

// quote renders a label value as a PromQL double-quoted string literal.
// PromQL unquotes string literals with Go's rules, so strconv.Quote output
// (\" \\ \n \xNN \u…) reads back as exactly the original bytes: no value,
// however hostile, can close the literal or inject matchers.
func quote(value string) string { return strconv.Quote(value) }

// matcher is one label matcher of a selector, e.g. job="shop".
type matcher struct {
	Label string
	Op    string // "=", "!=", "=~", "!~"
	Value string
}

func eq(label, value string) matcher    { return matcher{Label: label, Op: "=", Value: value} }
func re(label, pattern string) matcher  { return matcher{Label: label, Op: "=~", Value: pattern} }
func notEq(label, value string) matcher { return matcher{Label: label, Op: "!=", Value: value} }
func (m matcher) String() string        { return name(m.Label) + m.Op + quote(m.Value) }
func (m matcher) isZero() bool          { return m.Label == "" }

// matches reports whether a series' labels satisfy m, as Prometheus
// decides it: an absent label reads as "", regular expressions are anchored.
func (m matcher) matches(labels model.Metric) bool {
	v := string(labels[model.LabelName(m.Label)])
	switch m.Op {
	case "=":
		return v == m.Value
	case "!=":
		return v != m.Value
	}
	ok, err := regexp.MatchString("^(?:"+m.Value+")$", v)
	return err == nil && ok == (m.Op == "=~")
}

func anyOf(label string, values []string) matcher {
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = regexp.QuoteMeta(v)
	}
	return re(label, strings.Join(quoted, "|"))
}

// This file is the one place metric and label names and values are written
// into PromQL. Prometheus 3 stores OTLP metrics under UTF-8 names when its
// translation strategy keeps them (http.server.request.duration_seconds,
// label http.route); such names are quoted ("http.route"="x", by
// ("http.route")) and such a metric is selected inside the braces
// ({"http.server.request.duration_seconds", …}). Legacy names are written
// bare, so every query for them still parses on Prometheus 2.

// name renders a label name for a matcher or by-clause: bare when it is a
// legacy name, else quoted.
func name(label string) string {
	if model.LegacyValidation.IsValidLabelName(label) {
		return label
	}
	return quote(label)
}

// selector renders metric{m1,m2,…}, or {"metric",m1,m2,…} when metric is not
// a legacy metric name. Label names come from our own tables, the config or
// the backend and are checked by validLabel; values are always quoted.
func selector(metric string, ms ...matcher) string {
	parts := make([]string, 0, len(ms)+1)
	if metric != "" && !model.LegacyValidation.IsValidMetricName(metric) {
		parts = append(parts, quote(metric))
		metric = ""
	}
	for _, m := range ms {
		if !m.isZero() {
			parts = append(parts, m.String())
		}
	}
	if len(parts) == 0 {
		if metric == "" {
			return "{}"
		}
		return metric
	}
	return metric + "{" + strings.Join(parts, ",") + "}"
}

// validLabel reports whether name can be a label name (UTF-8, as Prometheus
// 3 allows); non-legacy names are quoted wherever redline writes them.
func validLabel(label string) bool {
	return label != "" && model.UTF8Validation.IsValidLabelName(label)
}

// escaped renders a label name as a legacy one (U__ value-encoding escaping
// for any other), for labels redline itself adds to an answer; unescaped
// reverses it.
func escaped(label string) string {
	return model.EscapeName(label, model.ValueEncodingEscaping)
}

func unescaped(label string) string {
	return model.UnescapeName(label, model.ValueEncodingEscaping)
}

// promDuration renders d as a PromQL duration (5m, 1h4m, 30d, 90s).
func promDuration(d time.Duration) string {
	if d < time.Second {
		d = time.Second
	}
	return model.Duration(d.Truncate(time.Second)).String()
}

// byClause renders "by (a, b)", quoting non-legacy names.
func byClause(labels ...string) string {
	names := nonEmpty(labels)
	for i, l := range names {
		names[i] = name(l)
	}
	return "by (" + strings.Join(names, ", ") + ")"
}

func nonEmpty(ss []string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

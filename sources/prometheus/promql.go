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
func (m matcher) String() string        { return m.Label + m.Op + quote(m.Value) }
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

// selector renders metric{m1,m2,…}. Label names come from our own tables or
// from the backend's label-name API and are checked by validLabel; values
// are always quoted.
func selector(metric string, ms ...matcher) string {
	parts := make([]string, 0, len(ms))
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

// validLabel reports whether name is a legacy Prometheus label name, the only
// kind redline splices into a query unquoted (in by-clauses and matchers).
func validLabel(name string) bool {
	return model.LegacyValidation.IsValidLabelName(name)
}

// promDuration renders d as a PromQL duration (5m, 1h4m, 30d, 90s).
func promDuration(d time.Duration) string {
	if d < time.Second {
		d = time.Second
	}
	return model.Duration(d.Truncate(time.Second)).String()
}

// byClause renders "by (a, b)".
func byClause(labels ...string) string {
	return "by (" + strings.Join(nonEmpty(labels), ", ") + ")"
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

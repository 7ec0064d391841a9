// Package walk is the one policy by which redline walks the funnel, in the
// TUI and in `redline snapshot` alike: the order of the SLOs and the one
// taken (worst first), the order of the routes and the one taken (highest
// burn share), the trace search of a route (at or above its p95, or
// erroring, with the route's exemplars merged in) and the query of a
// trace's log lines; and where an entry (--alert, --slo, --service,
// --route) lands instead of the walk's own picks, or what exists when it
// names nothing. The pick among the traces found is trace.PickSlowest.
package walk

import (
	"fmt"
	"slices"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
)

// Limits of one request.
const (
	TraceLimit = 20   // traces one search asks for
	LogLimit   = 2000 // log lines one query asks for
)

// SLOs returns statuses ordered worst first (a sorted copy): the SLO step
// lists them so and opens on the first.
func SLOs(statuses []slo.Status) []slo.Status {
	out := slices.Clone(statuses)
	slo.SortBySeverity(out)
	return out
}

// WorstSLO is the worst of statuses, of service when one is given.
func WorstSLO(statuses []slo.Status, service string) (slo.Status, bool) {
	for _, st := range SLOs(statuses) {
		if service == "" || st.Objective.Service == service {
			return st, true
		}
	}
	return slo.Status{}, false
}

// Routes returns rows ranked by their share of the burn (a sorted copy):
// the RED step lists them so and opens on the first.
func Routes(rows []red.Row) []red.Row {
	out := slices.Clone(rows)
	red.Rank(out)
	return out
}

// Route is the row named name among rows, or the top-ranked one when name
// is "". ok is false when there is no such row; a named route without a
// row still gets a zero row naming it, so its traces can be searched.
func Route(rows []red.Row, name string) (red.Row, bool) {
	ranked := Routes(rows)
	if name == "" {
		if len(ranked) == 0 {
			return red.Row{}, false
		}
		return ranked[0], true
	}
	i := slices.IndexFunc(ranked, func(r red.Row) bool { return r.Route == name })
	if i < 0 {
		return red.Row{Route: name}, false
	}
	return ranked[i], true
}

// TraceSearch is the search of route's traces over r: those at or above
// the route's p95, or with errorsOnly its erroring traces of any duration.
func TraceSearch(service string, route red.Row, r funnel.TimeRange, errorsOnly bool) trace.Query {
	q := trace.Query{Service: service, Route: route.Route, Range: r, Limit: TraceLimit}
	if errorsOnly {
		q.ErrorsOnly = true
	} else {
		q.MinDuration = route.P95.Value // a lower bound is still a floor; none without data
	}
	return q
}

// Traces are the traces found for q with, when searching the slowest, the
// route's exemplars in q's range that the search did not return, slowest
// first. An exemplar says nothing about errors, so errorsOnly adds none.
func Traces(q trace.Query, route red.Row, found []trace.Summary) []trace.Summary {
	out := slices.Clone(found)
	if !q.ErrorsOnly {
		out = append(out, missingExemplars(q, route, found)...)
	}
	trace.SortSlowestFirst(out)
	return out
}

func missingExemplars(q trace.Query, route red.Row, found []trace.Summary) []trace.Summary {
	seen := map[string]bool{}
	for _, s := range found {
		seen[s.TraceID] = true
	}
	var out []trace.Summary
	for _, e := range route.Exemplars {
		id := trace.NormalizeTraceID(e.TraceID)
		if id == "" || seen[id] || !q.Range.Contains(e.Time) {
			continue
		}
		seen[id] = true
		out = append(out, trace.Summary{TraceID: id, RootService: q.Service, RootName: route.Route,
			Start: e.Time.Add(-e.Value), Duration: e.Value, MatchedSpanID: trace.NormalizeSpanID(e.SpanID),
			MatchedDuration: e.Value, Services: []string{q.Service}})
	}
	return out
}

// HowPicked says how the trace was chosen among the candidates of q (the
// traces found and the exemplars merged): the pick, what was searched, and
// that the backend may hold more when the search hit its limit, e.g.
// "slowest complete trace, among 20 traces ≥ p95 2.50s, the search's limit".
func HowPicked(c trace.Choice, q trace.Query, candidates int) string {
	of := fmt.Sprintf("among %d", candidates)
	switch {
	case q.ErrorsOnly:
		of += " erroring traces"
	case q.MinDuration > 0:
		of += " traces ≥ p95 " + units.Duration(q.MinDuration)
	default:
		of += " traces of any duration (no p95)"
	}
	if q.Limit > 0 && candidates >= q.Limit {
		of += ", the search's limit"
	}
	return c.String() + ", " + of
}

// TraceLogs is the query of a trace's log lines, or of one span's when
// spanID is set, over the trace's own time span (span, from the trace's
// tree): the lines of a trace lie there whatever the range on screen. A
// trace without spans has no span of its own, so fallback is used.
func TraceLogs(traceID, spanID string, services []string, span, fallback funnel.TimeRange) logs.Query {
	if span.Start.IsZero() || span.End.Before(span.Start) {
		span = fallback
	}
	return logs.Query{TraceID: traceID, SpanID: spanID, Services: slices.Clone(services), Range: span, Limit: LogLimit}
}

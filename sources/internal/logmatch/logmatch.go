// Package logmatch is what the log sources (Loki, VictoriaLogs) share to
// find a trace's lines: which of the candidate names of a service field a
// backend holds, which of its values name the trace's services, when to
// discover them again (Rediscover), and how the outcome is put in words.
package logmatch

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/trace"
)

// Present keeps the candidates that appear in names, in candidate order.
func Present(candidates, names []string) []string {
	var out []string
	for _, c := range candidates {
		if slices.Contains(names, c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// MatchServices returns the values that name one of services, spelt as the
// backend spells them: exact matches, else case-insensitive ones.
func MatchServices(values, services []string) []string {
	var out []string
	for _, svc := range services {
		var hit string
		for _, v := range values {
			if v == svc {
				hit = v
				break
			}
			if hit == "" && strings.EqualFold(v, svc) {
				hit = v
			}
		}
		if hit != "" && !slices.Contains(out, hit) {
			out = append(out, hit)
		}
	}
	return out
}

// UsableServices drops empty, repeated and non-UTF-8 service names: none
// can name a log stream, and an empty one would select every stream.
func UsableServices(services []string) []string {
	var out []string
	for _, s := range services {
		if s != "" && utf8.ValidString(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// CountWords renders words with their counts in order of first appearance:
// "a (3), b (1)".
func CountWords(words []string) string {
	var order []string
	counts := map[string]int{}
	for _, w := range words {
		if counts[w] == 0 {
			order = append(order, w)
		}
		counts[w]++
	}
	parts := make([]string, len(order))
	for i, w := range order {
		parts[i] = fmt.Sprintf("%s (%d)", w, counts[w])
	}
	return strings.Join(parts, ", ")
}

// AppendNew appends the non-empty items not already in list.
func AppendNew(list []string, items ...string) []string {
	for _, it := range items {
		if it != "" && !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// Lookup is one request for a trace's lines, validated.
type Lookup struct {
	TraceID, SpanID string // normalised; SpanID "" when not asked
	Services        []string
	Window          funnel.TimeRange // the trace's range widened by the shift
	Limit           int
	Warnings        []string
}

// Bounds are a log source's settings that shape a Lookup.
type Bounds struct {
	Backend  string // names the source in errors
	Limit    int    // lines asked when the query names no limit
	MaxLimit int    // cap on a query's own limit
	Shift    time.Duration
	Now      time.Time // "now", for a query without a range
}

// NewLookup validates q: its trace (and span) ID, its range (the last hour
// when it has none, with a warning), widened by the shift on each side,
// and the limit.
func NewLookup(q logs.Query, b Bounds) (Lookup, error) {
	lk := Lookup{TraceID: trace.NormalizeTraceID(q.TraceID), Services: UsableServices(q.Services), Limit: b.Limit}
	if lk.TraceID == "" {
		return Lookup{}, fmt.Errorf("%s: %q is not a trace ID: want up to 32 hex digits", b.Backend, q.TraceID)
	}
	if q.SpanID != "" {
		if lk.SpanID = trace.NormalizeSpanID(q.SpanID); lk.SpanID == "" {
			return Lookup{}, fmt.Errorf("%s: %q is not a span ID: want up to 16 hex digits", b.Backend, q.SpanID)
		}
	}
	if q.Limit > 0 {
		lk.Limit = min(q.Limit, b.MaxLimit)
	}
	lk.Window = q.Range
	if lk.Window.Start.IsZero() || lk.Window.End.IsZero() {
		lk.Window = funnel.Last(time.Hour, b.Now)
		lk.Warnings = append(lk.Warnings, "the trace has no time range: searched the last hour")
	}
	if lk.Window.End.Before(lk.Window.Start) {
		return Lookup{}, fmt.Errorf("%s: time range ends (%s) before it starts (%s)", b.Backend, lk.Window.End, lk.Window.Start)
	}
	lk.Window = lk.Window.Widen(b.Shift)
	return lk, nil
}

// Pass is one look-up pass of a log source, as Rediscover needs it.
type Pass interface {
	// Result renders the pass for the UI with queries as its queries.
	Result(queries []funnel.Query) logs.Result
	// Stale reports that the pass relied on an earlier discovery (the
	// service label or field, where IDs are held) and found no lines: what
	// was learnt from other traces may not fit this one.
	Stale() bool
	// Sent lists the queries the pass sent.
	Sent() []funnel.Query
}

// Rediscover runs a look-up pass with what the source knows (its pins,
// then its cache) and, when that pass is Stale, forgets the cache and runs
// another with the pins alone. It returns the last pass's result with the
// queries of both, or the error of a failed pass with the queries sent.
func Rediscover[P Pass, D any](pass func(D) (P, error), known, pinned func() D, forget func()) (logs.Result, error) {
	out, err := pass(known())
	queries := out.Sent()
	if err == nil && out.Stale() {
		forget()
		out, err = pass(pinned())
		queries = append(slices.Clip(queries), out.Sent()...)
	}
	if err != nil {
		return logs.Result{Queries: queries}, err
	}
	return out.Result(queries), nil
}

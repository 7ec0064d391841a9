// Package funnel holds the value types shared by every step of the on-call
// funnel (SLO burn → RED per route → slowest trace → correlated logs): time
// ranges, time points and the queries that produced a result.
//
// funnel and its sub-packages are pure and import only the standard library:
// they hold the domain model and its maths, never I/O. Sources (package
// sources/...) turn backend answers into these types; the UI (package ui/...)
// draws them.
package funnel

import (
	"fmt"
	"time"
)

// TimeRange is a closed interval [Start, End] in absolute time.
type TimeRange struct {
	Start time.Time
	End   time.Time
}

// Last returns the range of length d that ends at end.
func Last(d time.Duration, end time.Time) TimeRange {
	return TimeRange{Start: end.Add(-d), End: end}
}

// Duration is End − Start.
func (r TimeRange) Duration() time.Duration { return r.End.Sub(r.Start) }

// Shift moves the whole range by d (negative moves it into the past).
func (r TimeRange) Shift(d time.Duration) TimeRange {
	return TimeRange{Start: r.Start.Add(d), End: r.End.Add(d)}
}

// Widen grows the range by margin on both sides.
func (r TimeRange) Widen(margin time.Duration) TimeRange {
	return TimeRange{Start: r.Start.Add(-margin), End: r.End.Add(margin)}
}

// Contains reports whether t lies within the range, bounds included.
func (r TimeRange) Contains(t time.Time) bool {
	return !t.Before(r.Start) && !t.After(r.End)
}

// String renders the range as absolute UTC times, e.g.
// "2026-11-21 20:00:00 – 21:00:00 UTC" (the date is repeated only when it
// changes).
func (r TimeRange) String() string {
	s, e := r.Start.UTC(), r.End.UTC()
	if s.Format(time.DateOnly) == e.Format(time.DateOnly) {
		return fmt.Sprintf("%s – %s UTC", s.Format(time.DateTime), e.Format(time.TimeOnly))
	}
	return fmt.Sprintf("%s – %s UTC", s.Format(time.DateTime), e.Format(time.DateTime))
}

// Point is one sample of a time series (e.g. an SLO's burn history).
type Point struct {
	Time  time.Time
	Value float64
}

// Language names a query language.
type Language string

// The query languages redline speaks.
const (
	PromQL  Language = "PromQL"
	TraceQL Language = "TraceQL"
	LogQL   Language = "LogQL"
	LogsQL  Language = "LogsQL" // VictoriaLogs
	// JaegerQuery is a Jaeger search expressed as its parameters
	// (service, operation, min duration, …).
	JaegerQuery Language = "Jaeger"
)

// Query records one query a source sent, so the UI can show it on a key and
// a snapshot can quote it verbatim.
type Query struct {
	Backend  string   // "prometheus", "tempo", "jaeger", "loki", "demo"
	Language Language // PromQL, TraceQL, LogQL, Jaeger
	Purpose  string   // what it answers, e.g. "error ratio over 1h"
	Text     string   `sanitize:"text"` // the query exactly as sent (multi-line: cleaned keeping newlines)
	Range    TimeRange
	// NotSent says why the query was not sent, e.g. "prometheus timed out
	// after 30s on detection" (its backend timed out earlier in the step);
	// "" when it was sent.
	NotSent string
}

// Package trace models distributed traces: spans with normalised IDs, the
// span tree (robust to orphans, duplicate IDs and clock skew), the critical
// path, self time, and the waterfall layout with fractional cell positions.
package trace

import (
	"time"

	"github.com/redline-tui/redline/funnel"
)

// Kind is the OpenTelemetry span kind.
type Kind int

// Span kinds.
const (
	KindUnspecified Kind = iota
	KindInternal
	KindServer
	KindClient
	KindProducer
	KindConsumer
)

// String returns the lower-case kind name ("server", "client", …).
func (k Kind) String() string { panic("TODO") }

// StatusCode is the OpenTelemetry span status.
type StatusCode int

// Status codes.
const (
	StatusUnset StatusCode = iota
	StatusOK
	StatusError
)

// String returns "unset", "ok" or "error".
func (c StatusCode) String() string { panic("TODO") }

// Attr is one attribute, its value already rendered as text.
type Attr struct {
	Key   string
	Value string
}

// Event is a timestamped span event (a log on the span).
type Event struct {
	Time       time.Time
	Name       string
	Attributes []Attr
}

// Link points to another span.
type Link struct {
	TraceID    string
	SpanID     string
	Attributes []Attr
}

// Span is one span. IDs are normalised: lower-case hex, TraceID 32 and
// SpanID/ParentID 16 characters (see NormalizeTraceID, NormalizeSpanID); a
// root span has ParentID "".
type Span struct {
	TraceID       string
	SpanID        string
	ParentID      string
	Service       string
	Name          string
	Kind          Kind
	Start         time.Time
	Duration      time.Duration
	Status        StatusCode
	StatusMessage string
	Attributes    []Attr
	Resource      []Attr
	Events        []Event
	Links         []Link
}

// End is Start + Duration.
func (s *Span) End() time.Time { return s.Start.Add(s.Duration) }

// Attr returns the value of the span attribute key, then the resource
// attribute key, and whether it was found.
func (s *Span) Attr(key string) (string, bool) { panic("TODO") }

// NormalizeTraceID returns id as 32 lower-case hex characters: strips
// "0x", lower-cases, left-pads with zeros. It returns "" when id is not
// 1–32 hex characters.
func NormalizeTraceID(id string) string { panic("TODO") }

// NormalizeSpanID is NormalizeTraceID for 16-character span IDs.
func NormalizeSpanID(id string) string { panic("TODO") }

// Trace is all the spans of one trace as a source returned them.
type Trace struct {
	ID       string // normalised
	Spans    []Span
	Partial  bool     // the backend said the trace is incomplete
	Warnings []string // from the backend or from decoding
	Queries  []funnel.Query
}

// Summary describes one trace in a search result.
type Summary struct {
	TraceID     string // normalised
	RootService string
	RootName    string
	Start       time.Time
	Duration    time.Duration
	SpanCount   int // 0 when unknown
	ErrorCount  int
	Services    []string
	// MatchedSpan is the span that matched the search (the route's server
	// span), when the source knows it; its duration ranks the result.
	MatchedSpanID   string
	MatchedDuration time.Duration
}

// Query asks a trace source for the slow or failing traces of one route.
type Query struct {
	Service     string
	Route       string // http.route (or span name)
	MinDuration time.Duration
	ErrorsOnly  bool
	Range       funnel.TimeRange
	Limit       int
}

// SearchResult is what a trace source answers for a Query, slowest first.
type SearchResult struct {
	Traces   []Summary
	Queries  []funnel.Query
	Warnings []string
}

// SortSlowestFirst orders summaries by MatchedDuration (or Duration when
// unknown) descending, errors first among equals, then by trace ID.
func SortSlowestFirst(s []Summary) { panic("TODO") }

// Package logs models log lines from a log backend, detects their level
// (from JSON or logfmt fields, or keywords) and correlates them with a trace
// and a span.
package logs

import (
	"time"

	"github.com/redline-tui/redline/funnel"
)

// Level is a log severity.
type Level int

// Levels, from unknown to the most severe.
const (
	LevelUnknown Level = iota
	LevelTrace
	LevelDebug
	LevelInfo
	LevelWarn
	LevelError
	LevelFatal
)

// String returns a fixed-width upper-case word ("DEBUG", "INFO ", … "?    "
// for unknown) so levels read without colour.
func (l Level) String() string { panic("TODO") }

// Format is how a line's body is structured.
type Format int

// Formats.
const (
	FormatPlain Format = iota
	FormatJSON
	FormatLogfmt
)

// Line is one log line.
type Line struct {
	Time     time.Time
	Level    Level
	Service  string
	Body     string            // the raw line as stored
	Message  string            // the human message: JSON "msg"/"message", logfmt msg=, else Body
	Format   Format
	Labels   map[string]string // index (stream) labels
	Metadata map[string]string // structured metadata and parsed fields
	TraceID  string            // normalised, "" when none found
	SpanID   string            // normalised, "" when none found
}

// Parse fills Level, Message, Format, TraceID and SpanID of a line whose
// Time, Body, Labels and Metadata are set. Trace and span IDs are taken from
// metadata (trace_id, traceId, traceID, …), then JSON or logfmt fields, then
// from a trace_id=… or traceID:… pattern in plain text.
func Parse(l Line) Line { panic("TODO") }

// Fields returns the line's structured fields (JSON keys flattened with ".",
// or logfmt pairs) in key order, for the "expand JSON" view. Plain lines
// return nil.
func Fields(l Line) []Field { panic("TODO") }

// Field is one key/value of a structured line.
type Field struct {
	Key, Value string
}

// MatchTrace keeps lines of traceID; with spanID non-empty, only those of
// that span. Lines stay in time order.
func MatchTrace(lines []Line, traceID, spanID string) []Line { panic("TODO") }

// SortByTime merges lines from many streams into ascending time order
// (stable: equal times keep their order).
func SortByTime(lines []Line) { panic("TODO") }

// Query asks a log source for the lines of a trace.
type Query struct {
	TraceID  string
	SpanID   string   // optional
	Services []string // services the trace touches, to narrow the stream selector
	Range    funnel.TimeRange
	Limit    int
}

// Result is what a log source answers for a Query.
type Result struct {
	Lines    []Line // time ascending
	Strategy string // how lines were correlated, e.g. `structured metadata trace_id`
	Queries  []funnel.Query
	Warnings []string
}

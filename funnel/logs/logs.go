// Package logs models log lines from a log backend, detects their level
// (from JSON or logfmt fields, or keywords) and correlates them with a trace
// and a span.
package logs

import (
	"slices"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/trace"
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
func (l Level) String() string {
	switch l {
	case LevelTrace:
		return "TRACE"
	case LevelDebug:
		return "DEBUG"
	case LevelInfo:
		return "INFO "
	case LevelWarn:
		return "WARN "
	case LevelError:
		return "ERROR"
	case LevelFatal:
		return "FATAL"
	}
	return "?    "
}

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
	Body     string // the raw line as stored
	Message  string // the human message: JSON "msg"/"message", logfmt msg=, else Body
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
//
// Format is always detected from Body: JSON when it is a JSON object,
// logfmt when it starts with a key=value pair and holds at least two, else
// plain. Fields a source already set are kept: Level unless LevelUnknown,
// Message unless "", Service unless "" (else the service_name, service,
// app or job label), TraceID and SpanID unless "" (but normalised). The
// level comes from the body's fields (level, lvl, severity, severity_text,
// log.level; Pino numbers too), then metadata and labels (severity_text,
// detected_level, level, severity, severity_number), then a level keyword among the
// first words of the body; see LevelOf.
func Parse(l Line) Line {
	l.Format = formatOf(l.Body)
	fields := fieldsOf(l.Format, l.Body)
	if l.Message == "" {
		l.Message = messageOf(l.Body, fields)
	}
	if l.Level == LevelUnknown {
		l.Level = levelOf(l, fields)
	}
	if l.Service == "" {
		l.Service = firstOf(l.Labels, "service_name", "service", "app", "job")
	}
	l.TraceID = trace.NormalizeTraceID(l.TraceID)
	if l.TraceID == "" {
		l.TraceID = findID(l, fields, traceIDKeys, traceIDPattern, trace.NormalizeTraceID)
	}
	l.SpanID = trace.NormalizeSpanID(l.SpanID)
	if l.SpanID == "" {
		l.SpanID = findID(l, fields, spanIDKeys, spanIDPattern, trace.NormalizeSpanID)
	}
	return l
}

// Fields returns the line's structured fields (JSON keys flattened with ".",
// or logfmt pairs) in key order, for the "expand JSON" view. Plain lines
// return nil. JSON arrays are kept as compact JSON text; a logfmt key
// repeated keeps its last value. Keys and values are cleaned by
// sanitize.Line: decoding can turn escaped text (JSON's \u001b) in a clean
// body back into control characters.
func Fields(l Line) []Field {
	fields := fieldsOf(formatOf(l.Body), l.Body)
	for i, f := range fields {
		fields[i] = Field{Key: sanitize.Line(f.Key), Value: sanitize.Line(f.Value)}
	}
	// Cleaning replaces invalid bytes and control characters, which can
	// change the keys' order: sort again.
	slices.SortStableFunc(fields, func(a, b Field) int { return strings.Compare(a.Key, b.Key) })
	return fields
}

// Field is one key/value of a structured line.
type Field struct {
	Key, Value string
}

// MatchTrace keeps lines of traceID; with spanID non-empty, only those of
// that span. Lines stay in time order.
// IDs are compared normalised; an invalid traceID (or a non-empty invalid
// spanID) matches nothing. The result is a new slice.
func MatchTrace(lines []Line, traceID, spanID string) []Line {
	traceID = trace.NormalizeTraceID(traceID)
	wantSpan := trace.NormalizeSpanID(spanID)
	if traceID == "" || (spanID != "" && wantSpan == "") {
		return nil
	}
	var out []Line
	for _, l := range lines {
		if trace.NormalizeTraceID(l.TraceID) != traceID {
			continue
		}
		if wantSpan != "" && trace.NormalizeSpanID(l.SpanID) != wantSpan {
			continue
		}
		out = append(out, l)
	}
	return out
}

// SortByTime merges lines from many streams into ascending time order
// (stable: equal times keep their order).
func SortByTime(lines []Line) {
	slices.SortStableFunc(lines, func(a, b Line) int { return a.Time.Compare(b.Time) })
}

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

package victorialogs

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
)

// This file is the only place LogsQL is written. Every value that reaches a
// query (field names, their values, IDs as regexes) goes through quote, a Go
// string literal, which LogsQL reads back as exactly the value, so no value
// can end a string early or add a filter or pipe.

// msgField is the message field: a trace filter on it matches the ID
// anywhere in the text.
const msgField = "_msg"

// quote renders s as a LogsQL quoted string (field names too).
func quote(s string) string { return strconv.Quote(s) }

// timeFilter is `_time:[start, end]`.
func timeFilter(r funnel.TimeRange) string {
	return "_time:[" + r.Start.UTC().Format(time.RFC3339Nano) + ", " + r.End.UTC().Format(time.RFC3339Nano) + "]"
}

// serviceFilter selects the lines whose field has one of values: a stream
// filter for a stream field, else a field filter. No values selects every
// line with a non-empty field.
func serviceFilter(field string, stream bool, values []string) string {
	if stream {
		switch len(values) {
		case 0:
			return "_stream:{" + quote(field) + `=~".+"}`
		case 1:
			return "_stream:{" + quote(field) + "=" + quote(values[0]) + "}"
		}
		quoted := make([]string, len(values))
		for i, v := range values {
			quoted[i] = regexp.QuoteMeta(v)
		}
		return "_stream:{" + quote(field) + "=~" + quote(strings.Join(quoted, "|")) + "}"
	}
	switch len(values) {
	case 0:
		return quote(field) + ":*"
	case 1:
		return quote(field) + ":=" + quote(values[0])
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = quote(v)
	}
	return quote(field) + ":in(" + strings.Join(quoted, ",") + ")"
}

// traceFilter matches traceID in any of holders: a field compared whole, or
// _msg anywhere in the text; in any case, a 64-bit ID padded or not.
func traceFilter(holders []string, traceID string) string {
	parts := make([]string, len(holders))
	for i, h := range holders {
		if h == msgField {
			parts[i] = msgField + ":~" + quote(trace.LogIDPattern(traceID, false))
			continue
		}
		parts[i] = quote(h) + ":~" + quote(trace.LogIDPattern(traceID, true))
	}
	if len(parts) == 1 {
		return parts[0]
	}
	return "(" + strings.Join(parts, " or ") + ")"
}

// traceQuery is the whole query for a trace's lines: the window, the service
// filter (when any), the trace filter, oldest first, at most limit lines.
func traceQuery(window funnel.TimeRange, service string, holders []string, traceID string, limit int) string {
	parts := []string{timeFilter(window)}
	if service != "" {
		parts = append(parts, service)
	}
	parts = append(parts, traceFilter(holders, traceID), "| sort by (_time) | limit "+strconv.Itoa(limit))
	return strings.Join(parts, " ")
}

// holderWords says in words where a holder finds IDs, for Result.Strategy.
func holderWords(h string) string {
	if h == msgField {
		return "message text"
	}
	return "field " + h
}

// holdersString joins the holders' descriptions.
func holdersString(hs []string) string {
	parts := make([]string, len(hs))
	for i, h := range hs {
		parts[i] = holderWords(h)
	}
	return strings.Join(parts, " + ")
}

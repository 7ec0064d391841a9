package loki

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/redline-tui/redline/funnel/trace"
)

// This file is the only place LogQL is written. Every value that reaches a
// query (label values, trace and span IDs, field names) goes through
// quoteString, quoteRegexValue or validLabelName, so no value can end a
// string early or add a matcher or stage.

// holder is where a log line holds its trace ID.
type holder int

const (
	inMetadata holder = iota // a structured-metadata (or, on old Loki, stream) label
	inJSON                   // a field of a JSON body
	inLogfmt                 // a field of a logfmt body
	inText                   // anywhere in the body
)

// probe is one way of asking Loki for a trace's lines.
type probe struct {
	holder holder
	field  string // the key for inMetadata, inJSON, inLogfmt; "" means the usual trace ID keys
}

// plan is the probes sent for one look-up, in parallel.
type plan []probe

// The discovery plan: the structured-metadata filter catches OTLP lines
// whose body lacks the ID, the line filter catches every body format.
var discoveryPlan = plan{{holder: inMetadata, field: "trace_id"}, {holder: inText}}

// traceKeys are the usual names of a trace ID field, as they appear after
// Loki's json or logfmt parser (nested keys are joined with _).
var traceKeys = []string{"trace_id", "traceId", "traceID", "traceid", "trace_id_extracted"}

// spanKeys are the matching span ID field names.
var spanKeys = []string{"span_id", "spanId", "spanID", "spanid", "span_id_extracted"}

// parseTraceField turns Config.TraceField into a pinned single-probe plan
// (nil for "").
func parseTraceField(s string) (plan, error) {
	kind, field, _ := strings.Cut(strings.TrimSpace(s), ":")
	var p probe
	switch kind {
	case "":
		return nil, nil
	case "metadata":
		p = probe{holder: inMetadata, field: "trace_id"}
	case "json":
		p = probe{holder: inJSON}
	case "logfmt":
		p = probe{holder: inLogfmt}
	case "text":
		if field != "" {
			return nil, fmt.Errorf("loki: trace_field %q: text takes no field name", s)
		}
		return plan{{holder: inText}}, nil
	default:
		return nil, fmt.Errorf("loki: trace_field %q is not supported: use metadata, json:<field>, logfmt:<field> or text", s)
	}
	if field != "" {
		if !validLabelName(field) {
			return nil, fmt.Errorf("loki: trace_field %q: %q is not a LogQL label name (nested JSON keys are joined with _, e.g. json:trace_id)", s, field)
		}
		p.field = field
	}
	return plan{p}, nil
}

// query renders the probe's LogQL for traceID (and spanID when not "")
// over the stream selector sel.
func (p probe) query(sel, traceID, spanID string) string {
	var b strings.Builder
	b.WriteString(sel)
	switch p.holder {
	case inMetadata:
		fmt.Fprintf(&b, " | %s=%s", p.field, quoteString(traceID))
		if spanID != "" {
			fmt.Fprintf(&b, " | %s=%s", spanKeyFor(p.field), quoteString(spanID))
		}
		return b.String()
	}
	fmt.Fprintf(&b, " |~ %s", quoteString(trace.LogIDPattern(traceID, false)))
	if spanID != "" {
		fmt.Fprintf(&b, " |~ %s", quoteString("(?i)"+spanID))
	}
	switch p.holder {
	case inJSON:
		fmt.Fprintf(&b, " | json | %s", anyFieldMatches(p.fields(), trace.LogIDPattern(traceID, true)))
	case inLogfmt:
		fmt.Fprintf(&b, " | logfmt | %s", anyFieldMatches(p.fields(), trace.LogIDPattern(traceID, true)))
	}
	return b.String()
}

// fields are the parsed label names a JSON or logfmt probe compares, with
// the _extracted variants Loki uses when a parsed key collides with a
// stream or structured-metadata label.
func (p probe) fields() []string {
	if p.field == "" {
		return traceKeys
	}
	return []string{p.field, p.field + "_extracted"}
}

// spanKeyFor guesses the span ID key that goes with a trace ID key.
func spanKeyFor(traceKey string) string {
	for i, k := range traceKeys {
		if k == traceKey {
			return spanKeys[i]
		}
	}
	return "span_id"
}

// anyFieldMatches renders `a=~"re" or b=~"re" …`.
func anyFieldMatches(fields []string, re string) string {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f + "=~" + quoteString(re)
	}
	return strings.Join(parts, " or ")
}

// String says in words what the probe asks, for Result.Strategy.
func (p probe) String() string {
	switch p.holder {
	case inMetadata:
		return "structured metadata " + p.field
	case inJSON:
		return "JSON field " + strings.Join(p.fields(), "/")
	case inLogfmt:
		return "logfmt field " + strings.Join(p.fields(), "/")
	}
	return "line filter"
}

// String joins the probes' descriptions.
func (pl plan) String() string {
	parts := make([]string, len(pl))
	for i, p := range pl {
		parts[i] = p.String()
	}
	return strings.Join(parts, " + ")
}

// selectorFor renders the stream selector of label over values: one value
// is an equality matcher, several an anchored alternation of quoted
// literals. No values selects every stream that has the label, which is
// the broadest selector Loki accepts (it needs one non-empty matcher).
func selectorFor(label string, values []string) string {
	switch len(values) {
	case 0:
		return "{" + label + `=~".+"}`
	case 1:
		return "{" + label + "=" + quoteString(values[0]) + "}"
	}
	quoted := make([]string, len(values))
	for i, v := range values {
		quoted[i] = regexp.QuoteMeta(v)
	}
	return "{" + label + "=~" + quoteString(strings.Join(quoted, "|")) + "}"
}

// quoteString renders s as a LogQL string literal that Loki's lexer
// (text/scanner + strconv.Unquote) reads back as exactly s. Strings with
// backslashes (regexes) use a raw `…` literal when that is exact, since it
// reads better; everything else is a double-quoted Go literal with every
// quote, backslash, newline, control and invalid byte escaped.
func quoteString(s string) string {
	if strings.ContainsRune(s, '\\') && rawSafe(s) {
		return "`" + s + "`"
	}
	return strconv.Quote(s)
}

// rawSafe reports whether s survives a raw string literal unchanged: valid
// UTF-8, no backtick, no carriage return (dropped from raw strings), only
// printable characters.
func rawSafe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r == '`' || !unicode.IsPrint(r) {
			return false
		}
	}
	return true
}

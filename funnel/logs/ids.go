package logs

import "regexp"

// Keys that hold trace and span IDs in metadata, labels and fields, in the
// order they are tried.
var (
	traceIDKeys = []string{"trace_id", "traceId", "traceID", "TraceID", "TraceId", "trace.id"}
	spanIDKeys  = []string{"span_id", "spanId", "spanID", "SpanID", "SpanId", "span.id"}
)

// Patterns for IDs in free text: trace_id=…, traceID: "…", "trace.id":"…".
// The ID must be a whole hex word, so a longer hex run never matches.
var (
	traceIDPattern = regexp.MustCompile(`(?i)\btrace[_.]?id"?\s*[=:]\s*"?([0-9a-f]{16,32})\b`)
	spanIDPattern  = regexp.MustCompile(`(?i)\bspan[_.]?id"?\s*[=:]\s*"?([0-9a-f]{16})\b`)
)

// findID returns the first ID that normalises, looking in metadata, then
// labels, then the structured fields, then the body text.
func findID(l Line, fields []Field, keys []string, pattern *regexp.Regexp, normalize func(string) string) string {
	for _, m := range []map[string]string{l.Metadata, l.Labels} {
		for _, k := range keys {
			if id := normalize(m[k]); id != "" {
				return id
			}
		}
	}
	if v, ok := lookup(fields, keys...); ok {
		if id := normalize(v); id != "" {
			return id
		}
	}
	for _, match := range pattern.FindAllStringSubmatch(l.Body, 4) {
		if id := normalize(match[1]); id != "" {
			return id
		}
	}
	return ""
}

// Package trace models distributed traces: spans with normalised IDs, the
// span tree (robust to orphans, duplicate IDs and clock skew), the critical
// path, self time, and the waterfall layout with fractional cell positions.
package trace

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
)

// ErrNotFound is wrapped by a trace source's error for a trace ID the
// backend answered it does not hold, read "<backend>: trace <id> not found":
// the backend works, the trace is gone (sampled out, expired, outside the
// range) or was never stored, e.g. an exemplar's.
var ErrNotFound = errors.New("not found")

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
func (k Kind) String() string {
	switch k {
	case KindUnspecified:
		return "unspecified"
	case KindInternal:
		return "internal"
	case KindServer:
		return "server"
	case KindClient:
		return "client"
	case KindProducer:
		return "producer"
	case KindConsumer:
		return "consumer"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// StatusCode is the OpenTelemetry span status.
type StatusCode int

// Status codes.
const (
	StatusUnset StatusCode = iota
	StatusOK
	StatusError
)

// String returns "unset", "ok" or "error".
func (c StatusCode) String() string {
	switch c {
	case StatusUnset:
		return "unset"
	case StatusOK:
		return "ok"
	case StatusError:
		return "error"
	}
	return "status(" + strconv.Itoa(int(c)) + ")"
}

// Attr is one attribute, its value already rendered as text.
type Attr struct {
	Key   string
	Value string `sanitize:"text"` // may span lines (a stack trace, JSON): cleaned keeping newlines
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
func (s *Span) Attr(key string) (string, bool) {
	for _, attrs := range [2][]Attr{s.Attributes, s.Resource} {
		for _, a := range attrs {
			if a.Key == key {
				return a.Value, true
			}
		}
	}
	return "", false
}

// Lengths of normalised IDs in hex characters.
const (
	TraceIDLen = 32
	SpanIDLen  = 16
)

// NormalizeTraceID returns id as 32 lower-case hex characters: strips
// "0x", lower-cases, left-pads with zeros. It returns "" when id is not
// 1–32 hex characters. Surrounding white space is ignored. An ID that is
// already normalised is returned without allocating.
func NormalizeTraceID(id string) string { return normalizeHexID(id, TraceIDLen) }

// LogIDText is the text to look for in log lines holding the normalised
// trace ID id: id itself, or for a 64-bit ID (upper half zero, as Jaeger
// clients make) its lower 16 digits, which also occur in the padded form.
func LogIDText(id string) string {
	if len(id) == TraceIDLen && strings.TrimLeft(id[:TraceIDLen-SpanIDLen], "0") == "" {
		return id[TraceIDLen-SpanIDLen:]
	}
	return id
}

// LogIDPattern is an RE2 pattern for the normalised trace ID id as logs
// spell it, in any case: somewhere in a text, or (whole) as the entire
// value, where a 64-bit ID may be written with or without its 16 leading
// zeros.
func LogIDPattern(id string, whole bool) string {
	text := LogIDText(id)
	switch {
	case !whole:
		return "(?i)" + text
	case text != id:
		return "(?i)^(?:0{16})?" + text + "$"
	}
	return "(?i)^" + text + "$"
}

// NormalizeSpanID is NormalizeTraceID for 16-character span IDs.
func NormalizeSpanID(id string) string { return normalizeHexID(id, SpanIDLen) }

// normalizeHexID strips an optional 0x prefix and returns id as width
// lower-case hex characters, or "" when it is not 1–width hex digits.
func normalizeHexID(id string, width int) string {
	id = strings.TrimSpace(id)
	if len(id) > 2 && id[0] == '0' && (id[1] == 'x' || id[1] == 'X') {
		id = id[2:]
	}
	if id == "" || len(id) > width {
		return ""
	}
	lower := true
	for i := 0; i < len(id); i++ {
		c := id[i]
		switch {
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f':
		case 'A' <= c && c <= 'F':
			lower = false
		default:
			return ""
		}
	}
	if lower && len(id) == width {
		return id
	}
	return strings.Repeat("0", width-len(id)) + strings.ToLower(id)
}

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
	// Completeness is what the source could tell of the trace's missing
	// spans: from all its spans when the search returned them, else from
	// the backend's hints (a root span not yet received).
	Completeness Completeness
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
func SortSlowestFirst(s []Summary) {
	slices.SortStableFunc(s, func(a, b Summary) int {
		if c := cmp.Compare(b.rankDuration(), a.rankDuration()); c != 0 {
			return c
		}
		if ae, be := a.ErrorCount > 0, b.ErrorCount > 0; ae != be {
			if ae {
				return -1
			}
			return 1
		}
		return strings.Compare(a.TraceID, b.TraceID)
	})
}

// rankDuration is the duration a search result is ranked by: the matched
// span's when known, else the whole trace's.
func (s Summary) rankDuration() time.Duration {
	if s.MatchedDuration > 0 {
		return s.MatchedDuration
	}
	return s.Duration
}

// ShortIDLen is how many leading characters of an ID identify it on screen.
const ShortIDLen = 8

// ShortID returns the first ShortIDLen characters of an ID, the form
// lists, titles and snapshots show. It cuts between characters, so the
// short form of clean text is clean.
func ShortID(id string) string {
	n := 0
	for i := range id {
		if n == ShortIDLen {
			return id[:i]
		}
		n++
	}
	return id
}

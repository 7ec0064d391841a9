package tempo

import (
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel/trace"
)

// routeMatch says how a search picks the route's server spans.
type routeMatch int

const (
	// byHTTPRoute matches span.http.route exactly (OTel semantic conventions).
	byHTTPRoute routeMatch = iota
	// bySpanName matches the span name being the route, optionally after an
	// HTTP method ("POST /api/checkout", as the HTTP semantic conventions
	// name server spans): for instrumentations that set no http.route.
	bySpanName
)

// traceQL writes the TraceQL for q: the route's server spans of the service,
// at least q.MinDuration long, only failed ones when q.ErrorsOnly, e.g.
//
//	{ resource.service.name = "shop" && span.http.route = "/api/checkout" && kind = server && duration >= 500ms }
//
// It is the only place TraceQL is written. Label values are quoted with
// quoteTraceQL, so no value can change the query's structure.
func traceQL(q trace.Query, match routeMatch) string {
	var conds []string
	if q.Service != "" {
		conds = append(conds, "resource.service.name = "+quoteTraceQL(q.Service))
	}
	if q.Route != "" {
		switch match {
		case byHTTPRoute:
			conds = append(conds, "span.http.route = "+quoteTraceQL(q.Route))
		case bySpanName:
			// Tempo anchors regular expressions; the explicit anchors keep
			// the meaning should that ever change.
			re := "^(?:[A-Z]+ )?" + regexp.QuoteMeta(q.Route) + "$"
			conds = append(conds, "name =~ "+quoteTraceQL(re))
		}
	}
	conds = append(conds, "kind = server")
	if q.ErrorsOnly {
		conds = append(conds, "status = error")
	}
	if q.MinDuration > 0 {
		conds = append(conds, "duration >= "+durationTraceQL(q.MinDuration))
	}
	return "{ " + strings.Join(conds, " && ") + " }"
}

// quoteTraceQL writes s as a TraceQL string literal. Tempo's lexer reads
// string literals with Go's text/scanner and strconv.Unquote, so Go quoting
// (which escapes quotes, backslashes, newlines and every non-printable or
// invalid byte) round-trips exactly.
func quoteTraceQL(s string) string { return strconv.Quote(s) }

// durationTraceQL writes d as a TraceQL duration in whole units, the
// largest of ms, us and ns that is exact (Tempo parses these with
// Prometheus' or Go's duration parser; both accept them).
func durationTraceQL(d time.Duration) string {
	switch {
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	case d%time.Microsecond == 0:
		return strconv.FormatInt(int64(d/time.Microsecond), 10) + "us"
	}
	return strconv.FormatInt(int64(d), 10) + "ns"
}

package prometheus

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// promTokens splits PromQL into its structure (everything outside string
// literals) and its double-quoted literals, read back with Go's unquoting
// as PromQL's lexer reads them. A literal that does not close is fatal.
func promTokens(t *testing.T, query string) (structure string, literals []string) {
	var b strings.Builder
	for rest := query; rest != ""; {
		i := strings.IndexByte(rest, '"')
		if i < 0 {
			b.WriteString(rest)
			break
		}
		b.WriteString(rest[:i])
		b.WriteString(`""`)
		lit, err := strconv.QuotedPrefix(rest[i:])
		if err != nil {
			t.Fatalf("unterminated literal in %q: %v", query, err)
		}
		v, _ := strconv.Unquote(lit)
		literals = append(literals, v)
		rest = rest[i+len(lit):]
	}
	return b.String(), literals
}

// fuzzConvention is a classic convention with every label set, so every
// matcher kind appears in its queries.
var fuzzConvention = Convention{
	ID: ConventionClassic, Title: "classic", Requests: "http_requests_total",
	Latency: "http_request_duration_seconds_bucket", LatencyScale: 1,
	ServiceLabel: "job", RouteLabel: "handler", MethodLabel: "method",
	Errors: re("code", "5.."), Fixed: []matcher{notEq("env", "test")},
}

// fuzzRouteQueries are the RED queries of one route of one service.
func fuzzRouteQueries(service, route string) []string {
	c := fuzzConvention
	ms := append(c.serviceMatchers(service), eq(c.RouteLabel, route))
	return []string{
		c.requestCount("rate", ms, c.routeLabels(), 5*time.Minute),
		c.errorRatio(ms, c.routeLabels(), time.Hour),
		c.quantile(0.99, ms, c.routeLabels(), 5*time.Minute),
		c.exemplarSelector(ms),
	}
}

// FuzzPromQL checks that no service or route value can change a query's
// meaning: outside string literals every query reads exactly as with
// harmless values, its literals are exactly the values where the harmless
// ones were, and an alternation of values (anyOf) matches exactly them.
func FuzzPromQL(f *testing.F) {
	for _, seed := range [][2]string{
		{"shop", "/api/checkout"}, {`a"b`, `c\d`}, {"new\nline", "} or vector(1) #"},
		{`"}`, `\"`}, {"\xff\xfe", "ünïcødé ✓ \u202e"}, {"`raw`", "'single'"}, {"a|b", ".*"},
	} {
		f.Add(seed[0], seed[1])
	}
	const placeholderService, placeholderRoute = "SERVICE", "ROUTE"
	base := fuzzRouteQueries(placeholderService, placeholderRoute)
	f.Fuzz(func(t *testing.T, service, route string) {
		for i, q := range fuzzRouteQueries(service, route) {
			wantStructure, wantLiterals := promTokens(t, base[i])
			structure, literals := promTokens(t, q)
			if structure != wantStructure {
				t.Fatalf("values %q, %q changed the query's structure:\n%s\nwant the shape of\n%s", service, route, q, base[i])
			}
			for j, lit := range wantLiterals {
				want, isValue := map[string]string{placeholderService: service, placeholderRoute: route}[lit]
				if !isValue {
					want = lit
				}
				if literals[j] != want {
					t.Fatalf("literal %d of %s reads %q, want %q", j, q, literals[j], want)
				}
			}
		}
		if utf8.ValidString(service) && utf8.ValidString(route) { // Prometheus label values are UTF-8
			checkAnyOf(t, service, route)
		}
	})
}

// checkAnyOf asserts that anyOf's regex, anchored as Prometheus anchors
// matchers, matches a and b and none of a few near misses.
func checkAnyOf(t *testing.T, a, b string) {
	t.Helper()
	m := anyOf("x", []string{a, b})
	_, lits := promTokens(t, m.String())
	if len(lits) != 1 || lits[0] != m.Value {
		t.Fatalf("matcher %s does not carry its regex %q", m, m.Value)
	}
	rx, err := regexp.Compile("^(?:" + m.Value + ")$")
	if err != nil {
		t.Fatalf("regex %q for %q, %q does not compile: %v", m.Value, a, b, err)
	}
	for _, v := range []string{a, b} {
		if !rx.MatchString(v) {
			t.Errorf("regex %q does not match %q", m.Value, v)
		}
	}
	for _, other := range []string{a + b, a + "|" + b, a + "x", "x" + b, "\n"} {
		if other != a && other != b && rx.MatchString(other) {
			t.Errorf("regex %q matches %q, neither %q nor %q", m.Value, other, a, b)
		}
	}
}

package prometheus

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"
)

// parseSelector is a tiny PromQL selector reader: metric{l op "v", …} or
// {"metric", "l" op "v", …} (UTF-8 names), with
// string literals read by PromQL's rules (Go unquoting). It is the checker
// FuzzSelector uses to prove quoting keeps values intact.
func parseSelector(s string) (metric string, ms []matcher, err error) {
	i := strings.IndexByte(s, '{')
	if i < 0 {
		return s, nil, nil
	}
	metric, rest := s[:i], s[i+1:]
	for {
		if strings.HasPrefix(rest, "}") {
			if rest != "}" {
				return "", nil, fmt.Errorf("trailing %q", rest[1:])
			}
			return metric, ms, nil
		}
		var m matcher
		if strings.HasPrefix(rest, `"`) { // a quoted metric name or label name
			lit, n, err := readLiteral(rest)
			if err != nil {
				return "", nil, err
			}
			if rest = rest[n:]; strings.HasPrefix(rest, ",") || strings.HasPrefix(rest, "}") {
				if metric != "" || len(ms) > 0 {
					return "", nil, fmt.Errorf("metric name %q not first", lit)
				}
				metric, rest = lit, strings.TrimPrefix(rest, ",")
				continue
			}
			m.Label = lit
		} else {
			j := strings.IndexAny(rest, "=!")
			if j <= 0 {
				return "", nil, fmt.Errorf("no operator in %q", rest)
			}
			m.Label, rest = rest[:j], rest[j:]
		}
		for _, op := range []string{"=~", "!~", "!=", "="} {
			if strings.HasPrefix(rest, op) {
				m.Op, rest = op, rest[len(op):]
				break
			}
		}
		lit, n, err := readLiteral(rest)
		if err != nil {
			return "", nil, err
		}
		m.Value, rest = lit, strings.TrimPrefix(rest[n:], ",")
		ms = append(ms, m)
	}
}

// readLiteral reads one double-quoted literal at the start of s.
func readLiteral(s string) (string, int, error) {
	if !strings.HasPrefix(s, `"`) {
		return "", 0, fmt.Errorf("no literal at %q", s)
	}
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '\n':
			return "", 0, fmt.Errorf("raw newline inside a literal")
		case '"':
			v, err := strconv.Unquote(s[:i+1])
			return v, i + 1, err
		}
	}
	return "", 0, fmt.Errorf("unterminated literal %q", s)
}

// skeleton blanks every string literal, leaving the query's structure.
func skeleton(q string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(q); i++ {
		if q[i] != '"' {
			b.WriteByte(q[i])
			continue
		}
		_, n, err := readLiteral(q[i:])
		if err != nil {
			return "", err
		}
		b.WriteString(`""`)
		i += n - 1
	}
	return b.String(), nil
}

func TestQuoteHostileValues(t *testing.T) {
	tests := map[string]string{
		`shop`:              `"shop"`,
		`a"b`:               `"a\"b"`,
		`back\slash`:        `"back\\slash"`,
		"new\nline":         `"new\nline"`,
		`"} or vector(1) #`: `"\"} or vector(1) #"`,
		"\xff":              `"\xff"`,
	}
	for in, want := range tests {
		if got := quote(in); got != want {
			t.Errorf("quote(%q) = %s, want %s", in, got, want)
		}
	}
	got := selector("m", eq("job", `x"}`), re("route", "/a|/b"))
	if want := `m{job="x\"}",route=~"/a|/b"}`; got != want {
		t.Errorf("selector = %s, want %s", got, want)
	}
}

func TestSelectorQuotesUTF8Names(t *testing.T) {
	tests := []struct{ got, want string }{
		{selector("http.server.request.duration_seconds_count", eq("http.route", "/a"), eq("job", "shop")),
			`{"http.server.request.duration_seconds_count","http.route"="/a",job="shop"}`},
		{selector("up", eq(`a"b`, "x")), `up{"a\"b"="x"}`},
		{selector("http.server.request.duration"), `{"http.server.request.duration"}`},
		{byClause("le", "span.name", "http_route"), `by (le, "span.name", http_route)`},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("got %s, want %s", tt.got, tt.want)
		}
	}
	if metric, ms, err := parseSelector(tests[0].got); err != nil || metric != "http.server.request.duration_seconds_count" || len(ms) != 2 {
		t.Errorf("parseSelector(%s) = %q, %v, %v; want the metric and two matchers", tests[0].got, metric, ms, err)
	}
}

func TestAnyOfEscapesRegex(t *testing.T) {
	m := anyOf("__name__", []string{"a.b", "c+d"})
	if m.String() != `__name__=~"a\\.b|c\\+d"` {
		t.Errorf("anyOf = %s", m)
	}
}

func TestPromDuration(t *testing.T) {
	tests := map[time.Duration]string{
		5 * time.Minute: "5m", time.Hour + 4*time.Minute: "1h4m", 30 * 24 * time.Hour: "30d",
		72 * time.Hour: "3d", 90 * time.Second: "1m30s", 0: "1s",
	}
	for d, want := range tests {
		if got := promDuration(d); got != want {
			t.Errorf("promDuration(%s) = %s, want %s", d, got, want)
		}
	}
}

// FuzzSelector proves quoting never changes a query's meaning: every value
// and UTF-8 name reads back exactly, and every template keeps the same
// structure whatever the service and route values are.
func FuzzSelector(f *testing.F) {
	for _, seed := range []string{"shop", `a"b`, `\`, "\n", `"}`, `"} or up{a="`, "\xff\xfe", "é\u202e", "`"} {
		f.Add(seed, seed)
	}
	otel := Convention{
		Requests: "http_server_request_duration_seconds_count", Latency: "http_server_request_duration_seconds_bucket",
		ServiceLabel: "job", RouteLabel: "http_route", MethodLabel: "http_request_method", Errors: re("code", "5.."),
		Fixed: []matcher{eq("span_kind", "SPAN_KIND_SERVER")},
	}
	base := templates(otel, "svc", "route")
	f.Fuzz(func(t *testing.T, service, route string) {
		metric, ms, err := parseSelector(selector("m", eq("job", service), re("route", route)))
		if err != nil {
			t.Fatalf("selector for %q, %q does not parse: %v", service, route, err)
		}
		if metric != "m" || len(ms) != 2 || ms[0].Value != service || ms[1].Value != route {
			t.Fatalf("read back %q %+v, want job=%q route=~%q", metric, ms, service, route)
		}
		// A UTF-8 metric and label name (service as a label name) read back
		// exactly too.
		if validLabel(service) {
			metric, ms, err := parseSelector(selector("http.server.duration", eq(service, route)))
			if err != nil || metric != "http.server.duration" || len(ms) != 1 || ms[0].Label != service || ms[0].Value != route {
				t.Fatalf("UTF-8 names: read back %q %+v (%v), want %q=%q", metric, ms, err, service, route)
			}
		}
		for i, q := range templates(otel, service, route) {
			got, err := skeleton(q)
			if err != nil {
				t.Fatalf("query %q: %v", q, err)
			}
			if want, _ := skeleton(base[i]); got != want {
				t.Fatalf("structure changed:\n got %s\nwant %s", got, want)
			}
		}
	})
}

// templates renders every query template with hostile values in place.
func templates(c Convention, service, route string) []string {
	ms := append(c.serviceMatchers(service), eq(c.RouteLabel, route))
	by := c.routeLabels()
	return []string{
		c.requestCount("rate", ms, by, time.Hour),
		c.errorRatio(ms, by, 5*time.Minute),
		c.quantile(0.99, ms, by, time.Hour),
		c.exemplarSelector(ms),
		eventCount(selector("http_requests_total", eq("job", service)), time.Hour),
	}
}

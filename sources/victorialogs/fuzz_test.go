package victorialogs

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzDecodeLines feeds the JSON-lines decoder arbitrary answers: it never
// panics, keeps at most the limit, and every entry it returns has a time
// and a message that came from the input.
func FuzzDecodeLines(f *testing.F) {
	f.Add([]byte(shopLines), 10)
	f.Add([]byte(shopLines), 1)
	f.Add([]byte(`{"_msg":"\u001b[31mred","_time":"2026-11-21T20:00:00Z","_stream":"{a=\"b\\\"c\",d=\"\\u00e9\"}","n":1.5,"o":{"x":[1]}}`), 5)
	f.Add([]byte(`{"_time":"2026-11-21T20:00:00Z"}{"_time":"2026-11-21T20:00:01Z"}`), 5)
	f.Add([]byte("{\"_time\":\"x\"}\n"), 5)
	f.Add([]byte("\xff\xfe"), 5)
	f.Add([]byte(`{"_stream":"{a=","_time":"2026-11-21T20:00:00Z"}`), 5)
	f.Fuzz(func(t *testing.T, body []byte, limit int) {
		limit = 1 + abs(limit)%20
		entries, err := decodeLines(strings.NewReader(string(body)), limit)
		if err != nil {
			return
		}
		if len(entries) > limit {
			t.Fatalf("%d entries past the limit %d", len(entries), limit)
		}
		for _, e := range entries {
			if e.time.IsZero() {
				t.Fatalf("entry without a time: %+v", e)
			}
			if _, ok := e.fields["_stream_id"]; ok {
				t.Fatal("_stream_id kept as a field")
			}
		}
	})
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func TestParseStream(t *testing.T) {
	got := parseStream(`{job="shop",service_name="pay\"ments",k8s.pod="a,b"}`)
	if len(got) != 3 || got["job"] != "shop" || got["service_name"] != `pay"ments` || got["k8s.pod"] != "a,b" {
		t.Errorf("parseStream = %q", got)
	}
	if got := parseStream(`{a="1",b=`); len(got) != 1 || got["a"] != "1" {
		t.Errorf("a cut stream keeps the pairs before the fault: %q", got)
	}
}

// FuzzLogsQL checks that no service value can change a query's meaning:
// every value comes back exactly from its quoted string, the query keeps its
// shape, and a multi-value stream filter's regex matches exactly the values.
func FuzzLogsQL(f *testing.F) {
	for _, seed := range [][2]string{
		{"shop", "payments"}, {`a"b`, "c`d"}, {"new\nline", `back\slash`}, {"\xff\xfe", "|.*"},
		{"} | delete", `")`}, {"", "(?i)x"}, {"\u2028", "\x00"},
	} {
		f.Add(seed[0], seed[1])
	}
	shape := func(q string) string { return quotedRE.ReplaceAllString(q, `""`) }
	base := shape(traceQuery(traceRange, serviceFilter("app", true, []string{"x", "y"}), []string{"trace_id", msgField}, tid, 10))
	baseField := shape(serviceFilter("app", false, []string{"x", "y"}))
	f.Fuzz(func(t *testing.T, a, b string) {
		q := traceQuery(traceRange, serviceFilter("app", true, []string{a, b}), []string{"trace_id", msgField}, tid, 10)
		if shape(q) != base {
			t.Fatalf("values %q, %q changed the query's shape: %s", a, b, q)
		}
		strs := quotedRE.FindAllString(q, -1)
		regex, err := strconv.Unquote(strs[1])
		if err != nil {
			t.Fatalf("unquoting %s: %v", strs[1], err)
		}
		if utf8.ValidString(a) && utf8.ValidString(b) {
			re := regexp.MustCompile("^(?:" + regex + ")$")
			if !re.MatchString(a) || !re.MatchString(b) || (a+b != a && a+b != b && re.MatchString(a+b)) {
				t.Errorf("stream regex %q does not match exactly %q and %q", regex, a, b)
			}
		}
		field := serviceFilter("app", false, []string{a, b})
		if shape(field) != baseField {
			t.Fatalf("values %q, %q changed the field filter's shape: %s", a, b, field)
		}
		vals := quotedRE.FindAllString(field, -1)
		if got, _ := strconv.Unquote(vals[1]); got != a {
			t.Errorf("value %q reads back as %q", a, got)
		}
		if got, _ := strconv.Unquote(vals[2]); got != b {
			t.Errorf("value %q reads back as %q", b, got)
		}
	})
}

// quotedRE finds Go-quoted strings as LogsQL reads them.
var quotedRE = regexp.MustCompile(`"(?:[^"\\]|\\.)*"`)

package loki

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/scanner"
	"unicode/utf8"
)

const (
	tid = "4bf92f3577b34da6a3ce929d0e0e4736"
	sid = "00f067aa0ba902b7"
)

func TestQuoteString(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"shop", `"shop"`},
		{`say "hi"`, `"say \"hi\""`},
		{`a\.b|c`, "`a\\.b|c`"},
		{"a`b\\c", "\"a`b\\\\c\""},
		{"line\nbreak", `"line\nbreak"`},
		{"back\\slash\nnewline", `"back\\slash\nnewline"`},
		{"cr\\\r", `"cr\\\r"`},
		{"\x1b[31mred", `"\x1b[31mred"`},
		{"bad\xffutf8\\", `"bad\xffutf8\\"`},
		{"", `""`},
	}
	for _, tt := range tests {
		if got := quoteString(tt.in); got != tt.want {
			t.Errorf("quoteString(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestSelectorFor(t *testing.T) {
	tests := []struct {
		label  string
		values []string
		want   string
	}{
		{"service_name", nil, `{service_name=~".+"}`},
		{"service_name", []string{"shop"}, `{service_name="shop"}`},
		{"app", []string{"shop", "payments"}, `{app=~"shop|payments"}`},
		{"job", []string{"default/shop", "a.b(c)"}, "{job=~`default/shop|a\\.b\\(c\\)`}"},
		{"app", []string{`quo"te`}, `{app="quo\"te"}`},
	}
	for _, tt := range tests {
		if got := selectorFor(tt.label, tt.values); got != tt.want {
			t.Errorf("selectorFor(%s, %q) = %s, want %s", tt.label, tt.values, got, tt.want)
		}
	}
}

func TestProbeQuery(t *testing.T) {
	sel := `{service_name="shop"}`
	tests := []struct {
		name   string
		probe  probe
		spanID string
		want   string
	}{
		{"metadata", probe{holder: inMetadata, field: "trace_id"}, "",
			`{service_name="shop"} | trace_id="` + tid + `"`},
		{"metadata with span", probe{holder: inMetadata, field: "trace_id"}, sid,
			`{service_name="shop"} | trace_id="` + tid + `" | span_id="` + sid + `"`},
		{"text", probe{holder: inText}, "",
			`{service_name="shop"} |~ "(?i)` + tid + `"`},
		{"text with span", probe{holder: inText}, sid,
			`{service_name="shop"} |~ "(?i)` + tid + `" |~ "(?i)` + sid + `"`},
		{"json usual keys", probe{holder: inJSON}, "",
			`{service_name="shop"} |~ "(?i)` + tid + `" | json | trace_id=~"(?i)^` + tid + `$" or traceId=~"(?i)^` + tid +
				`$" or traceID=~"(?i)^` + tid + `$" or traceid=~"(?i)^` + tid + `$" or trace_id_extracted=~"(?i)^` + tid + `$"`},
		{"logfmt pinned field", probe{holder: inLogfmt, field: "tid"}, "",
			`{service_name="shop"} |~ "(?i)` + tid + `" | logfmt | tid=~"(?i)^` + tid + `$" or tid_extracted=~"(?i)^` + tid + `$"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.probe.query(sel, tid, tt.spanID); got != tt.want {
				t.Errorf("query =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

// A 64-bit Jaeger trace ID is looked for by its 16 digits, which also
// occur in the 32-digit padded form, and compared whole with or without
// the padding.
func TestProbeQueryJaegerID(t *testing.T) {
	const jid = "00000000000000003ab1c2d3e4f50617"
	sel := `{service_name="shop"}`
	tests := []struct {
		probe probe
		want  string
	}{
		{probe{holder: inText}, sel + ` |~ "(?i)3ab1c2d3e4f50617"`},
		{probe{holder: inLogfmt, field: "tid"}, sel + ` |~ "(?i)3ab1c2d3e4f50617" | logfmt | tid=~"(?i)^(?:0{16})?3ab1c2d3e4f50617$" or tid_extracted=~"(?i)^(?:0{16})?3ab1c2d3e4f50617$"`},
	}
	for _, tt := range tests {
		if got := tt.probe.query(sel, jid, ""); got != tt.want {
			t.Errorf("query =\n%s\nwant\n%s", got, tt.want)
		}
	}
}

func TestParseTraceField(t *testing.T) {
	tests := []struct {
		in      string
		want    plan
		wantErr string
	}{
		{"", nil, ""},
		{"metadata", plan{{holder: inMetadata, field: "trace_id"}}, ""},
		{"json", plan{{holder: inJSON}}, ""},
		{"json:traceId", plan{{holder: inJSON, field: "traceId"}}, ""},
		{"logfmt:trace_id", plan{{holder: inLogfmt, field: "trace_id"}}, ""},
		{"text", plan{{holder: inText}}, ""},
		{"text:x", nil, "takes no field"},
		{"json:trace.id", nil, "joined with _"},
		{`json:a" or 1=1`, nil, "not a LogQL label name"},
		{"xml", nil, "not supported"},
	}
	for _, tt := range tests {
		got, err := parseTraceField(tt.in)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("parseTraceField(%q) error = %v, want it to mention %q", tt.in, err, tt.wantErr)
			}
			continue
		}
		if err != nil || len(got) != len(tt.want) || (len(got) == 1 && got[0] != tt.want[0]) {
			t.Errorf("parseTraceField(%q) = %v, %v, want %v", tt.in, got, err, tt.want)
		}
	}
}

// lexLogQL tokenises a query the way Loki's lexer does (text/scanner with
// Go string and raw string literals) and returns the unquoted strings and
// every other token.
func lexLogQL(t *testing.T, q string) (strs, others []string) {
	t.Helper()
	var s scanner.Scanner
	s.Init(strings.NewReader(q))
	s.Mode = scanner.ScanIdents | scanner.ScanStrings | scanner.ScanRawStrings | scanner.ScanInts
	s.Error = func(_ *scanner.Scanner, msg string) { t.Fatalf("lexing %q: %s", q, msg) }
	for tok := s.Scan(); tok != scanner.EOF; tok = s.Scan() {
		switch tok {
		case scanner.String, scanner.RawString:
			v, err := strconv.Unquote(s.TokenText())
			if err != nil {
				t.Fatalf("unquoting %s in %q: %v", s.TokenText(), q, err)
			}
			strs = append(strs, v)
		default:
			others = append(others, s.TokenText())
		}
	}
	return strs, others
}

// FuzzLogQL checks that no label value can change a query's meaning: the
// query lexes into the same tokens whatever the value, the value comes back
// exactly, and a multi-value selector's regex matches exactly the values.
func FuzzLogQL(f *testing.F) {
	for _, seed := range [][2]string{
		{"shop", "payments"}, {`a"b`, "c`d"}, {"new\nline", `back\slash`}, {"\xff\xfe", "|.*"},
		{"\r\\", "${x}"}, {"} | json", `"}`}, {"", "(?i)x"}, {"\u2028", "\x00"},
	} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		baseStrs, baseOthers := lexLogQL(t, probe{holder: inText}.query(selectorFor("app", []string{"x", "y"}), tid, sid))
		q := probe{holder: inText}.query(selectorFor("app", []string{a, b}), tid, sid)
		strs, others := lexLogQL(t, q)
		if strings.Join(others, " ") != strings.Join(baseOthers, " ") || len(strs) != len(baseStrs) {
			t.Fatalf("values %q, %q changed the query's structure: %s", a, b, q)
		}
		if strs[1] != "(?i)"+tid || strs[2] != "(?i)"+sid {
			t.Fatalf("filters changed: %q", strs)
		}
		if utf8.ValidString(a) && utf8.ValidString(b) { // Loki label values are UTF-8
			checkAlternation(t, strs[0], a, b)
		}

		single, _ := lexLogQL(t, selectorFor("app", []string{a}))
		if len(single) != 1 || single[0] != a {
			t.Errorf("single-value selector for %q reads back as %q", a, single)
		}
	})
}

// checkAlternation asserts that regex, anchored as Loki anchors matchers,
// matches a and b and nothing else tried.
func checkAlternation(t *testing.T, regex, a, b string) {
	t.Helper()
	re, err := regexp.Compile("^(?:" + regex + ")$")
	if err != nil {
		t.Fatalf("selector regex %q does not compile: %v", regex, err)
	}
	for _, v := range []string{a, b} {
		if !re.MatchString(v) {
			t.Errorf("selector regex %q does not match value %q", regex, v)
		}
	}
	for _, other := range []string{a + b, a + "|" + b, a + "x", "x" + b, "", "\n"} {
		if other != a && other != b && re.MatchString(other) {
			t.Errorf("selector regex %q matches %q, which is neither %q nor %q", regex, other, a, b)
		}
	}
}

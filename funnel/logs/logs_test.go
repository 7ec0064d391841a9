package logs

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const (
	tid  = "4bf92f3577b34da6a3ce929d0e0e4736"
	sid  = "00f067aa0ba902b7"
	tid2 = "0af7651916cd43dd8448eb211c80319c"
	sid2 = "b7ad6b7169203331"
)

func TestLevelString(t *testing.T) {
	tests := []struct {
		l    Level
		want string
	}{
		{LevelUnknown, "?    "},
		{LevelTrace, "TRACE"},
		{LevelDebug, "DEBUG"},
		{LevelInfo, "INFO "},
		{LevelWarn, "WARN "},
		{LevelError, "ERROR"},
		{LevelFatal, "FATAL"},
		{Level(42), "?    "},
	}
	for _, tt := range tests {
		if got := tt.l.String(); got != tt.want || len(got) != 5 {
			t.Errorf("Level(%d).String() = %q, want %q", int(tt.l), got, tt.want)
		}
	}
}

func TestLevelOf(t *testing.T) {
	tests := []struct {
		in   string
		want Level
	}{
		{"ERROR", LevelError}, {"err", LevelError}, {" Error ", LevelError},
		{"warning", LevelWarn}, {"WARN", LevelWarn},
		{"info", LevelInfo}, {"notice", LevelInfo},
		{"debug", LevelDebug}, {"trace", LevelTrace},
		{"fatal", LevelFatal}, {"PANIC", LevelFatal}, {"critical", LevelFatal},
		{"30", LevelInfo}, {"50", LevelError}, {"60", LevelFatal},
		{"unknown", LevelUnknown}, {"", LevelUnknown}, {"7", LevelUnknown},
	}
	for _, tt := range tests {
		if got := LevelOf(tt.in); got != tt.want {
			t.Errorf("LevelOf(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseLevel(t *testing.T) {
	tests := []struct {
		name     string
		body     string
		metadata map[string]string
		labels   map[string]string
		want     Level
	}{
		{"json level", `{"level":"error","msg":"payment failed"}`, nil, nil, LevelError},
		{"json lvl", `{"lvl":"warn","msg":"x"}`, nil, nil, LevelWarn},
		{"json severity", `{"severity":"DEBUG","message":"x"}`, nil, nil, LevelDebug},
		{"json severity_text", `{"severity_text":"Info"}`, nil, nil, LevelInfo},
		{"json nested log.level", `{"log":{"level":"fatal"},"message":"x"}`, nil, nil, LevelFatal},
		{"json pino number", `{"level":50,"msg":"x"}`, nil, nil, LevelError},
		{"json field beats metadata", `{"level":"info"}`, map[string]string{"detected_level": "error"}, nil, LevelInfo},
		{"json without level uses message keyword", `{"msg":"WARN disk almost full"}`, nil, nil, LevelWarn},
		{"logfmt level", `ts=2026-11-21T20:00:00Z level=warn msg="slow"`, nil, nil, LevelWarn},
		{"logfmt lvl", `lvl=dbg msg=x`, nil, nil, LevelDebug},
		{"metadata severity_text", "payment declined", map[string]string{"severity_text": "ERROR"}, nil, LevelError},
		{"metadata detected_level", "x", map[string]string{"detected_level": "warn"}, nil, LevelWarn},
		{"metadata severity_number", "x", map[string]string{"severity_number": "17"}, nil, LevelError},
		{"unknown detected_level falls through", "x", map[string]string{"detected_level": "unknown"}, map[string]string{"level": "info"}, LevelInfo},
		{"level label", "x", nil, map[string]string{"level": "error"}, LevelError},
		{"keyword bracketed", "2026-11-21 20:00:00 [ERROR] checkout failed", nil, nil, LevelError},
		{"keyword lower with colon", "warning: retrying", nil, nil, LevelWarn},
		{"keyword ERR", "E ERR connection reset", nil, nil, LevelError},
		{"keyword panic", "panic: runtime error", nil, nil, LevelFatal},
		{"keyword INFO", "20:00:00 INFO GET /api/cart 200", nil, nil, LevelInfo},
		{"keyword TRACE", "TRACE entering handler", nil, nil, LevelTrace},
		{"trace_id is not a level", "GET /api/cart trace_id=" + tid, nil, nil, LevelUnknown},
		{"plural is not a word", "errors are counted here", nil, nil, LevelUnknown},
		{"keyword too late", "a b c d e f g h i j ERROR", nil, nil, LevelUnknown},
		{"nothing", "GET /api/cart 200", nil, nil, LevelUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(Line{Body: tt.body, Metadata: tt.metadata, Labels: tt.labels})
			if got.Level != tt.want {
				t.Errorf("Level = %v, want %v", got.Level, tt.want)
			}
		})
	}
}

func TestParseFormatMessageIDs(t *testing.T) {
	tests := []struct {
		name    string
		line    Line
		format  Format
		message string
		traceID string
		spanID  string
		service string
		keepLvl Level
	}{
		{
			name:   "json checkout line",
			line:   Line{Body: `{"level":"error","msg":"charge failed","trace_id":"` + tid + `","span_id":"` + sid + `"}`},
			format: FormatJSON, message: "charge failed", traceID: tid, spanID: sid,
		},
		{
			name:   "json camelCase nested",
			line:   Line{Body: `{"message":"m","otel":{"traceId":"` + tid + `","spanId":"F067AA0BA902B7"}}`},
			format: FormatJSON, message: "m", traceID: tid, spanID: sid,
		},
		{
			name:   "json trace.id object",
			line:   Line{Body: `{"message":"m","trace":{"id":"` + tid + `"},"span":{"id":"` + sid + `"}}`},
			format: FormatJSON, message: "m", traceID: tid, spanID: sid,
		},
		{
			name:   "logfmt items line",
			line:   Line{Body: `level=error msg="item 42 \"missing\"" traceID=` + tid + ` spanID=` + sid},
			format: FormatLogfmt, message: `item 42 "missing"`, traceID: tid, spanID: sid,
		},
		{
			name:   "plain cart line",
			line:   Line{Body: `2026-11-21T20:00:00Z INFO GET /api/cart 200 trace_id=` + tid + ` span_id=` + sid},
			format: FormatPlain, message: `GET /api/cart 200 trace_id=` + tid + ` span_id=` + sid,
			traceID: tid, spanID: sid,
		},
		{
			name:   "plain with short jaeger id and colon",
			line:   Line{Body: `request done traceID: "A3CE929D0E0E4736"`},
			format: FormatPlain, message: `request done traceID: "A3CE929D0E0E4736"`,
			traceID: "0000000000000000a3ce929d0e0e4736",
		},
		{
			name:   "metadata beats body",
			line:   Line{Body: `{"msg":"x","trace_id":"` + tid2 + `"}`, Metadata: map[string]string{"trace_id": tid, "span_id": sid}},
			format: FormatJSON, message: "x", traceID: tid, spanID: sid,
		},
		{
			name:   "label used when metadata was merged into labels",
			line:   Line{Body: "x", Labels: map[string]string{"traceID": tid, "service_name": "shop"}},
			format: FormatPlain, message: "x", traceID: tid, service: "shop",
		},
		{
			name:   "invalid metadata id falls through to body",
			line:   Line{Body: "trace_id=" + tid, Metadata: map[string]string{"trace_id": "not-hex"}},
			format: FormatPlain, message: "trace_id=" + tid, traceID: tid,
		},
		{
			name:   "too long hex is no id",
			line:   Line{Body: "trace_id=" + tid + "ff"},
			format: FormatPlain, message: "trace_id=" + tid + "ff",
		},
		{
			name:   "parent span id is not the span id",
			line:   Line{Body: "parent_span_id=" + sid2},
			format: FormatPlain, message: "parent_span_id=" + sid2,
		},
		{
			name: "fields set by the source are kept",
			line: Line{Body: `{"level":"info","msg":"m"}`, Message: "given", Level: LevelWarn, Service: "svc",
				TraceID: "0x" + tid, SpanID: sid2, Labels: map[string]string{"service_name": "other"}},
			format: FormatJSON, message: "given", traceID: tid, spanID: sid2, service: "svc", keepLvl: LevelWarn,
		},
		{
			name:   "one key=value is not logfmt",
			line:   Line{Body: "user=bob logged in"},
			format: FormatPlain, message: "user=bob logged in",
		},
		{
			name:   "json array is not an object",
			line:   Line{Body: `["a","b"]`},
			format: FormatPlain, message: `["a","b"]`,
		},
		{
			name:   "broken json is plain",
			line:   Line{Body: `{"msg":"x"`},
			format: FormatPlain, message: `{"msg":"x"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Parse(tt.line)
			if got.Format != tt.format || got.Message != tt.message || got.TraceID != tt.traceID || got.SpanID != tt.spanID || got.Service != tt.service {
				t.Errorf("Parse = format %v message %q trace %q span %q service %q;\nwant format %v message %q trace %q span %q service %q",
					got.Format, got.Message, got.TraceID, got.SpanID, got.Service, tt.format, tt.message, tt.traceID, tt.spanID, tt.service)
			}
			if tt.keepLvl != LevelUnknown && got.Level != tt.keepLvl {
				t.Errorf("Level = %v, want the source's %v", got.Level, tt.keepLvl)
			}
		})
	}
}

func TestFields(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []Field
	}{
		{
			name: "json flattened and sorted",
			body: `{"msg":"m","http":{"route":"/api/checkout","status":500},"ok":false,"tags":["a",1],"none":null,"empty":{},"ratio":0.5e1}`,
			want: []Field{
				{"empty", "{}"}, {"http.route", "/api/checkout"}, {"http.status", "500"}, {"msg", "m"},
				{"none", "null"}, {"ok", "false"}, {"ratio", "0.5e1"}, {"tags", `["a",1]`},
			},
		},
		{
			name: "logfmt with quotes, escapes, bare keys, repeats",
			body: `b=2 a="x y" esc="say \"hi\"\n" bare c= a=last`,
			want: []Field{{"a", "last"}, {"b", "2"}, {"bare", ""}, {"c", ""}, {"esc", "say \"hi\"␊"}},
		},
		{
			name: "logfmt unterminated quote keeps the rest",
			body: `level=info msg="never closed`,
			want: []Field{{"level", "info"}, {"msg", "never closed"}},
		},
		{
			name: "escaped controls decode into cleaned text",
			body: `{"msg":"\u001b]52;c;cm0=\u0007pwned","k\u202e":"v"}`,
			want: []Field{{"k", "v"}, {"msg", "␛pwned"}},
		},
		{name: "plain", body: "GET /api/cart 200", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Fields(Line{Body: tt.body}); !slices.Equal(got, tt.want) {
				t.Errorf("Fields = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMatchTrace(t *testing.T) {
	lines := []Line{
		{Body: "1", TraceID: tid, SpanID: sid},
		{Body: "2", TraceID: tid2, SpanID: sid},
		{Body: "3", TraceID: tid, SpanID: sid2},
		{Body: "4", TraceID: tid},
		{Body: "5"},
	}
	tests := []struct {
		name            string
		traceID, spanID string
		want            []string
	}{
		{"whole trace", tid, "", []string{"1", "3", "4"}},
		{"one span", tid, sid, []string{"1"}},
		{"ids normalised", "0x" + "4BF92F3577B34DA6A3CE929D0E0E4736", "F067AA0BA902B7", []string{"1"}},
		{"other trace", tid2, "", []string{"2"}},
		{"invalid trace id", "zzz", "", nil},
		{"empty trace id", "", "", nil},
		{"invalid span id", tid, "nope", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, l := range MatchTrace(lines, tt.traceID, tt.spanID) {
				got = append(got, l.Body)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("MatchTrace = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSortByTime(t *testing.T) {
	t0 := time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	lines := []Line{
		{Body: "c", Time: t0.Add(2 * time.Second)},
		{Body: "a1", Time: t0},
		{Body: "b", Time: t0.Add(time.Second)},
		{Body: "a2", Time: t0},
		{Body: "a3", Time: t0.In(time.FixedZone("X", 3600))}, // same instant, other zone
	}
	SortByTime(lines)
	var got []string
	for _, l := range lines {
		got = append(got, l.Body)
	}
	if want := []string{"a1", "a2", "a3", "b", "c"}; !slices.Equal(got, want) {
		t.Errorf("order = %v, want %v", got, want)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"level":"error","msg":"x","trace_id":"` + tid + `"}`,
		`level=warn msg="a \"b\"" traceID=` + tid,
		"plain INFO trace_id=" + tid + " span_id=" + sid,
		`{"a":{"b":{"c":[1,{"d":null}]}}}`,
		`k="\`, `="x" =`, "\x00\xff{",
	} {
		f.Add(s, "detected_level", "warn")
	}
	f.Fuzz(func(t *testing.T, body, key, value string) {
		l := Parse(Line{Body: body, Metadata: map[string]string{key: value}, Labels: map[string]string{key: value}})
		if l.TraceID != "" && len(l.TraceID) != 32 || l.SpanID != "" && len(l.SpanID) != 16 {
			t.Fatalf("bad ids %q %q", l.TraceID, l.SpanID)
		}
		if l.Level < LevelUnknown || l.Level > LevelFatal || len(l.Level.String()) != 5 {
			t.Fatalf("bad level %d", l.Level)
		}
		fields := Fields(l)
		if l.Format == FormatPlain && fields != nil {
			t.Fatalf("plain line has fields %v", fields)
		}
		if !slices.IsSortedFunc(fields, func(a, b Field) int { return strings.Compare(a.Key, b.Key) }) {
			t.Fatalf("fields not sorted: %v", fields)
		}
	})
}

func TestPlainMessageDropsTimestampAndLevel(t *testing.T) {
	tests := []struct{ body, want string }{
		{"2026-11-21T21:01:16.841Z DEBUG [frontend] request received", "[frontend] request received"},
		{"21:01:16.841 [WARN] slow query", "slow query"},
		{"2026/11/21 21:01:16 ERROR: boom", "boom"},
		{"ERROR", "ERROR"},
		{"request received in 30 ms", "request received in 30 ms"},
		{"2026-11-21 30 items", "2026-11-21 30 items"},
	}
	for _, tt := range tests {
		if got := Parse(Line{Body: tt.body}).Message; got != tt.want {
			t.Errorf("Parse(%q).Message = %q, want %q", tt.body, got, tt.want)
		}
	}
}

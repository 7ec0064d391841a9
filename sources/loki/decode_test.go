package loki

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/sources/internal/httpx"
)

// Taken from Loki's docs (loki-http-api.md, query_range streams example).
const docsStreams = `{"status":"success","data":{"resultType":"streams","result":[
  {"stream":{"filename":"/var/log/myproject.log","job":"varlogs","level":"info"},
   "values":[["1569266497240578000","foo"],["1569266492548155000","bar"]]}],
  "stats":{"summary":{"bytesProcessedPerSecond":0,"linesProcessedPerSecond":0,"totalBytesProcessed":0,"totalLinesProcessed":0,"execTime":0}}}}`

// Shaped as pkg/util/marshal/marshal_test.go's categorize-labels case.
const marshalCategorized = `{"status":"success","warnings":["this is a warning"],"data":{"resultType":"streams","encodingFlags":["categorize-labels"],
 "result":[{"stream":{"test":"test"},"values":[
   ["123456789012345","super line",{}],
   ["123456789012346","super line with labels",{"structuredMetadata":{"foo":"a","bar":"b"}}],
   ["123456789012347","super line with labels msg=text",{"structuredMetadata":{"foo":"a","bar":"b"},"parsed":{"msg":"text"}}]]}],
 "stats":{"summary":{"execTime":0}}}}`

func TestDecodeStreams(t *testing.T) {
	type want struct {
		ns       int64
		body     string
		labels   map[string]string
		metadata map[string]string
	}
	tests := []struct {
		name        string
		body        string
		categorized bool
		warnings    []string
		want        []want
	}{
		{"docs 2-element values keep stream labels as both", docsStreams, false, nil, []want{
			{1569266497240578000, "foo", map[string]string{"filename": "/var/log/myproject.log", "job": "varlogs", "level": "info"},
				map[string]string{"filename": "/var/log/myproject.log", "job": "varlogs", "level": "info"}},
			{1569266492548155000, "bar", map[string]string{"filename": "/var/log/myproject.log", "job": "varlogs", "level": "info"},
				map[string]string{"filename": "/var/log/myproject.log", "job": "varlogs", "level": "info"}},
		}},
		{"categorize-labels 3-element values", marshalCategorized, true, []string{"this is a warning"}, []want{
			{123456789012345, "super line", map[string]string{"test": "test"}, nil},
			{123456789012346, "super line with labels", map[string]string{"test": "test"}, map[string]string{"foo": "a", "bar": "b"}},
			{123456789012347, "super line with labels msg=text", map[string]string{"test": "test"},
				map[string]string{"foo": "a", "bar": "b", "msg": "text"}},
		}},
		{"parsed only", `{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],
			"result":[{"stream":{"app":"x"},"values":[["1700000000000000000","l",{"parsed":{"trace_id_extracted":"ab"}}]]}]}}`,
			true, nil, []want{{1700000000000000000, "l", map[string]string{"app": "x"}, map[string]string{"trace_id_extracted": "ab"}}}},
		{"no streams", `{"status":"success","data":{"resultType":"streams","result":[]}}`, false, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dec, err := decodeStreams(strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if dec.categorized != tt.categorized || fmt.Sprint(dec.warnings) != fmt.Sprint(tt.warnings) {
				t.Errorf("categorized %v warnings %q, want %v %q", dec.categorized, dec.warnings, tt.categorized, tt.warnings)
			}
			if len(dec.lines) != len(tt.want) {
				t.Fatalf("%d lines, want %d", len(dec.lines), len(tt.want))
			}
			for i, w := range tt.want {
				l := dec.lines[i].line
				if l.Time.UnixNano() != w.ns || l.Body != w.body || !maps.Equal(l.Labels, w.labels) || !maps.Equal(l.Metadata, w.metadata) {
					t.Errorf("line %d = %d %q %v %v, want %d %q %v %v", i, l.Time.UnixNano(), l.Body, l.Labels, l.Metadata, w.ns, w.body, w.labels, w.metadata)
				}
				if l.Time.Location() != time.UTC {
					t.Errorf("line %d time not UTC: %v", i, l.Time)
				}
			}
		})
	}
}

func TestDecodeStreamsRejects(t *testing.T) {
	tests := []struct {
		name, body, want string
	}{
		{"not JSON", `<html>bad gateway</html>`, "malformed"},
		{"truncated", marshalCategorized[:120], "malformed"},
		{"error status", `{"status":"error","data":{}}`, `status "error"`},
		{"matrix", `{"status":"success","data":{"resultType":"matrix","result":[]}}`, "want streams"},
		{"seconds float timestamp", `{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["1.5","x"]]}]}}`, "malformed timestamp"},
		{"number timestamp", `{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[[1,"x"]]}]}}`, "malformed"},
		{"one element", `{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["1"]]}]}}`, "want [timestamp, line]"},
		{"values not array", `{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[{"a":1}]}]}}`, "malformed"},
		{"null timestamp", `{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[[null,"x"]]}]}}`, "malformed timestamp"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeStreams(strings.NewReader(tt.body))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "loki: ") {
				t.Errorf("error = %v, want a loki error mentioning %q", err, tt.want)
			}
		})
	}
}

// Hostile bodies are kept byte for byte (the UI sanitises them), and never
// break decoding of the lines around them.
func TestDecodeKeepsHostileLinesRaw(t *testing.T) {
	hostile := []string{
		"\x1b]52;c;ZWNobyBwd25lZA==\x07 clipboard",
		"\x1b[2J\x1b[H cleared screen",
		"bidi \u202e evil",
		"nul \x00 byte",
		"invalid \xff\xfe utf8",
		`{"msg":"nested \"quotes\" and \\ backslashes"}`,
		"multi\nline\r\nbody",
		strings.Repeat("x", 64<<10),
	}
	body := streamsJSON(true, nil, fixtureStream{labels: map[string]string{"app": "a"}, entries: entriesOf(hostile...)})
	dec, err := decodeStreams(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if len(dec.lines) != len(hostile) {
		t.Fatalf("%d lines, want %d", len(dec.lines), len(hostile))
	}
	for i, h := range hostile {
		want := strings.ReplaceAll(h, "\xff\xfe", "\uFFFD\uFFFD") // JSON carries text: invalid bytes arrive replaced
		if got := dec.lines[i].line.Body; got != want {
			t.Errorf("line %d = %q, want %q", i, httpx.Shorten(got, 60), httpx.Shorten(want, 60))
		}
	}
}

func TestStreamKeyIsCanonical(t *testing.T) {
	a := streamKey(map[string]string{"b": "2", "a": "1"})
	b := streamKey(map[string]string{"a": "1", "b": "2"})
	c := streamKey(map[string]string{"a": "1,b=2"})
	if a != b || a == c {
		t.Errorf("keys %q %q %q: want the first two equal and the third different", a, b, c)
	}
}

func BenchmarkDecode5000(b *testing.B) {
	const perStream = 1250
	var streams []fixtureStream
	for s := range 4 {
		var es []fixtureEntry
		for i := range perStream {
			es = append(es, fixtureEntry{
				ns:   base.Add(time.Duration(i*4+s) * time.Millisecond).UnixNano(),
				body: fmt.Sprintf(`{"level":"info","msg":"handled request %d","trace_id":"%s","span_id":"%s","duration_ms":%d}`, i, tid, sid, i%97),
				sm:   map[string]string{"trace_id": tid, "span_id": sid, "severity_text": "INFO"},
			})
		}
		streams = append(streams, fixtureStream{labels: map[string]string{"service_name": "shop", "level": "info", "instance": fmt.Sprint(s)}, entries: es})
	}
	body := streamsJSON(true, nil, streams...)
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		dec, err := decodeStreams(bytes.NewReader(body))
		if err != nil || len(dec.lines) != 5000 {
			b.Fatalf("%d lines, %v", len(dec.lines), err)
		}
	}
}

// FuzzEntry checks the hand-split fast path against encoding/json on every
// valid value array.
func FuzzEntry(f *testing.F) {
	for _, seed := range []string{
		`["1","a"]`, ` [ "1" , "a\"b" , {} ] `, `["1","x",{"structuredMetadata":{"k":"v}"},"parsed":{"a":"[{"}}]`,
		`["1","x",{"structuredMetadata":{"k":"v"}},4]`, `["\u0031","x"]`, `["1",2]`, `[1,"x"]`, `["1"]`, `{}`,
		`["1","x",{"parsed":{"a":"b"}} ]`, `["99999999999999999999","x"]`, `["1","\\"]`, `["1","x",null]`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if !json.Valid(b) {
			return
		}
		var fast, slow entry
		errFast, errSlow := fast.UnmarshalJSON(b), slow.unmarshalSlow(b)
		if (errFast == nil) != (errSlow == nil) {
			t.Fatalf("%s: fast error %v, slow error %v", b, errFast, errSlow)
		}
		if errFast == nil && (fast.ns != slow.ns || fast.line != slow.line ||
			!maps.Equal(fast.category.StructuredMetadata, slow.category.StructuredMetadata) ||
			!maps.Equal(fast.category.Parsed, slow.category.Parsed)) {
			t.Fatalf("%s: fast %+v, slow %+v", b, fast, slow)
		}
	})
}

package tempo

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/internal/otlp"
)

// addFixtures seeds f with every recorded answer in testdata matching glob.
func addFixtures(f *testing.F, glob string) {
	paths, err := filepath.Glob(filepath.Join("testdata", glob))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no fixtures match %s: %v", glob, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzDecodeSearch feeds arbitrary /api/search answers through decoding
// and summarising: nothing panics, and every summary kept has a normalised
// trace ID and is never shorter than its own matched span.
func FuzzDecodeSearch(f *testing.F) {
	addFixtures(f, "search_*.json")
	f.Add([]byte(`{"traces":[{"traceID":"00ff","durationMs":4294967295,"spanSets":[{"spans":[{"spanID":"zz","durationNanos":"18446744073709551615"}],"matched":-1}]}]}`))
	f.Add([]byte(`{"traces":[{"traceID":"","spanSet":{"spans":null}},{"traceID":"1","serviceStats":{"":{"spanCount":-5}}}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var resp searchResponse
		if json.Unmarshal(body, &resp) != nil {
			return
		}
		for _, errorsOnly := range []bool{false, true} {
			summaries, _ := summarise(resp.Traces, errorsOnly, nil)
			for _, s := range summaries {
				if trace.NormalizeTraceID(s.TraceID) != s.TraceID || s.TraceID == "" {
					t.Fatalf("summary trace ID %q is not normalised", s.TraceID)
				}
				if s.Duration < s.MatchedDuration {
					t.Fatalf("trace %s lasts %s, shorter than its matched span (%s)", s.TraceID, s.Duration, s.MatchedDuration)
				}
			}
			trace.SortSlowestFirst(summaries)
		}
	})
}

// FuzzDecodeTrace feeds arbitrary trace-by-ID answers (JSON of both API
// versions, v2 and v1 protobuf) through decoding, span conversion and the
// tree builder: nothing panics, every span kept has normalised IDs and
// finds its place in the tree.
func FuzzDecodeTrace(f *testing.F) {
	addFixtures(f, "*trace*.json")
	f.Add(protobufBody(f, bigTrace(3), false, ""))
	f.Add(protobufBody(f, bigTrace(2), true, "trace exceeds max size"))
	f.Add([]byte(`{"batches":[{"scopeSpans":[{"spans":[{"traceId":"AAAA","spanId":"AQ==","parentSpanId":"AQ==","startTimeUnixNano":"9","endTimeUnixNano":"1"}]}]}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, v1 := range []bool{false, true} {
			d, err := decodeTrace(body, v1)
			if err != nil {
				continue
			}
			spans, _ := otlp.Spans(d.resourceSpans)
			for _, s := range spans {
				if s.SpanID == "" || trace.NormalizeSpanID(s.SpanID) != s.SpanID || trace.NormalizeTraceID(s.TraceID) != s.TraceID {
					t.Fatalf("span IDs not normalised: trace %q span %q", s.TraceID, s.SpanID)
				}
			}
			if tree := trace.Build(&trace.Trace{ID: "1", Spans: spans}); len(tree.Nodes) != len(spans) {
				t.Fatalf("tree holds %d of %d spans", len(tree.Nodes), len(spans))
			}
		}
	})
}

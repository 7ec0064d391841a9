package jaeger

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/internal/otlp"
)

// FuzzDecodeAPIv3 feeds arbitrary /api/v3/traces answers through decoding,
// span conversion, summarising and the tree builder: nothing panics, every
// span kept has normalised IDs, each trace is summarised once with all its
// spans, and a matched span belongs to its trace.
func FuzzDecodeAPIv3(f *testing.F) {
	paths, _ := filepath.Glob(filepath.Join("testdata", "apiv3_*.json"))
	if len(paths) == 0 {
		f.Fatal("no /api/v3 fixtures in testdata")
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"result":{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"0","spanId":"1","parentSpanId":"1","kind":2,"startTimeUnixNano":"18446744073709551615","endTimeUnixNano":"0"}]}]}]}}`))
	f.Add([]byte(`{"result":{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"intValue":"7"}}]},"scopeSpans":[{"spans":[{"traceId":"ZZ","spanId":""}]}]}]}}`))
	match := routeSpanMatcher("shop", "/api/checkout", "")
	f.Fuzz(func(t *testing.T, body []byte) {
		var ans tracesAnswer
		if json.Unmarshal(body, &ans) != nil {
			return
		}
		spans, _ := otlp.Spans(ans.Result.ResourceSpans)
		perTrace := map[string]int{}
		for _, s := range spans {
			if s.SpanID == "" || trace.NormalizeSpanID(s.SpanID) != s.SpanID || trace.NormalizeTraceID(s.TraceID) != s.TraceID {
				t.Fatalf("span IDs not normalised: trace %q span %q", s.TraceID, s.SpanID)
			}
			perTrace[s.TraceID]++
		}
		summaries := summarise(spans, match)
		if len(summaries) != len(perTrace) {
			t.Fatalf("%d summaries for %d traces", len(summaries), len(perTrace))
		}
		for _, s := range summaries {
			if s.SpanCount != perTrace[s.TraceID] {
				t.Fatalf("trace %s summarised with %d of its %d spans", s.TraceID, s.SpanCount, perTrace[s.TraceID])
			}
			if s.MatchedSpanID != "" && !holds(spans, s.TraceID, s.MatchedSpanID) {
				t.Fatalf("trace %s matched span %s of another trace", s.TraceID, s.MatchedSpanID)
			}
		}
		if tree := trace.Build(&trace.Trace{ID: "1", Spans: spans}); len(tree.Nodes) != len(spans) {
			t.Fatalf("tree holds %d of %d spans", len(tree.Nodes), len(spans))
		}
	})
}

func holds(spans []trace.Span, traceID, spanID string) bool {
	for _, s := range spans {
		if s.TraceID == traceID && s.SpanID == spanID {
			return true
		}
	}
	return false
}

package jaeger

import (
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel/trace"
)

// A search result's traces are judged together: the trace where the call to
// 10.0.0.7:8080 was answered by customer shows that a trace whose call to
// the same address has no span of customer is partial.
func TestSummariseMarksPartialTraces(t *testing.T) {
	t0 := time.Date(2026, 12, 4, 5, 0, 0, 0, time.UTC)
	span := func(traceID, id, parent, service string, kind trace.Kind, start, dur time.Duration, attrs ...trace.Attr) trace.Span {
		return trace.Span{TraceID: traceID, SpanID: id, ParentID: parent, Service: service, Kind: kind, Name: "GET /dispatch",
			Start: t0.Add(start), Duration: dur, Attributes: attrs}
	}
	addr := []trace.Attr{{Key: "server.address", Value: "10.0.0.7"}, {Key: "server.port", Value: "8080"}}
	spans := []trace.Span{
		span("t1", "a1", "", "frontend", trace.KindServer, 0, 2*time.Second),
		span("t2", "a2", "", "frontend", trace.KindServer, 0, 30*time.Second),
		span("t1", "b1", "a1", "frontend", trace.KindClient, time.Millisecond, 1900*time.Millisecond, addr...),
		span("t2", "b2", "a2", "frontend", trace.KindClient, time.Millisecond, 30*time.Second-time.Millisecond, addr...),
		span("t1", "c1", "b1", "customer", trace.KindServer, 2*time.Millisecond, 1800*time.Millisecond),
	}
	got := summarise(spans, func(s *trace.Span) bool { return s.Kind == trace.KindServer && s.Service == "frontend" })
	if len(got) != 2 {
		t.Fatalf("%d summaries", len(got))
	}
	if got[0].Completeness.Partial() {
		t.Errorf("answered trace is partial: %+v", got[0].Completeness)
	}
	if c := got[1].Completeness; c.Unreported != 1 || len(c.Callees) != 1 || c.Callees[0] != "customer" || !c.EndsAtCall {
		t.Errorf("cut trace: %+v, want customer's call unreported at the end", c)
	}
}

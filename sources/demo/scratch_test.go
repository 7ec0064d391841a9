package demo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel/trace"
)

func TestScratch(t *testing.T) {
	now := time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	s := New(Options{Seed: 1, Now: func() time.Time { return now }})
	res, err := s.FindTraces(context.Background(), trace.Query{Service: "checkout", Route: "POST /api/checkout"})
	if err != nil {
		t.Fatal(err)
	}
	tr, err := s.Trace(context.Background(), res.Traces[0].TraceID, res.Queries[0].Range)
	if err != nil {
		t.Fatal(err)
	}
	tree := trace.Build(tr)
	for _, i := range tree.CriticalPath {
		n := tree.Nodes[i]
		if n.Span.Service == "payments" || n.Depth < 3 {
			fmt.Println(n.Depth, n.Span.Service, n.Span.Name, n.Span.Duration, n.Span.Status, n.Span.StatusMessage, n.Span.Start.Sub(tree.Start))
		}
	}
	for _, n := range tree.Nodes {
		if n.Skewed || n.Orphan || n.Duplicate {
			fmt.Println("BAD", n.Span.Name)
		}
		if n.Span.Service == "payments" {
			fmt.Printf("%*s%s %s %v +%v %v %v\n", n.Depth*2, "", n.Span.Service, n.Span.Name, n.Span.Duration, n.Span.Start.Sub(tree.Start), n.Span.StatusMessage, len(n.Span.Events))
		}
	}
	t0 := time.Now()
	res, err = s.FindTraces(context.Background(), trace.Query{Service: "checkout", Route: "GET /api/checkout/{id}"})
	fmt.Println("find", time.Since(t0))
	for _, sum := range res.Traces {
		fmt.Println(sum.TraceID, sum.RootName, sum.Duration, sum.MatchedDuration, sum.SpanCount, sum.ErrorCount, sum.Services)
	}
	t0 = time.Now()
	tr, err = s.Trace(context.Background(), res.Traces[len(res.Traces)-1].TraceID, res.Queries[0].Range)
	fmt.Println("stress", time.Since(t0), len(tr.Spans), err)
}

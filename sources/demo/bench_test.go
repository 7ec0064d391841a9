package demo

import (
	"context"
	"testing"

	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/trace"
)

func BenchmarkSLOs(b *testing.B) {
	s := newTestSource(1)
	for b.Loop() {
		if _, err := s.SLOs(context.Background(), lastHour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRoutes(b *testing.B) {
	s := newTestSource(1)
	for b.Loop() {
		if _, err := s.Routes(context.Background(), red.Query{Service: "checkout", Range: lastHour}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFindTraces(b *testing.B) {
	s := newTestSource(1)
	q := trace.Query{Service: "checkout", Route: "POST /api/checkout", Range: lastHour}
	for b.Loop() {
		if _, err := s.FindTraces(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFindTracesWithStress(b *testing.B) {
	s := newTestSource(1)
	q := trace.Query{Service: "checkout", Route: "GET /api/checkout/{id}", Range: lastHour}
	for b.Loop() {
		if _, err := s.FindTraces(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTraceSlowestCheckout(b *testing.B) {
	s := newTestSource(1)
	id := slowestCheckoutTrace(b, s).ID
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Trace(context.Background(), id, lastHour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTraceStress100k(b *testing.B) {
	s := newTestSource(1)
	res, err := s.FindTraces(context.Background(), trace.Query{Service: "checkout", Route: "GET /api/checkout/{id}", Range: lastHour})
	if err != nil {
		b.Fatal(err)
	}
	id := res.Traces[len(res.Traces)-1].TraceID
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Trace(context.Background(), id, lastHour); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkTraceLogs(b *testing.B) {
	s := newTestSource(1)
	q := logsQuery(slowestCheckoutTrace(b, s).ID)
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.TraceLogs(context.Background(), q); err != nil {
			b.Fatal(err)
		}
	}
}

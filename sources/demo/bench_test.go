package demo

import (
	"context"
	"testing"

	"github.com/redline-tui/redline/funnel"
)

func BenchmarkSLOs(b *testing.B) {
	s := newTestSource(1)
	for b.Loop() {
		if _, err := s.SLOs(context.Background(), funnel.TimeRange{}); err != nil {
			b.Fatal(err)
		}
	}
}

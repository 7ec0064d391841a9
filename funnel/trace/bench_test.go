package trace

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"
)

// realisticTrace makes a trace of n spans shaped like a busy request: a
// fan-out of 1–6 children per span down to depth 10, children either
// sequential or parallel inside their parent, a few errors and services,
// in shuffled order as backends return them. As in a decoder, each span's
// ID strings are allocated in the order the spans come.
func realisticTrace(n int, seed uint64) *Trace {
	rng := rand.New(rand.NewPCG(seed, seed))
	services := []string{"shop", "payments", "inventory", "auth", "db"}
	spans := make([]Span, 0, n)
	spans = append(spans, Span{Service: "shop", Name: "POST /api/checkout", Kind: KindServer, Start: t0, Duration: 2 * time.Second})
	ids := []int{1}
	parents := []int{0}
	depth := []int{0}
	for next := 0; len(spans) < n; next = (next + 1) % len(spans) {
		parent := spans[next]
		if depth[next] >= 10 {
			continue
		}
		fanout := 1 + rng.IntN(6)
		slot := parent.Duration / time.Duration(fanout+1)
		for k := 0; k < fanout && len(spans) < n; k++ {
			start := parent.Start.Add(slot * time.Duration(k))
			dur := slot
			if rng.IntN(2) == 0 { // parallel: overlapping, random length
				start = parent.Start.Add(time.Duration(rng.Int64N(int64(parent.Duration/4) + 1)))
				dur = time.Duration(rng.Int64N(int64(parent.Duration/2) + 1))
			}
			s := Span{Service: services[rng.IntN(len(services))], Name: "op", Kind: KindClient, Start: start, Duration: dur}
			if rng.IntN(100) == 0 {
				s.Status = StatusError
			}
			spans = append(spans, s)
			ids = append(ids, len(spans))
			parents = append(parents, ids[next])
			depth = append(depth, depth[next]+1)
		}
	}
	rng.Shuffle(len(spans), func(i, j int) {
		spans[i], spans[j] = spans[j], spans[i]
		ids[i], ids[j] = ids[j], ids[i]
		parents[i], parents[j] = parents[j], parents[i]
	})
	for i := range spans {
		spans[i].SpanID = spanIDOf(ids[i])
		if parents[i] != 0 {
			spans[i].ParentID = spanIDOf(parents[i])
		}
	}
	return &Trace{ID: NormalizeTraceID("abc"), Spans: spans}
}

// spanIDOf spreads small numbers over 64 bits like real random span IDs.
func spanIDOf(n int) string {
	return fmt.Sprintf("%016x", uint64(n)*0x9e3779b97f4a7c15)
}

func TestRealisticTraceShape(t *testing.T) {
	tr := Build(realisticTrace(100_000, 1))
	checkInvariants(t, tr, 100_000)
	maxDepth := 0
	for _, n := range tr.Nodes {
		maxDepth = max(maxDepth, n.Depth)
	}
	if len(tr.Roots) != 1 || maxDepth < 8 || maxDepth > 10 || len(tr.CriticalPath) < 2 {
		t.Errorf("roots %d, max depth %d, critical path %d: not a realistic benchmark trace",
			len(tr.Roots), maxDepth, len(tr.CriticalPath))
	}
}

func BenchmarkBuild100k(b *testing.B) {
	tr := realisticTrace(100_000, 1)
	b.ReportAllocs()
	for b.Loop() {
		_ = Build(tr)
	}
}

func BenchmarkVisible100k(b *testing.B) {
	tree := Build(realisticTrace(100_000, 1))
	collapsed := make([]bool, len(tree.Nodes))
	for i := range collapsed {
		collapsed[i] = i%97 == 0
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = tree.Visible(collapsed, false)
	}
}

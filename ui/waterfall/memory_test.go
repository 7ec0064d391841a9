package waterfall

import (
	"runtime"
	"testing"

	"github.com/redline-tui/redline/funnel/sanitize"
)

// BenchmarkHeap100k reports the live heap held by a waterfall of a
// 100,000-span trace: the trace, its tree and the pane's rows (heap-MB),
// and how much one load allocates (B/op).
func BenchmarkHeap100k(b *testing.B) {
	before := liveHeap()
	tr := syntheticTrace(100_000)
	var m *Model
	b.ReportAllocs()
	for b.Loop() {
		m = loadedModel(b, testEnv(false), tr, 160, 48)
	}
	held := liveHeap() - before
	runtime.KeepAlive(m)
	runtime.KeepAlive(tr)
	b.ReportMetric(float64(held)/(1<<20), "heap-MB")
}

func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// BenchmarkClean100k is what the root's cleaner (ui/clean.go) adds to the
// load of a clean 100,000-span trace: one walk that copies nothing.
func BenchmarkClean100k(b *testing.B) {
	tr := syntheticTrace(100_000)
	b.ReportAllocs()
	for b.Loop() {
		if sanitize.Value(tr) != tr {
			b.Fatal("a clean trace was copied")
		}
	}
}

package waterfall

import (
	"runtime"
	"testing"
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

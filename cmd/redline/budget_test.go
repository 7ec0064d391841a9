package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/loki"
	"github.com/redline-tui/redline/sources/prometheus"
)

// TestSnapshotOversizedPrometheus: `redline snapshot` against a Prometheus
// whose every answer is 200 MB (generated as it is sent) exits with the
// backend code, naming Prometheus and the cap or the budget that refused
// its answers, and gives the process's budget back whole. The budget and
// cap are small, from the config file, to keep the test cheap; the memory
// it takes is measured by BenchmarkParallelOversizedAnswers.
func TestSnapshotOversizedPrometheus(t *testing.T) {
	srv := httptest.NewServer(oversized(200 << 20))
	t.Cleanup(srv.Close)
	path := filepath.Join(t.TempDir(), "config.yaml")
	cfg := fmt.Sprintf("current-context: big\nresponse_budget_bytes: %d\ncontexts:\n  big:\n    prometheus: {url: %q, max_response_bytes: %d}\n", 6<<20, srv.URL, 2<<20)
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"snapshot", "--config", path, "--format", "md"}, &stdout, &stderr)
	if code != exitBackend {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitBackend, stderr.String())
	}
	msg := stderr.String()
	if !strings.Contains(msg, "prometheus: answer too large: response body larger than 2 MiB (raise max_response_bytes") &&
		!strings.Contains(msg, "prometheus: answer refused: response budget used up (6 MiB") {
		t.Errorf("stderr names neither the cap nor the budget:\n%s", msg)
	}
	if n := responses.InUse(); n != 0 {
		t.Errorf("%d bytes of the response budget still held after the snapshot", n)
	}
}

// BenchmarkParallelOversizedAnswers measures the peak heap while ten
// queries at once each get a 200 MB answer, within the default budget
// (192 MiB) and cap (64 MiB): through client_golang, which reads a whole
// body before decoding it (Prometheus), and through httpx's decode as it
// reads (Loki). Reported: peak-heap-MiB (HeapInuse high-water above the
// heap before the queries) and x-budget, its ratio to the budget, which is
// to stay at most 2.
func BenchmarkParallelOversizedAnswers(b *testing.B) {
	srv := httptest.NewServer(oversized(200 << 20))
	b.Cleanup(srv.Close)
	shared := budget.New(budget.Default)
	prom, err := prometheus.New(prometheus.Config{URL: srv.URL, Budget: shared})
	if err != nil {
		b.Fatal(err)
	}
	lk, err := loki.New(loki.Config{URL: srv.URL, Budget: shared, ServiceLabel: "service_name", TraceField: "text"})
	if err != nil {
		b.Fatal(err)
	}
	query := logs.Query{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", Services: []string{"shop"}, Range: funnel.TimeRange{Start: time.Unix(0, 0), End: time.Unix(3600, 0)}}
	calls := map[string]func(context.Context) error{
		"prometheus": func(ctx context.Context) error { _, err := prom.Ping(ctx); return err },
		"loki":       func(ctx context.Context) error { _, err := lk.TraceLogs(ctx, query); return err },
	}
	for _, name := range []string{"prometheus", "loki"} {
		b.Run(name, func(b *testing.B) {
			var peak int64
			for b.Loop() {
				peak = max(peak, peakHeap(func() { parallel(10, calls[name]) }))
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
			b.ReportMetric(float64(peak)/float64(shared.Limit()), "x-budget")
		})
	}
}

// parallel runs call n times at once and waits for them all.
func parallel(n int, call func(context.Context) error) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() { call(context.Background()) })
	}
	wg.Wait()
}

// peakHeap runs f and returns the high-water mark of HeapInuse while it
// ran, above HeapInuse before it (after a collection).
func peakHeap(f func()) int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := int64(ms.HeapInuse)
	done := make(chan struct{})
	result := make(chan int64)
	go func() {
		high := base
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			high = max(high, int64(ms.HeapInuse))
			select {
			case <-done:
				result <- high - base
				return
			case <-tick.C:
			}
		}
	}()
	f()
	close(done)
	return <-result
}

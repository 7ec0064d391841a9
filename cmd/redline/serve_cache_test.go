package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redline-tui/redline/cmd/redline/internal/serve"
	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/sources/prometheus"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/fetch"
)

// countedPrometheus is the healthy fake Prometheus counting its requests.
func countedPrometheus(t testing.TB) (string, *atomic.Int64) {
	var n atomic.Int64
	h := healthyPrometheus()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

// sharedMetrics is one Prometheus source behind the serve cache, as
// sharedBackends gives every session of a context.
func sharedMetrics(t testing.TB, url string) ui.Metrics {
	src, err := prometheus.New(prometheus.Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return serve.NewCache().Wrap(ui.Options{Sources: ui.Sources{Metrics: src}}).Metrics
}

// refreshTick is what n sessions on the SLO and RED panes ask at one
// refresh tick over r, all at once.
func refreshTick(t testing.TB, m ui.Metrics, n int, ctx context.Context, r funnel.TimeRange) {
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := m.SLOs(ctx, r); err != nil {
				t.Error(err)
			}
			if _, err := m.Routes(ctx, red.Query{Service: "shop", Range: r}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// requestsPerTick runs ticks refresh ticks of n sessions and returns the
// backend requests of each tick after the first (which also detects the
// metric conventions).
func requestsPerTick(t testing.TB, n, ticks int) []int64 {
	url, count := countedPrometheus(t)
	m := sharedMetrics(t, url)
	var per []int64
	for i := range ticks {
		before := count.Load()
		refreshTick(t, m, n, context.Background(), funnel.Last(time.Hour, clock.Add(time.Duration(i)*30*time.Second)))
		if i > 0 {
			per = append(per, count.Load()-before)
		}
	}
	return per
}

func TestSharedBackendsCoalesceSessions(t *testing.T) {
	one := requestsPerTick(t, 1, 3)
	twenty := requestsPerTick(t, 20, 3)
	for i := range one {
		if one[i] == 0 || twenty[i] != one[i] {
			t.Errorf("tick %d: 20 sessions sent %d requests, one session %d; want the same", i+1, twenty[i], one[i])
		}
	}
}

func TestAskedForRefreshBypassesTheSharedCache(t *testing.T) {
	url, count := countedPrometheus(t)
	m := sharedMetrics(t, url)
	r := funnel.Last(time.Hour, clock)
	refreshTick(t, m, 1, context.Background(), r)
	before := count.Load()
	refreshTick(t, m, 5, context.Background(), r)
	if count.Load() != before {
		t.Fatalf("sessions on a cached range sent %d requests", count.Load()-before)
	}
	refreshTick(t, m, 1, fetch.WithFresh(context.Background()), r)
	if count.Load() == before {
		t.Error("key r was answered from the cache")
	}
}

// BenchmarkSharedRefresh: 20 sessions on the SLO and RED panes for 5
// refresh ticks against one session; req/tick(20) ≤ 1.1 × req/tick(1).
func BenchmarkSharedRefresh(b *testing.B) {
	var one, twenty int64
	for b.Loop() {
		for _, v := range requestsPerTick(b, 1, 5) {
			one += v
		}
		for _, v := range requestsPerTick(b, 20, 5) {
			twenty += v
		}
	}
	b.ReportMetric(float64(one)/float64(4*b.N), "req/tick-1-session")
	b.ReportMetric(float64(twenty)/float64(4*b.N), "req/tick-20-sessions")
	b.ReportMetric(float64(twenty)/float64(one), "ratio")
}

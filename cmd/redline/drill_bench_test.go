package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/sources/prometheus"
)

// Latency injected per query by the drill-step benchmark: every query
// takes queryLatency, range queries (the burn histories) slowQueryLatency.
const (
	queryLatency     = 20 * time.Millisecond
	slowQueryLatency = 40 * time.Millisecond
)

// latencyRecorder delays every answer and remembers the longest delay it
// gave since the last reset.
type latencyRecorder struct {
	next http.Handler

	mu      sync.Mutex
	slowest time.Duration
	count   int
}

func (l *latencyRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d := queryLatency
	if strings.HasSuffix(r.URL.Path, "/query_range") {
		d = slowQueryLatency
	}
	l.mu.Lock()
	l.slowest = max(l.slowest, d)
	l.count++
	l.mu.Unlock()
	time.Sleep(d)
	l.next.ServeHTTP(w, r)
}

func (l *latencyRecorder) reset() (time.Duration, int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	slowest, count := l.slowest, l.count
	l.slowest, l.count = 0, 0
	return slowest, count
}

// benchSLOs are two SLOs declared in config, measured beside the assumed
// one of every detected service.
var benchSLOs = []prometheus.SLOSpec{
	{Service: "shop", Name: "availability", Objective: 0.999,
		ErrorQuery: `http_requests_total{job="shop",code=~"5.."}`, TotalQuery: `http_requests_total{job="shop"}`},
	{Service: "shop", Name: "checkout availability", Objective: 0.99,
		ErrorQuery: `http_requests_total{job="shop",handler="/api/checkout",code=~"5.."}`, TotalQuery: `http_requests_total{job="shop",handler="/api/checkout"}`},
}

// BenchmarkDrillStep measures one drill step against a Prometheus whose
// every query takes 20 ms (range queries 40 ms): the wall time of the step
// divided by its slowest single request (wall/slowest; 1.0 means every
// query of the step ran in parallel, 2.0 two rounds one after the other).
// Target ≤ 1.10. SLOs is measured with the convention detection cached,
// as on every refresh after the first; Detect, run on a fresh client, is
// the first step's discovery on its own.
func BenchmarkDrillStep(b *testing.B) {
	rec := &latencyRecorder{next: healthyPrometheus()}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	newClient := func() *prometheus.Client {
		c, err := prometheus.New(prometheus.Config{URL: srv.URL, SLOs: benchSLOs})
		if err != nil {
			b.Fatal(err)
		}
		return c
	}
	warm := newClient()
	r := funnel.Last(time.Hour, time.Now())
	if _, err := warm.Detect(context.Background()); err != nil {
		b.Fatal(err)
	}
	steps := []struct {
		name string
		run  func(context.Context) error
	}{
		{"Detect", func(ctx context.Context) error { _, err := newClient().Detect(ctx); return err }},
		{"SLOs", func(ctx context.Context) error { _, err := warm.SLOs(ctx, r); return err }},
		{"Routes", func(ctx context.Context) error {
			_, err := warm.Routes(ctx, red.Query{Service: "shop", Range: r})
			return err
		}},
	}
	for _, step := range steps {
		b.Run(step.name, func(b *testing.B) {
			var wall, slowest time.Duration
			requests := 0
			for b.Loop() {
				rec.reset()
				start := time.Now()
				if err := step.run(context.Background()); err != nil {
					b.Fatal(err)
				}
				wall += time.Since(start)
				s, n := rec.reset()
				slowest += s
				requests += n
			}
			b.ReportMetric(float64(wall)/float64(slowest), "wall/slowest")
			b.ReportMetric(float64(requests)/float64(b.N), "requests/op")
		})
	}
}

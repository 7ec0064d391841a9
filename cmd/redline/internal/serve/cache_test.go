package serve

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/fetch"
	"github.com/redline-tui/redline/ui/uitest"
)

// gatedCall counts its calls and answers once released.
type gatedCall struct {
	calls     atomic.Int32
	release   chan struct{}
	cancelled chan struct{}
}

func (g *gatedCall) call(ctx context.Context) (int, error) {
	n := int(g.calls.Add(1))
	select {
	case <-g.release:
		return n, nil
	case <-ctx.Done():
		close(g.cancelled)
		return 0, ctx.Err()
	}
}

func newGatedCall() *gatedCall {
	return &gatedCall{release: make(chan struct{}), cancelled: make(chan struct{})}
}

func TestCacheCoalescesAndReuses(t *testing.T) {
	c := NewCache()
	g := newGatedCall()
	key := []any{"prometheus", "SLOs", 1}
	var wg sync.WaitGroup
	got := make([]int, 20)
	for i := range got {
		wg.Go(func() {
			var err error
			if got[i], err = shared(context.Background(), c, key, g.call); err != nil {
				t.Error(err)
			}
		})
	}
	for waiting(c, key) < len(got) {
		runtime.Gosched()
	}
	close(g.release)
	wg.Wait()
	if g.calls.Load() != 1 {
		t.Errorf("%d backend calls for 20 identical ones at once, want 1", g.calls.Load())
	}
	if v, err := shared(context.Background(), c, key, g.call); v != 1 || err != nil || g.calls.Load() != 1 {
		t.Errorf("a later identical call was not answered from the cache: %v, %v, %d calls", v, err, g.calls.Load())
	}
	if v, err := shared(fetch.WithFresh(context.Background()), c, key, g.call); v != 2 || err != nil {
		t.Errorf("a refresh the user asked for got %v, %v; want its own call", v, err)
	}
	if v, _ := shared(context.Background(), c, key, g.call); v != 2 {
		t.Errorf("the cache kept %v, want the refreshed answer", v)
	}
	if v, _ := shared(context.Background(), c, []any{"prometheus", "SLOs", 2}, g.call); v != 3 {
		t.Errorf("another range was answered from the cache: %v", v)
	}
}

// A shared call that started before a refresh and ends after it must not
// put its older answer back over the refreshed one.
func TestEarlierCallDoesNotOverwriteARefresh(t *testing.T) {
	c := NewCache()
	key := []any{"prometheus", "SLOs", 1}
	release := make(chan struct{})
	earlier := make(chan string)
	go func() {
		v, _ := shared(context.Background(), c, key, func(context.Context) (string, error) {
			<-release
			return "older", nil
		})
		earlier <- v
	}()
	for waiting(c, key) < 1 {
		runtime.Gosched()
	}
	refreshed, err := shared(fetch.WithFresh(context.Background()), c, key, func(context.Context) (string, error) { return "newer", nil })
	if refreshed != "newer" || err != nil {
		t.Fatalf("the refresh got %q, %v", refreshed, err)
	}
	close(release)
	if v := <-earlier; v != "older" {
		t.Errorf("the earlier call's own waiter got %q, want its answer", v)
	}
	unexpected := func(context.Context) (string, error) {
		return "", errors.New("answered from the backend, not the cache")
	}
	if v, err := shared(context.Background(), c, key, unexpected); v != "newer" || err != nil {
		t.Errorf("the cache holds %q, %v after the earlier call ended; want the refreshed answer", v, err)
	}
}

func TestSharedCallStopsWhenEveryWaiterLeft(t *testing.T) {
	c := NewCache()
	g := newGatedCall()
	key := []any{"prometheus", "Routes", "checkout"}
	first, cancelFirst := context.WithCancel(context.Background())
	second, cancelSecond := context.WithCancel(context.Background())
	errs := make(chan error, 2)
	for _, ctx := range []context.Context{first, second} {
		go func() {
			_, err := shared(ctx, c, key, g.call)
			errs <- err
		}()
	}
	for waiting(c, key) < 2 {
		runtime.Gosched()
	}
	cancelFirst()
	if err := <-errs; err != context.Canceled {
		t.Fatalf("the leaving waiter got %v", err)
	}
	select {
	case <-g.cancelled:
		t.Fatal("the shared call was cancelled while a session still waited for it")
	default:
	}
	cancelSecond()
	<-errs
	<-g.cancelled
}

// waiting is how many callers wait for key's flight.
func waiting(c *Cache, key []any) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f := c.flights[cacheKey(key)]; f != nil {
		return f.waiters
	}
	return 0
}

// countingMetrics is the demo counting its SLO calls.
type countingMetrics struct {
	*demo.Source
	calls atomic.Int32
}

func (m *countingMetrics) SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	m.calls.Add(1)
	return m.Source.SLOs(ctx, r)
}

func TestSessionsOnOneTickShareOneBackendCall(t *testing.T) {
	var clock atomic.Int64
	clock.Store(benchClock.UnixNano())
	now := func() time.Time { return time.Unix(0, clock.Load()).UTC() }
	src := &countingMetrics{Source: demo.New(demo.Options{Seed: 1, Now: now})}
	ticker := uitest.NewTicker(benchClock)
	defer ticker.Stop()
	cache := NewCache()
	ts := startServer(t, Config{Session: func(string) (ui.Options, error) {
		return cache.Wrap(ui.Options{Sources: ui.Sources{Metrics: src}, Now: now, Ticker: ticker.Tick, Context: "demo"}), nil
	}})
	a := ts.openTerminal(t, 120, 30, nil)
	b := ts.openTerminal(t, 120, 30, nil)
	a.waitFor(firstRow)
	b.waitFor(firstRow)
	if n := src.calls.Load(); n != 1 {
		t.Fatalf("two sessions opening on one range made %d SLO calls, want 1", n)
	}
	for tick := 1; tick <= 3; tick++ {
		clock.Add(int64(30 * time.Second))
		ticker.Fire()
		ticker.Fire()
		end := now().Format("15:04:05") + " UTC"
		a.waitFor(end)
		b.waitFor(end)
		if n := src.calls.Load(); n != int32(1+tick) {
			t.Fatalf("after tick %d of two sessions: %d SLO calls, want %d", tick, n, 1+tick)
		}
	}
}

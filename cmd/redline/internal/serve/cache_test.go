package serve

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/redline-tui/redline/ui/fetch"
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

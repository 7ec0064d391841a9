package serve

import (
	"context"
	"encoding/json"
	"sync"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/fetch"
)

// Cache shares backend answers between the sessions of one context: a
// call identical to one in flight waits for it instead of going to the
// backend again (its queries follow from the method, the arguments and
// the time range, which aligned clocks make agree between sessions), and an
// answer is reused for ttl. A refresh the user asked for (fetch.Fresh)
// goes to the backend for that session alone and updates the cache. A
// shared call is cancelled once every session waiting for it has gone.
type Cache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	answers map[string]answer
	flights map[string]*flight
	started uint64 // calls started so far: each call's sequence number
}

// answer is a kept answer and the sequence number of the call that got
// it: a call that started earlier never replaces it.
type answer struct {
	value   any
	expires time.Time
	seq     uint64
}

// flight is one call to the backend and the sessions waiting for it.
type flight struct {
	done    chan struct{}
	value   any
	err     error
	waiters int
	cancel  context.CancelFunc
}

// rangeStep is what session clocks are rounded down to, so that sessions
// asking at about the same time ask for the same range; answers are kept
// as long.
const rangeStep = 5 * time.Second

// NewCache returns an empty cache.
func NewCache() *Cache {
	return &Cache{ttl: rangeStep, now: time.Now, answers: map[string]answer{}, flights: map[string]*flight{}}
}

// Wrap returns opts with its sources answering through the cache. The
// waterfall's whole-trace call is not shared: it returns a pointer that
// panes keep.
func (c *Cache) Wrap(opts ui.Options) ui.Options {
	if opts.Metrics != nil {
		opts.Metrics = cachedMetrics{opts.Metrics, c}
	}
	if opts.Traces != nil {
		opts.Traces = cachedTraces{opts.Traces, c}
	}
	if opts.Logs != nil {
		opts.Logs = cachedLogs{opts.Logs, c}
	}
	return opts
}

// aligned rounds now down to rangeStep so that sessions refreshing at the
// same tick (tea.Every, aligned to the clock) ask for the same range.
func aligned(now func() time.Time) func() time.Time {
	return func() time.Time { return now().Truncate(rangeStep) }
}

// shared calls call once for every session asking for key at once.
func shared[T any](ctx context.Context, c *Cache, key []any, call func(context.Context) (T, error)) (T, error) {
	v, err := c.do(ctx, cacheKey(key), func(ctx context.Context) (any, error) { return call(ctx) })
	if err != nil {
		var zero T
		return zero, err
	}
	return v.(T), nil
}

// cacheKey writes the call's name and arguments as JSON, which spells
// times and nested queries exactly.
func cacheKey(parts []any) string {
	b, err := json.Marshal(parts)
	if err != nil {
		panic("serve: cache key: " + err.Error()) // the arguments are plain data
	}
	return string(b)
}

func (c *Cache) do(ctx context.Context, key string, call func(context.Context) (any, error)) (any, error) {
	fresh := fetch.Fresh(ctx)
	c.mu.Lock()
	if a, ok := c.answers[key]; ok && !fresh && c.now().Before(a.expires) {
		c.mu.Unlock()
		return a.value, nil
	}
	f := c.flights[key]
	if f == nil || fresh {
		f = c.start(ctx, key, call, !fresh)
	}
	f.waiters++
	c.mu.Unlock()
	select {
	case <-f.done:
		return f.value, f.err
	case <-ctx.Done():
		c.leave(key, f)
		return nil, ctx.Err()
	}
}

// start sends the call on a context of its own, cancelled when the last
// waiter leaves; a joinable flight is found by later callers of key.
// Called with c.mu held.
func (c *Cache) start(ctx context.Context, key string, call func(context.Context) (any, error), joinable bool) *flight {
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f := &flight{done: make(chan struct{}), cancel: cancel}
	c.started++
	seq := c.started
	if joinable {
		c.flights[key] = f
	}
	go func() {
		v, err := call(fctx)
		cancel()
		c.mu.Lock()
		if c.flights[key] == f {
			delete(c.flights, key)
		}
		if err == nil {
			c.store(key, v, seq)
		}
		f.value, f.err = v, err
		c.mu.Unlock()
		close(f.done)
	}()
	return f
}

// leave drops a waiter; the last one cancels the call, and later callers
// start a new one.
func (c *Cache) leave(key string, f *flight) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f.waiters--
	if f.waiters > 0 {
		return
	}
	f.cancel()
	if c.flights[key] == f {
		delete(c.flights, key)
	}
}

// store keeps the answer of call seq and drops expired ones. An answer
// never replaces one of a later call: a shared call that started before a
// refresh and ends after it would otherwise put older data back. Called
// with c.mu held.
func (c *Cache) store(key string, v any, seq uint64) {
	newer := c.answers[key].seq > seq
	now := c.now()
	for k, a := range c.answers {
		if !now.Before(a.expires) {
			delete(c.answers, k)
		}
	}
	if !newer {
		c.answers[key] = answer{value: v, expires: now.Add(c.ttl), seq: seq}
	}
}

type cachedMetrics struct {
	ui.Metrics
	c *Cache
}

func (m cachedMetrics) SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	return shared(ctx, m.c, []any{m.Name(), "SLOs", r}, func(ctx context.Context) (slo.Report, error) {
		return m.Metrics.SLOs(ctx, r)
	})
}

func (m cachedMetrics) Routes(ctx context.Context, q red.Query) (red.Report, error) {
	return shared(ctx, m.c, []any{m.Name(), "Routes", q}, func(ctx context.Context) (red.Report, error) {
		return m.Metrics.Routes(ctx, q)
	})
}

type cachedTraces struct {
	ui.Traces
	c *Cache
}

func (t cachedTraces) FindTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error) {
	return shared(ctx, t.c, []any{t.Name(), "FindTraces", q}, func(ctx context.Context) (trace.SearchResult, error) {
		return t.Traces.FindTraces(ctx, q)
	})
}

type cachedLogs struct {
	ui.Logs
	c *Cache
}

func (l cachedLogs) TraceLogs(ctx context.Context, q logs.Query) (logs.Result, error) {
	return shared(ctx, l.c, []any{l.Name(), "TraceLogs", q}, func(ctx context.Context) (logs.Result, error) {
		return l.Logs.TraceLogs(ctx, q)
	})
}

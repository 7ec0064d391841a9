package prometheus

import (
	"context"
	"fmt"
	"sync"
	"time"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/sources/internal/step"
)

// maxParallel bounds the queries one batch has in flight. It is
// Prometheus' own default query concurrency (--query.max-concurrency), and
// above the largest batch redline sends (an SLO's 8 windows × 2 counts and
// its history: 17), so a step's queries all run at once.
const maxParallel = 20

// batch collects queries, runs them in parallel within the step's deadline and
// records each one (in the order added) for the UI and snapshots.
type batch struct {
	c       *Client
	queries []funnel.Query
	calls   []func(ctx context.Context) (v1.Warnings, error)

	mu       sync.Mutex
	warnings []string
}

func (c *Client) newBatch() *batch { return &batch{c: c} }

func (b *batch) add(q funnel.Query, call func(ctx context.Context) (v1.Warnings, error)) int {
	q.Backend, q.Language = backend, funnel.PromQL
	b.queries = append(b.queries, q)
	b.calls = append(b.calls, call)
	return len(b.calls) - 1
}

// instant adds an instant query at `at` whose result lands in out. window
// is how far back the query looks, for the recorded range.
func (b *batch) instant(purpose, text string, at time.Time, window time.Duration, out *model.Vector) int {
	q := funnel.Query{Purpose: purpose, Text: text, Range: funnel.Last(window, at)}
	return b.add(q, func(ctx context.Context) (v1.Warnings, error) {
		val, warns, _, err := b.c.api.Query(ctx, text, at, v1.WithTimeout(b.c.timeout))
		if err != nil {
			return warns, err
		}
		vec, ok := val.(model.Vector)
		if !ok {
			return warns, fmt.Errorf("want an instant vector, got a %s", val.Type())
		}
		*out = vec
		return warns, nil
	})
}

// ranged adds a range query over r with about points samples.
func (b *batch) ranged(purpose, text string, r funnel.TimeRange, points int, out *model.Matrix) int {
	q := funnel.Query{Purpose: purpose, Text: text, Range: r}
	rng := v1.Range{Start: r.Start, End: r.End, Step: stepFor(r, points)}
	return b.add(q, func(ctx context.Context) (v1.Warnings, error) {
		val, warns, _, err := b.c.api.QueryRange(ctx, text, rng, v1.WithTimeout(b.c.timeout))
		if err != nil {
			return warns, err
		}
		m, ok := val.(model.Matrix)
		if !ok {
			return warns, fmt.Errorf("want a range vector, got a %s", val.Type())
		}
		*out = m
		return warns, nil
	})
}

// exemplars adds an exemplar query over r.
func (b *batch) exemplars(purpose, text string, r funnel.TimeRange, out *[]v1.ExemplarQueryResult) int {
	q := funnel.Query{Purpose: purpose, Text: text, Range: r}
	return b.add(q, func(ctx context.Context) (v1.Warnings, error) {
		res, err := b.c.api.QueryExemplars(ctx, text, r.Start, r.End)
		*out = res
		return nil, err
	})
}

// run executes every call and returns one error (or nil) per call, each
// naming prometheus, the query's purpose and the cause. Prometheus warnings
// are gathered in b.warnings.
func (b *batch) run(ctx context.Context) []error {
	errs := make([]error, len(b.calls))
	var wg sync.WaitGroup
	slots := make(chan struct{}, maxParallel)
	for i, call := range b.calls {
		slots <- struct{}{} // waits while maxParallel calls are in flight
		wg.Go(func() {
			defer func() { <-slots }()
			var warns v1.Warnings
			err := b.c.send(ctx, b.queries[i].Purpose, func(qctx context.Context) (err error) {
				warns, err = call(qctx)
				return err
			})
			if err != nil {
				errs[i] = describe(b.queries[i].Purpose, err)
				b.queries[i].NotSent = step.Reason(err)
			}
			b.mu.Lock()
			b.warnings = addWarnings(b.warnings, warns...)
			b.mu.Unlock()
		})
	}
	wg.Wait() // calls report through errs
	return errs
}

// stepFor picks a range-query step giving about points samples, at least 1s.
func stepFor(r funnel.TimeRange, points int) time.Duration {
	if points < 1 {
		points = 1
	}
	step := (r.Duration() / time.Duration(points)).Truncate(time.Second)
	return max(step, time.Second)
}

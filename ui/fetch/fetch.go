// Package fetch runs a pane's backend calls off the event loop. Each request
// gets a generation and its own cancellable context; starting a new request
// cancels the previous one and answers of older generations are dropped.
// Every answer is also reported as a pane.Health for the status bar.
// Request is the whole cycle for a pane: send, re-send on refresh and range
// change, accept only the latest answer.
package fetch

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/pane"
)

// generations is shared by every pane so a generation names one request in
// the whole program, whichever pane receives its answer.
var generations atomic.Uint64

// Result is the answer to one request of generation Gen.
type Result[T any] struct {
	Gen   uint64
	Value T
	Err   error
}

// Tracker holds the state of one pane's request: the generation in flight,
// how to cancel it, and the outcome of the last accepted answer.
type Tracker struct {
	gen      uint64
	cancel   context.CancelFunc
	inFlight bool
	loaded   bool
	err      error
}

// Timeout bounds every request, whatever the backend's own settings: a
// backend that hangs shows "timed out" in its pane instead of loading
// forever.
const Timeout = time.Minute

// Begin cancels the request in flight, if any, and starts a new one derived
// from parent, bounded by Timeout. It returns the request's context and
// generation.
func (t *Tracker) Begin(parent context.Context) (context.Context, uint64) {
	t.Cancel()
	ctx, cancel := context.WithTimeout(parent, Timeout)
	t.cancel = cancel
	t.gen = generations.Add(1)
	t.inFlight = true
	return ctx, t.gen
}

// Accept reports whether an answer of generation gen is the one awaited;
// if so it records the outcome. Answers of older generations are stale.
func (t *Tracker) Accept(gen uint64, err error) bool {
	if gen != t.gen || !t.inFlight {
		return false
	}
	t.inFlight = false
	t.cancel()
	t.err = err
	if err == nil {
		t.loaded = true
	}
	return true
}

// Cancel cancels the request in flight; its answer will be dropped.
func (t *Tracker) Cancel() {
	if t.cancel != nil {
		t.cancel()
	}
	t.inFlight = false
}

// InFlight reports whether a request awaits its answer.
func (t *Tracker) InFlight() bool { return t.inFlight }

// Loaded reports whether any request succeeded, so there is data to draw.
func (t *Tracker) Loaded() bool { return t.loaded }

// Err is the error of the last answered request, nil when it succeeded.
func (t *Tracker) Err() error { return t.err }

// Call returns a command that runs call with ctx and answers with a
// Result[T] of generation gen and a pane.Health for backend. It captures
// only its arguments, never a model. A call cut short because its request
// was cancelled reports no health: the backend did nothing wrong. One that
// ran out of time does: the backend was too slow. A trace the backend
// answered it does not hold (trace.ErrNotFound) leaves it healthy.
func Call[T any](ctx context.Context, gen uint64, backend string, now func() time.Time, call func(context.Context) (T, error)) tea.Cmd {
	return func() tea.Msg {
		started := time.Now()
		value, err := call(ctx)
		result := Result[T]{Gen: gen, Value: value, Err: err}
		if errors.Is(ctx.Err(), context.Canceled) {
			return result
		}
		health := pane.Health{Backend: backend, Err: err, At: now(), Latency: time.Since(started)}
		if errors.Is(err, trace.ErrNotFound) {
			health.Err = nil
		}
		return tea.BatchMsg{message(result), message(health)}
	}
}

func message(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// errorText is err prefixed with the backend's name unless the
// source already put it first.
func errorText(backend string, err error) string {
	text := err.Error()
	if !strings.HasPrefix(text, backend+":") {
		text = backend + ": " + text
	}
	return text
}

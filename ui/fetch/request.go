package fetch

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/theme"
)

// Caller returns the backend call over time range r. It runs on the event
// loop, so it may read the pane's state; the call it returns runs off the
// loop and must capture values only, never the pane.
type Caller[T any] func(r funnel.TimeRange) func(context.Context) (T, error)

// Request is a pane's backend request over a time range: sent by Load, sent
// again on pane.Refresh (unless it is still in flight) and on a
// pane.RangeChanged that moves the range. Its Tracker keeps the
// generations: each send cancels the one before, only the answer to the
// latest send is accepted, and Cancel drops the one in flight.
type Request[T any] struct {
	Tracker
	ctx     context.Context
	now     func() time.Time
	backend string
	rng     funnel.TimeRange
	caller  Caller[T]
	styles  *theme.Styles
	keys    *keys.KeyMap
}

// NewRequest returns the request of a pane built with env, calling backend
// through caller over env.Range. Nothing is sent until Load.
func NewRequest[T any](env pane.Env, backend string, caller Caller[T]) Request[T] {
	return Request[T]{ctx: env.Ctx, now: env.Now, backend: backend, rng: env.Range, caller: caller,
		styles: env.Styles, keys: env.Keys}
}

// Load sends the request over its range, cancelling the one in flight.
func (r *Request[T]) Load() tea.Cmd {
	return r.load(r.ctx)
}

func (r *Request[T]) load(parent context.Context) tea.Cmd {
	ctx, gen := r.Begin(parent)
	return Call(ctx, gen, r.backend, r.now, r.caller(r.rng))
}

// freshKey marks the context of a request the user asked for again.
type freshKey struct{}

// WithFresh marks ctx as that of a refresh the user asked for (key r).
func WithFresh(ctx context.Context) context.Context {
	return context.WithValue(ctx, freshKey{}, true)
}

// Fresh reports whether ctx is that of a refresh the user asked for, which
// a cache shared with other users must not answer.
func Fresh(ctx context.Context) bool {
	fresh, _ := ctx.Value(freshKey{}).(bool)
	return fresh
}

// Update handles the request's messages. An answer to the latest send that
// succeeded is returned with fresh true; stale and failed answers only
// update the Tracker. A refresh while nothing is in flight, or a change of
// range, returns the command that sends the request again. Other messages
// are ignored.
func (r *Request[T]) Update(msg tea.Msg) (value T, fresh bool, cmd tea.Cmd) {
	switch msg := msg.(type) {
	case Result[T]:
		if r.Accept(msg.Gen, msg.Err) && msg.Err == nil {
			return msg.Value, true, nil
		}
	case pane.Refresh:
		if r.InFlight() {
			return value, false, nil
		}
		if msg.Live {
			return value, false, r.Load()
		}
		return value, false, r.load(WithFresh(r.ctx))
	case pane.RangeChanged:
		if msg.Range != r.rng {
			r.rng = msg.Range
			return value, false, r.Load()
		}
	}
	return value, false, nil
}

// Range is the time range the request covers.
func (r *Request[T]) Range() funnel.TimeRange { return r.rng }

// Notice is the line a pane draws above, or instead of, its data: loading
// what before the first answer; the last error with the backend named and
// the key that retries; once an answer is good, the warnings that came with
// it on one line. It is "" when there is nothing to say.
func (r *Request[T]) Notice(what string, warnings []string) string {
	switch {
	case r.err != nil:
		retry := "  (" + r.keys.Global.Refresh.Help().Key + " retries)"
		return r.styles.Error.Render("✖ "+errorText(r.backend, r.err)) + r.styles.Muted.Render(retry)
	case r.inFlight && !r.loaded:
		return r.styles.Muted.Render("⟳ loading " + what + " from " + r.backend + "…")
	case len(warnings) > 0:
		return r.styles.Warn.Render("⚠ " + strings.Join(warnings, " · "))
	default:
		return ""
	}
}

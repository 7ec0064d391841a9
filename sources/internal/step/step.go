// Package step gives one step of the funnel (one call of a source: a
// pane's load, a step of `redline snapshot`) one deadline per backend, and
// remembers a backend that timed out in it so the step sends that backend
// no more queries.
//
// A source method starts the step with Begin; each query it sends runs
// through Run (or Start, for a streamed answer). A backend's deadline in
// the step is its timeout counted from the step's first query to it, so a
// hung backend ends the step within one timeout however many rounds of
// queries the step would send; the queries after a timeout fail at once
// with a *NotSentError saying which query timed out.
package step

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"time"
)

// Backend is a backend as a step sees it: its name, as in errors, and its
// timeout; 0 gives it no deadline of its own.
type Backend struct {
	Name    string
	Timeout time.Duration
}

// step is the state of one step, shared by its queries.
type step struct {
	mu       sync.Mutex
	backends map[string]*backendState
}

// backendState is one backend within a step.
type backendState struct {
	deadline time.Time // zero until the first query, or without a timeout
	timedOut string    // why the step sends it nothing more; "" while it has not timed out
	notSent  int       // queries refused since
}

type key struct{}

// Begin returns ctx carrying a step: the one ctx already carries (a source
// method called by another shares its caller's step), or a new one. end
// completes the step's error: when this Begin started the step and queries
// were not sent, it says how many and why.
func Begin(ctx context.Context) (_ context.Context, end func(error) error) {
	if _, ok := ctx.Value(key{}).(*step); ok {
		return ctx, func(err error) error { return err }
	}
	s := &step{backends: map[string]*backendState{}}
	return context.WithValue(ctx, key{}, s), s.annotate
}

// NotSentError is a query a step did not send because its backend had
// already timed out in the step.
type NotSentError struct {
	Backend string
	Purpose string // the query not sent
	Reason  string // e.g. "prometheus timed out after 30s on detection"
}

func (e *NotSentError) Error() string {
	return fmt.Sprintf("%s: not sent: %s: %s", e.Backend, e.Purpose, e.Reason)
}

// Reason is why err's query was not sent, or "" when err is not a
// *NotSentError: for the record of a query (funnel.Query.NotSent).
func Reason(err error) string {
	var notSent *NotSentError
	if errors.As(err, &notSent) {
		return notSent.Reason
	}
	return ""
}

// Run sends one query to b within the step of ctx (a step of its own when
// ctx carries none): call gets a context bounded by b's deadline in the
// step. A query to a backend that already timed out in the step is not
// sent: Run returns a *NotSentError without calling call.
func Run(ctx context.Context, b Backend, purpose string, call func(context.Context) error) error {
	qctx, finish, err := Start(ctx, b, purpose)
	if err != nil {
		return err
	}
	err = call(qctx)
	finish(err)
	return err
}

// Start is Run for a query whose answer outlives the call (a streamed
// body): the caller sends it with qctx and calls finish, once, with the
// query's outcome when done with the answer.
func Start(ctx context.Context, b Backend, purpose string) (qctx context.Context, finish func(error), err error) {
	s, ok := ctx.Value(key{}).(*step)
	if !ok {
		s = &step{backends: map[string]*backendState{}}
	}
	deadline, err := s.enter(b, purpose, time.Now())
	if err != nil {
		return nil, nil, err
	}
	cancel := context.CancelFunc(func() {})
	qctx = ctx
	if !deadline.IsZero() {
		qctx, cancel = context.WithDeadline(ctx, deadline)
	}
	var once sync.Once
	return qctx, func(err error) {
		once.Do(func() {
			if timedOut(qctx, err) {
				s.latch(b, purpose)
			}
			cancel()
		})
	}, nil
}

// enter admits one query to b, returning b's deadline in the step, or a
// *NotSentError when b already timed out in it.
func (s *step) enter(b Backend, purpose string, now time.Time) (time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.backends[b.Name]
	if st == nil {
		st = &backendState{}
		if b.Timeout > 0 {
			st.deadline = now.Add(b.Timeout)
		}
		s.backends[b.Name] = st
	}
	if st.timedOut != "" {
		st.notSent++
		return time.Time{}, &NotSentError{Backend: b.Name, Purpose: purpose, Reason: st.timedOut}
	}
	return st.deadline, nil
}

// latch records that b timed out on the query of purpose (the first such
// query names the cause).
func (s *step) latch(b Backend, purpose string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.backends[b.Name]
	if st.timedOut != "" {
		return
	}
	st.timedOut = b.Name + " timed out"
	if b.Timeout > 0 {
		st.timedOut += " after " + b.Timeout.String()
	}
	st.timedOut += " on " + purpose
}

// annotate adds to err how many queries the step did not send and why,
// unless err is itself a query not sent (which says why).
func (s *step) annotate(err error) error {
	var notSent *NotSentError
	if err == nil || errors.As(err, &notSent) {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	names := slices.Sorted(maps.Keys(s.backends))
	for _, name := range names {
		if st := s.backends[name]; st.notSent > 0 {
			err = fmt.Errorf("%w; %d %s not sent: %s", err, st.notSent, plural(st.notSent, "query", "queries"), st.timedOut)
		}
	}
	return err
}

// timedOut reports whether a query ended by running out of time: its
// context's deadline passed, or the transport (an HTTP client's own
// timeout) said so.
func timedOut(qctx context.Context, err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(qctx.Err(), context.DeadlineExceeded) || errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

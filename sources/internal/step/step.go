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
	"strings"
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
	deadline time.Time // the backend's first query in the step + its timeout; zero without one
	timedOut string    // why the step sends it nothing more; "" while it has not timed out
	notSent  int       // queries refused since
}

type key struct{}

func newStep() *step { return &step{backends: map[string]*backendState{}} }

// Begin returns ctx carrying a step: the one ctx already carries (a source
// method called by another shares its caller's step), or a new one. end
// completes the step's error: when this Begin started the step and queries
// were not sent, it says how many and why.
func Begin(ctx context.Context) (_ context.Context, end func(error) error) {
	if _, ok := ctx.Value(key{}).(*step); ok {
		return ctx, func(err error) error { return err }
	}
	s := newStep()
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
		s = newStep() // a query outside any step is a step of its own
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

// annotate completes the step's error with the queries it did not send.
// When err is the timeout of the one backend that then had queries
// refused, the refusal leads ("prometheus: 5 queries not sent: prometheus
// timed out after 30s on detection"), so an error cut to one line keeps
// it; other errors are followed by it.
func (s *step) annotate(err error) error {
	if err == nil || Reason(err) != "" {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var notes, names []string
	for _, name := range slices.Sorted(maps.Keys(s.backends)) {
		if st := s.backends[name]; st.notSent > 0 {
			notes = append(notes, fmt.Sprintf("%d %s not sent: %s", st.notSent, plural(st.notSent, "query", "queries"), st.timedOut))
			names = append(names, name)
		}
	}
	switch {
	case len(notes) == 0:
		return err
	case len(notes) == 1 && isTimeout(err) && strings.HasPrefix(err.Error(), names[0]+":"):
		return &stepError{msg: names[0] + ": " + notes[0], err: err}
	}
	return &stepError{msg: err.Error() + "; " + strings.Join(notes, "; "), err: err}
}

// stepError is a step's error said with the queries it did not send; it
// unwraps to the error.
type stepError struct {
	msg string
	err error
}

func (e *stepError) Error() string { return e.msg }
func (e *stepError) Unwrap() error { return e.err }

// timedOut reports whether a query ended by running out of time: its
// context's deadline passed, or its error says so.
func timedOut(qctx context.Context, err error) bool {
	return err != nil && (errors.Is(qctx.Err(), context.DeadlineExceeded) || isTimeout(err))
}

// isTimeout reports whether err is a timeout: a context's deadline, or a
// transport's own (an HTTP client's Timeout, a gRPC deadline).
func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &t) && t.Timeout()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Package budget bounds the memory backend answers take in a process at
// once: every client reading an answer takes its bytes (times Charge) from
// one shared Budget as it reads them (a Lease per answer) and gives them
// back when the answer is decoded, so ten parallel oversized answers cost
// the budget, not ten times the per-answer cap.
//
// A lease that cannot grow waits for other answers to finish, until its
// context ends. Waiting while holding bytes could deadlock (every reader
// holding part of the budget and waiting for more), so the last holder to
// find all the others waiting fails at once instead, which frees its bytes.
package budget

import (
	"context"
	"fmt"
	"sync"
)

// Charge is what one byte of an answer costs in the budget, so that the
// budget bounds memory rather than bytes: the buffer a reader holds an
// answer in (bytes.Buffer, json.Decoder, io.ReadAll) grows by doubling, so
// it may be twice the bytes read, and while it grows the old one is held
// too. The largest answer a budget admits is its 1/Charge.
const Charge = 3

// Default is the budget when none is configured: room for one answer of
// the default per-answer cap (64 MiB) at a time.
const Default = 192 << 20

// Budget is a number of bytes shared by every answer in flight.
type Budget struct {
	mu      sync.Mutex
	limit   int64
	used    int64
	holders int           // leases holding bytes
	blocked int           // of those, how many wait for more since the last wake
	wake    chan struct{} // closed (and replaced) when bytes are given back
}

// New returns a budget of limit bytes; limit ≤ 0 means Default.
func New(limit int64) *Budget {
	b := &Budget{wake: make(chan struct{})}
	b.SetLimit(limit)
	return b
}

// SetLimit changes the budget's size (≤ 0: Default); answers in flight keep
// what they hold.
func (b *Budget) SetLimit(limit int64) {
	if limit <= 0 {
		limit = Default
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.limit = limit
	b.wakeAll()
}

// Limit is the budget's size in bytes.
func (b *Budget) Limit() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.limit
}

// InUse is how many bytes answers in flight hold.
func (b *Budget) InUse() int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used
}

// Lease starts counting one answer's bytes. A nil budget gives a lease that
// never refuses.
func (b *Budget) Lease() *Lease { return &Lease{b: b} }

// Lease is the part of a budget one answer holds. It is used by one
// goroutine at a time.
type Lease struct {
	b    *Budget
	held int64
}

// Held is how many bytes the lease holds.
func (l *Lease) Held() int64 { return l.held }

// Grow takes n more bytes from the budget, waiting for other answers to
// give bytes back while ctx allows. It fails with an *ExhaustedError when
// the bytes cannot be had: ctx ended while waiting, every other holder is
// waiting too, or the lease would hold more than the whole budget.
func (l *Lease) Grow(ctx context.Context, n int64) error {
	b := l.b
	if b == nil || n <= 0 {
		l.held += max(n, 0)
		return nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for b.used+n > b.limit {
		switch {
		case l.held+n > b.limit:
			return &ExhaustedError{Limit: b.limit, Reason: ReasonAlone}
		case l.held > 0 && b.blocked+1 >= b.holders:
			return &ExhaustedError{Limit: b.limit, Reason: ReasonDeadlock}
		}
		if err := b.wait(ctx, l.held > 0); err != nil {
			return &ExhaustedError{Limit: b.limit, Reason: ReasonTimeout, Err: err}
		}
	}
	if l.held == 0 {
		b.holders++
	}
	l.held += n
	b.used += n
	return nil
}

// wait waits, unlocked, until bytes are given back or ctx ends. A waiting
// holder counts as blocked until then (wakeAll unblocks every waiter at
// once, so one woken but not yet running is not taken for stuck).
func (b *Budget) wait(ctx context.Context, holding bool) error {
	wake := b.wake
	if holding {
		b.blocked++
	}
	b.mu.Unlock()
	var err error
	select {
	case <-wake:
	case <-ctx.Done():
		err = ctx.Err()
	}
	b.mu.Lock()
	if holding && b.wake == wake {
		b.blocked--
	}
	return err
}

// Release gives every byte of the lease back. The lease can grow again.
func (l *Lease) Release() {
	b := l.b
	if b == nil || l.held == 0 {
		l.held = 0
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= l.held
	b.holders--
	l.held = 0
	b.wakeAll()
}

// wakeAll lets every waiter try again. b.mu is held.
func (b *Budget) wakeAll() {
	if b.wake != nil {
		close(b.wake)
	}
	b.wake = make(chan struct{})
	b.blocked = 0
}

// Reason says why a lease could not grow.
type Reason int

// Why a lease could not grow.
const (
	ReasonTimeout  Reason = iota // the context ended while waiting for other answers
	ReasonDeadlock               // every other answer holding bytes waits for more too
	ReasonAlone                  // the answer alone would exceed the budget
)

// ExhaustedError is a lease that could not grow.
type ExhaustedError struct {
	Limit  int64
	Reason Reason
	Err    error // the context's error for ReasonTimeout
}

func (e *ExhaustedError) Error() string {
	size := Size(e.Limit)
	switch e.Reason {
	case ReasonTimeout:
		return fmt.Sprintf("gave up waiting for the response budget (%s of answers in flight at once; raise response_budget_bytes): %v", size, e.Err)
	case ReasonAlone:
		return "answer larger than the whole response budget (" + size + "; raise response_budget_bytes)"
	}
	return "response budget used up (" + size + " of answers in flight at once, the rest held by answers waiting for more; raise response_budget_bytes)"
}

// Unwrap gives the context's error, so a timeout is still one.
func (e *ExhaustedError) Unwrap() error { return e.Err }

// Size writes n bytes in whole MiB, KiB or bytes, for messages about
// limits (which are set in round numbers).
func Size(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

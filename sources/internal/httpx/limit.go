package httpx

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/redline-tui/redline/sources/budget"
)

// DefaultMaxBody caps a response body when no limit is configured.
const DefaultMaxBody = 64 << 20

// ErrTooLarge is returned when a body exceeds its cap.
var ErrTooLarge = errors.New("response body too large")

// TooLargeError says how large the cap was and which setting raises it.
type TooLargeError struct {
	Limit int64
	Key   string // the config key to raise; "" means max_response_bytes
}

func (e *TooLargeError) Error() string {
	key := e.Key
	if key == "" {
		key = keyMaxBody
	}
	return fmt.Sprintf("response body larger than %s (raise %s to load it)", budget.Size(e.Limit), key)
}

// Unwrap makes errors.Is(err, ErrTooLarge) hold.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// The settings that bound an answer.
const (
	keyMaxBody = "max_response_bytes"
	keyBudget  = "response_budget_bytes"
)

// grant is how much a meter takes from the budget at a time, so that
// readers of large answers do not contend for it on every read.
const grant = 256 << 10

// Meter counts one answer's bytes against its cap and, as they arrive,
// takes them (times budget.Charge) from the process's shared budget; Release
// gives them back. Every client meters its answers through one: HTTP
// bodies (Open, LimitBodies) and Jaeger's gRPC streams alike.
type Meter struct {
	limit int64
	key   string // what raises limit
	lease *budget.Lease
	n     int64 // bytes counted so far
}

// NewMeter meters an answer capped at limit bytes (≤ 0: DefaultMaxBody),
// and at b's share for one answer (its limit / budget.Charge) when that is
// smaller. A nil b shares nothing.
func NewMeter(b *budget.Budget, limit int64) *Meter {
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	m := &Meter{limit: limit, key: keyMaxBody, lease: b.Lease()}
	if b != nil && b.Limit()/budget.Charge < limit {
		m.limit, m.key = b.Limit()/budget.Charge, keyBudget
	}
	return m
}

// Expect is told the length an answer declares, before any of it is read
// (-1: unknown): over the cap it is refused (a *TooLargeError); else its
// whole share of the budget is taken now, waiting while it holds nothing,
// so that an answer of known length never waits halfway.
func (m *Meter) Expect(ctx context.Context, length int64) error {
	if length > m.limit {
		return m.tooLarge()
	}
	if length <= 0 {
		return nil
	}
	return m.lease.Grow(ctx, length*budget.Charge-m.lease.Held())
}

// Add counts n more bytes: a *TooLargeError once the answer passes its
// cap, a *budget.ExhaustedError when the budget cannot cover them before
// ctx ends.
func (m *Meter) Add(ctx context.Context, n int64) error {
	m.n += n
	if m.n > m.limit {
		return m.tooLarge()
	}
	need := m.n*budget.Charge - m.lease.Held()
	if need <= 0 {
		return nil
	}
	return m.lease.Grow(ctx, min(max(need, grant), m.limit*budget.Charge-m.lease.Held()))
}

// Release gives the answer's bytes back to the budget.
func (m *Meter) Release() { m.lease.Release() }

func (m *Meter) tooLarge() error { return &TooLargeError{Limit: m.limit, Key: m.key} }

// LimitBodies wraps next so every response body is metered: refused at
// once when its Content-Length is over limit, failing with a
// *TooLargeError once it exceeds limit bytes, its share of b taken as it
// is read (at once when its length is declared) and given back when it is
// closed. It is for clients (like client_golang's) that read bodies
// themselves.
func LimitBodies(next http.RoundTripper, limit int64, b *budget.Budget) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return limitTransport{next: next, limit: limit, budget: b}
}

type limitTransport struct {
	next   http.RoundTripper
	limit  int64
	budget *budget.Budget
}

func (t limitTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	body, err := meterBody(req.Context(), resp, NewMeter(t.budget, t.limit))
	if err != nil {
		return nil, err
	}
	resp.Body = body
	return resp, nil
}

// meterBody puts resp's body behind m, or closes it and refuses it when its
// declared length is over the cap or its share of the budget cannot be had.
func meterBody(ctx context.Context, resp *http.Response, m *Meter) (io.ReadCloser, error) {
	if err := m.Expect(ctx, resp.ContentLength); err != nil {
		resp.Body.Close()
		return nil, err
	}
	return &meteredBody{ctx: ctx, rc: resp.Body, m: m}, nil
}

// meteredBody reads through a Meter and releases it when closed. Close
// may come from another goroutine while a Read waits (client_golang closes
// a body when its context ends): mu orders the meter's accounting, and
// bytes read after Close are not metered, so nothing stays held.
type meteredBody struct {
	ctx context.Context
	rc  io.ReadCloser

	mu     sync.Mutex
	m      *Meter
	err    error // sticky: a refused answer stays refused
	closed bool
}

func (b *meteredBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	err, left := b.err, b.m.limit-b.m.n+1
	b.mu.Unlock()
	if err != nil {
		return 0, err
	}
	if int64(len(p)) > left {
		p = p[:left] // one byte past the cap is enough to know it is passed
	}
	n, err := b.rc.Read(p)
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return n, err
	}
	if merr := b.m.Add(b.ctx, int64(n)); merr != nil {
		b.err = merr
		return 0, merr
	}
	return n, err
}

func (b *meteredBody) Close() error {
	b.mu.Lock()
	b.m.Release()
	b.closed = true
	b.mu.Unlock()
	return b.rc.Close()
}

// maxErrorBody is how much of an error body is read: a JSON error envelope
// whose message fills the quoted excerpt, with room for escapes, never the
// whole of a huge body. Its status is what the error reports.
const maxErrorBody = 4 << 10

// ErrorBody reads the start of a non-2xx answer's body, no more than an
// error message needs; whole says whether that was all of it.
func ErrorBody(r io.Reader) (body []byte, whole bool) {
	body, _ = io.ReadAll(io.LimitReader(r, maxErrorBody+1))
	if len(body) > maxErrorBody {
		return body[:maxErrorBody], false
	}
	return body, true
}

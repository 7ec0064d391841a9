package budget

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"testing"
)

func TestGrowAndRelease(t *testing.T) {
	b := New(100)
	l := b.Lease()
	if err := l.Grow(context.Background(), 60); err != nil {
		t.Fatal(err)
	}
	if err := l.Grow(context.Background(), 40); err != nil {
		t.Fatal(err)
	}
	if b.InUse() != 100 || l.Held() != 100 {
		t.Fatalf("in use %d, held %d, want 100", b.InUse(), l.Held())
	}
	l.Release()
	if b.InUse() != 0 || l.Held() != 0 {
		t.Fatalf("after release: in use %d, held %d", b.InUse(), l.Held())
	}
}

// TestWaitsForRelease: a lease that does not fit waits until another
// gives its bytes back.
func TestWaitsForRelease(t *testing.T) {
	b := New(100)
	first := b.Lease()
	if err := first.Grow(context.Background(), 80); err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() {
		second := b.Lease()
		err := second.Grow(context.Background(), 50)
		second.Release()
		done <- err
	}()
	first.Release() // whether the second waits already or not, it must get its bytes
	if err := <-done; err != nil {
		t.Fatalf("second lease: %v", err)
	}
	if b.InUse() != 0 {
		t.Fatalf("in use %d after both released", b.InUse())
	}
}

// TestDeadlockFailsTheLastHolder: two answers each hold half and want more;
// the one that would complete the deadlock fails at once, and once it gives
// its bytes back the other proceeds.
func TestDeadlockFailsTheLastHolder(t *testing.T) {
	b := New(100)
	a, c := b.Lease(), b.Lease()
	ctx := context.Background()
	if err := a.Grow(ctx, 50); err != nil {
		t.Fatal(err)
	}
	if err := c.Grow(ctx, 50); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- a.Grow(ctx, 10) }()
	awaitBlocked(t, b, done)
	var ex *ExhaustedError
	if err := c.Grow(ctx, 10); !errors.As(err, &ex) || ex.Reason != ReasonDeadlock {
		t.Fatalf("c completing the deadlock: %v, want a deadlock error", err)
	}
	c.Release()
	if err := <-done; err != nil {
		t.Fatalf("a after c gave up: %v", err)
	}
	if a.Held() != 60 {
		t.Fatalf("a holds %d, want 60", a.Held())
	}
}

// awaitBlocked waits until one holder waits for bytes, failing if the
// waiting Grow returns first.
func awaitBlocked(t *testing.T, b *Budget, done <-chan error) {
	t.Helper()
	for {
		b.mu.Lock()
		blocked := b.blocked
		b.mu.Unlock()
		if blocked == 1 {
			return
		}
		select {
		case err := <-done:
			t.Fatalf("a returned before waiting: %v", err)
		default:
			runtime.Gosched()
		}
	}
}

func TestErrors(t *testing.T) {
	b := New(1 << 20)
	l := b.Lease()
	err := l.Grow(context.Background(), 2<<20)
	if err == nil || !strings.Contains(err.Error(), "larger than the whole response budget (1 MiB; raise response_budget_bytes)") {
		t.Fatalf("alone: %v", err)
	}
	other := b.Lease()
	if err := other.Grow(context.Background(), 1<<20); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = l.Grow(ctx, 1)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "waiting for the response budget (1 MiB") {
		t.Fatalf("timeout: %v", err)
	}
}

func TestNilBudgetNeverRefuses(t *testing.T) {
	var b *Budget
	l := b.Lease()
	if err := l.Grow(context.Background(), 1<<40); err != nil || l.Held() != 1<<40 {
		t.Fatalf("nil budget: %v, held %d", err, l.Held())
	}
	l.Release()
}

func TestDefault(t *testing.T) {
	if New(0).Limit() != Default {
		t.Fatal("New(0) is not the default budget")
	}
}

package step

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

var hung = Backend{Name: "prometheus", Timeout: 20 * time.Millisecond}

// hang waits for its context, as a query to a hung backend does.
func hang(ctx context.Context) error {
	<-ctx.Done()
	return ctx.Err()
}

func TestATimedOutBackendGetsNoMoreQueriesInTheStep(t *testing.T) {
	ctx, end := Begin(context.Background())
	if err := Run(ctx, hung, "detection", hang); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("first query: %v, want its deadline exceeded", err)
	}
	called := 0
	err := Run(ctx, hung, "SLO burn", func(context.Context) error { called++; return nil })
	var notSent *NotSentError
	if !errors.As(err, &notSent) || called != 0 {
		t.Fatalf("second query: err %v, called %d times; want not sent, never called", err, called)
	}
	want := "prometheus: not sent: SLO burn: prometheus timed out after 20ms on detection"
	if err.Error() != want || Reason(err) != "prometheus timed out after 20ms on detection" {
		t.Errorf("error %q (reason %q), want %q", err, Reason(err), want)
	}
	other := Backend{Name: "loki", Timeout: time.Second}
	if err := Run(ctx, other, "logs", func(context.Context) error { return nil }); err != nil {
		t.Errorf("another backend of the step: %v, want it sent", err)
	}
	timeout := fmt.Errorf("prometheus: detection: timed out: %w", context.DeadlineExceeded)
	if got, want := end(timeout).Error(), "prometheus: 1 query not sent: prometheus timed out after 20ms on detection"; got != want {
		t.Errorf("step error %q, want %q", got, want)
	}
	if !errors.Is(end(timeout), context.DeadlineExceeded) {
		t.Error("the step's error does not unwrap to the timeout")
	}
	got := end(errors.New("loki: HTTP 500")).Error()
	if got != "loki: HTTP 500; 1 query not sent: prometheus timed out after 20ms on detection" {
		t.Errorf("another error: %q does not say what was not sent after it", got)
	}
}

func TestQueriesShareTheBackendsDeadlineInTheStep(t *testing.T) {
	ctx, _ := Begin(context.Background())
	b := Backend{Name: "jaeger", Timeout: time.Hour}
	var first, second time.Time
	_ = Run(ctx, b, "operations", func(ctx context.Context) error { first, _ = ctx.Deadline(); return nil })
	_ = Run(ctx, b, "search", func(ctx context.Context) error { second, _ = ctx.Deadline(); return nil })
	if first.IsZero() || !first.Equal(second) {
		t.Errorf("deadlines %v and %v: want one deadline for the backend in the step", first, second)
	}
}

func TestAStepWithoutTimeoutsOrFailuresChangesNothing(t *testing.T) {
	ctx, end := Begin(context.Background())
	b := Backend{Name: "tempo"}
	for range 2 {
		if err := Run(ctx, b, "search", func(ctx context.Context) error {
			if _, ok := ctx.Deadline(); ok {
				t.Error("a backend without timeout got a deadline")
			}
			return errors.New("HTTP 500")
		}); err == nil || Reason(err) != "" {
			t.Fatalf("a failure that is no timeout stopped the next query: %v", err)
		}
	}
	if err := end(nil); err != nil {
		t.Errorf("end(nil) = %v", err)
	}
}

func TestANestedBeginSharesTheStep(t *testing.T) {
	ctx, outer := Begin(context.Background())
	_ = Run(ctx, hung, "detection", hang)
	inner, innerEnd := Begin(ctx)
	err := Run(inner, hung, "alerts", func(context.Context) error { return nil })
	if Reason(err) == "" {
		t.Fatalf("a nested step sent to a backend that timed out in the outer one: %v", err)
	}
	if innerEnd(err) != err {
		t.Error("the nested end annotated the error: only the step's own end does")
	}
	if got := outer(errors.New("failed")).Error(); !strings.Contains(got, "1 query not sent") {
		t.Errorf("outer end: %q", got)
	}
}

func TestQueriesWithoutAStepAreStepsOfTheirOwn(t *testing.T) {
	_ = Run(context.Background(), hung, "detection", hang)
	if err := Run(context.Background(), hung, "again", func(context.Context) error { return nil }); err != nil {
		t.Errorf("a query outside a step was refused: %v", err)
	}
}

// transportTimeout is an HTTP client's own timeout error.
type transportTimeout struct{}

func (transportTimeout) Error() string   { return "Client.Timeout exceeded" }
func (transportTimeout) Timeout() bool   { return true }
func (transportTimeout) Temporary() bool { return true }

func TestATransportTimeoutLatchesToo(t *testing.T) {
	ctx, _ := Begin(context.Background())
	b := Backend{Name: "loki"}
	_ = Run(ctx, b, "labels", func(context.Context) error { return transportTimeout{} })
	if err := Run(ctx, b, "query", func(context.Context) error { return nil }); Reason(err) != "loki timed out on labels" {
		t.Errorf("after a transport timeout: %v", err)
	}
}

func TestFinishIsIdempotentForStreams(t *testing.T) {
	ctx, _ := Begin(context.Background())
	qctx, finish, err := Start(ctx, hung, "trace")
	if err != nil {
		t.Fatal(err)
	}
	<-qctx.Done()
	finish(qctx.Err())
	finish(nil)
	if _, _, err := Start(ctx, hung, "trace again"); Reason(err) == "" {
		t.Errorf("a stream that ran out of time did not latch: %v", err)
	}
}

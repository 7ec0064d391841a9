package fetch

import (
	"context"
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/ui/pane"
)

func now() time.Time { return time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC) }

// run executes cmd and flattens the batch it answers with.
func run(cmd tea.Cmd) []tea.Msg {
	msg := cmd()
	batch, ok := msg.(tea.BatchMsg)
	if !ok {
		return []tea.Msg{msg}
	}
	var out []tea.Msg
	for _, c := range batch {
		out = append(out, c())
	}
	return out
}

func TestStaleAnswersAreDropped(t *testing.T) {
	var tr Tracker
	_, first := tr.Begin(context.Background())
	_, second := tr.Begin(context.Background())
	if tr.Accept(first, nil) {
		t.Error("an answer of the replaced request was accepted")
	}
	if !tr.Accept(second, nil) || tr.InFlight() || !tr.Loaded() {
		t.Error("the awaited answer was not accepted")
	}
	if tr.Accept(second, nil) {
		t.Error("the same answer was accepted twice")
	}
}

func TestBeginCancelsTheRequestInFlight(t *testing.T) {
	var tr Tracker
	ctx, _ := tr.Begin(context.Background())
	tr.Begin(context.Background())
	if !errors.Is(ctx.Err(), context.Canceled) {
		t.Errorf("first request's context: %v, want cancelled", ctx.Err())
	}
}

func TestCancelledCallReportsNoHealth(t *testing.T) {
	var tr Tracker
	ctx, gen := tr.Begin(context.Background())
	tr.Cancel()
	msgs := run(Call(ctx, gen, "loki", now, func(ctx context.Context) (int, error) { return 0, ctx.Err() }))
	if len(msgs) != 1 {
		t.Fatalf("messages = %v, want only the result", msgs)
	}
}

func TestTimedOutCallReportsUnhealthyBackend(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
	defer cancel()
	msgs := run(Call(ctx, 7, "jaeger", now, func(ctx context.Context) (int, error) {
		<-ctx.Done()
		return 0, errors.New("jaeger: timed out")
	}))
	if len(msgs) != 2 {
		t.Fatalf("messages = %v, want result and health", msgs)
	}
	h, ok := msgs[1].(pane.Health)
	if !ok || h.Backend != "jaeger" || h.Err == nil {
		t.Errorf("health = %#v, want jaeger failing", msgs[1])
	}
}

func TestRequestsAreBounded(t *testing.T) {
	var tr Tracker
	ctx, _ := tr.Begin(context.Background())
	deadline, ok := ctx.Deadline()
	if !ok || time.Until(deadline) > Timeout {
		t.Errorf("deadline = %v, %v; want within %v", deadline, ok, Timeout)
	}
}

package fetch

import (
	"context"
	"errors"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/ui/pane"
)

var (
	lastHour = funnel.Last(time.Hour, now())
	lastDay  = funnel.Last(24*time.Hour, now())
)

// newRequest answers with the range it was sent over, or with its
// context's error once that is cancelled.
func newRequest() Request[funnel.TimeRange] {
	env := pane.Env{Ctx: context.Background(), Now: now, Range: lastHour}
	return NewRequest(env, "prometheus", func(r funnel.TimeRange) func(context.Context) (funnel.TimeRange, error) {
		return func(ctx context.Context) (funnel.TimeRange, error) { return r, ctx.Err() }
	})
}

// answer runs cmd and returns the Result it answers with.
func answer(t *testing.T, cmd tea.Cmd) Result[funnel.TimeRange] {
	t.Helper()
	if cmd == nil {
		t.Fatal("no command, want a send")
	}
	result, ok := run(cmd)[0].(Result[funnel.TimeRange])
	if !ok {
		t.Fatalf("first message is not a Result")
	}
	return result
}

func TestRequestKeepsOnlyTheLatestAnswer(t *testing.T) {
	req := newRequest()
	first := answer(t, req.Load())
	second := answer(t, req.Load())
	if _, fresh, _ := req.Update(first); fresh {
		t.Error("the answer to a replaced send was accepted")
	}
	got, fresh, cmd := req.Update(second)
	if !fresh || got != lastHour || cmd != nil || !req.Loaded() {
		t.Errorf("latest answer: value %v, fresh %v, cmd %v, loaded %v; want %v, true, nil, true", got, fresh, cmd != nil, req.Loaded(), lastHour)
	}
	if _, fresh, _ := req.Update(second); fresh {
		t.Error("the same answer was accepted twice")
	}
}

func TestRequestFailedAnswerIsNotFresh(t *testing.T) {
	req := newRequest()
	req.Load()
	_, fresh, _ := req.Update(Result[funnel.TimeRange]{Gen: req.gen, Err: errors.New("prometheus: 503")})
	if fresh || req.Err() == nil || req.Loaded() || req.InFlight() {
		t.Errorf("fresh %v, err %v, loaded %v, in flight %v; want a recorded failure", fresh, req.Err(), req.Loaded(), req.InFlight())
	}
}

func TestRequestRefreshesOnlyWhenIdle(t *testing.T) {
	req := newRequest()
	sent := answer(t, req.Load())
	if _, _, cmd := req.Update(pane.Refresh{}); cmd != nil {
		t.Error("a refresh while a send is in flight sent another")
	}
	req.Update(sent)
	if got := answer(t, updateCmd(&req, pane.Refresh{})); got.Value != lastHour {
		t.Errorf("refresh sent over %v, want %v", got.Value, lastHour)
	}
}

func TestRequestFollowsTheRange(t *testing.T) {
	tests := []struct {
		name     string
		to       funnel.TimeRange
		wantSend bool
	}{
		{"moved", lastDay, true},
		{"unchanged", lastHour, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := newRequest()
			req.Update(answer(t, req.Load()))
			cmd := updateCmd(&req, pane.RangeChanged{Range: tt.to})
			if (cmd != nil) != tt.wantSend || req.Range() != tt.to {
				t.Fatalf("send %v, range %v; want send %v, range %v", cmd != nil, req.Range(), tt.wantSend, tt.to)
			}
			if cmd != nil && answer(t, cmd).Value != tt.to {
				t.Error("the new send did not cover the new range")
			}
		})
	}
}

func TestRequestCancelDropsTheSendInFlight(t *testing.T) {
	req := newRequest()
	cmd := req.Load()
	req.Cancel()
	msgs := run(cmd)
	result := msgs[0].(Result[funnel.TimeRange])
	if !errors.Is(result.Err, context.Canceled) || len(msgs) != 1 {
		t.Errorf("call error %v with %d messages; want cancelled, no health", result.Err, len(msgs))
	}
	if _, fresh, _ := req.Update(result); fresh || req.Err() != nil {
		t.Error("the answer to a cancelled send was accepted")
	}
	if _, _, cmd := req.Update(pane.Refresh{}); cmd == nil {
		t.Error("a refresh after Cancel sent nothing")
	}
}

func TestRequestIgnoresOtherMessages(t *testing.T) {
	req := newRequest()
	req.Load()
	if _, fresh, cmd := req.Update(Result[string]{Gen: req.gen}); fresh || cmd != nil || !req.InFlight() {
		t.Error("an answer of another type was taken")
	}
}

func updateCmd(req *Request[funnel.TimeRange], msg tea.Msg) tea.Cmd {
	_, _, cmd := req.Update(msg)
	return cmd
}

func TestOnlyAskedForRefreshesAreFresh(t *testing.T) {
	env := pane.Env{Ctx: context.Background(), Now: now, Range: lastHour}
	req := NewRequest(env, "prometheus", func(funnel.TimeRange) func(context.Context) (bool, error) {
		return func(ctx context.Context) (bool, error) { return Fresh(ctx), nil }
	})
	var got []bool
	for _, msg := range []tea.Msg{nil, pane.Refresh{Live: true}, pane.Refresh{}} {
		var cmd tea.Cmd
		if msg == nil {
			cmd = req.Load()
		} else {
			_, _, cmd = req.Update(msg)
		}
		res, ok := run(cmd)[0].(Result[bool])
		if !ok {
			t.Fatal("first message is not a Result")
		}
		req.Update(res)
		got = append(got, res.Value)
	}
	if len(got) != 3 || got[0] || got[1] || !got[2] {
		t.Errorf("fresh per send (load, live tick, key r) = %v, want [false false true]", got)
	}
}

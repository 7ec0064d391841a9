package uitest

import (
	"sync/atomic"
	"time"

	tea "charm.land/bubbletea/v2"
)

// Ticker is a live-refresh timer (ui.Options.Ticker, as Tick) that fires
// only when told, for tests and benchmarks that run a real program: every
// timer the model starts waits for Fire, which answers as at At, or for
// Stop, which ends it with no message. Its commands block, so it is not
// for a Driver.
type Ticker struct {
	At      time.Time
	fire    chan struct{}
	stop    chan struct{}
	started atomic.Int32
}

// NewTicker returns a Ticker whose ticks carry at.
func NewTicker(at time.Time) *Ticker {
	return &Ticker{At: at, fire: make(chan struct{}), stop: make(chan struct{})}
}

// Tick starts a timer, as tea.Tick does.
func (t *Ticker) Tick(_ time.Duration, msg func(time.Time) tea.Msg) tea.Cmd {
	t.started.Add(1)
	return func() tea.Msg {
		select {
		case <-t.fire:
			return msg(t.At)
		case <-t.stop:
			return nil
		}
	}
}

// Fire fires one timer, waiting until one is running.
func (t *Ticker) Fire() { t.fire <- struct{}{} }

// Stop ends every timer, running or started later, with no message.
func (t *Ticker) Stop() { close(t.stop) }

// Started is how many timers were started: the model starts the next one
// when it handles a tick.
func (t *Ticker) Started() int32 { return t.started.Load() }

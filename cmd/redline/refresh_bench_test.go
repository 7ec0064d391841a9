package main

import (
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// countingWriter is a terminal that counts what it is sent.
type countingWriter struct {
	mu      sync.Mutex
	written int
	last    time.Time
	frames  [][]byte
	keep    bool
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.written += len(p)
	w.last = time.Now()
	if w.keep {
		w.frames = append(w.frames, append([]byte(nil), p...))
	}
	return len(p), nil
}

func (w *countingWriter) state() (int, time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.written, w.last
}

// settle waits until nothing was written for quiet since since, and
// returns the total written so far.
func (w *countingWriter) settle(since time.Time, quiet time.Duration) int {
	for {
		n, last := w.state()
		if last.Before(since) {
			last = since
		}
		if time.Since(last) >= quiet {
			return n
		}
		time.Sleep(quiet / 5)
	}
}

// BenchmarkIdleRefreshBytes measures the bytes a real program writes to a
// 120×40 terminal for one live-refresh cycle on the demo with a fixed
// clock, so nothing changed (B/refresh; target ≤ 1 KB). The terminal takes
// true colour, as over SSH. What is left is the status bar saying
// "⟳ loading" while the refresh is in flight, then "● live" again.
func BenchmarkIdleRefreshBytes(b *testing.B) {
	const quiet = 250 * time.Millisecond
	ticker := uitest.NewTicker(clock)
	opts := demoOptions(fixedNow)
	opts.Ticker = ticker.Tick
	term := &countingWriter{}
	p := tea.NewProgram(ui.New(opts), tea.WithOutput(term), tea.WithInput(nil),
		tea.WithWindowSize(120, 40), tea.WithoutSignals(), tea.WithColorProfile(colorprofile.TrueColor))
	ran := make(chan error, 1)
	go func() { _, err := p.Run(); ran <- err }()
	defer func() {
		ticker.Stop()
		p.Quit()
		if err := <-ran; err != nil {
			b.Error(err)
		}
	}()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(quiet / 5) {
		if n, _ := term.state(); n > 0 {
			break
		}
		if time.Now().After(deadline) {
			b.Fatal("the program drew nothing in 10s")
		}
	}
	total := 0
	for b.Loop() {
		before := term.settle(time.Time{}, quiet)
		timers := ticker.Started()
		fired := time.Now()
		ticker.Fire()
		total += term.settle(fired, quiet) - before
		if ticker.Started() != timers+1 {
			b.Fatal("the model did not handle the tick")
		}
	}
	b.ReportMetric(float64(total)/float64(b.N), "B/refresh")
}

package serve

import (
	"net"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

var benchClock = time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC)

// countingConn counts the bytes the client reads off the wire.
type countingConn struct {
	net.Conn
	read *atomic.Int64
}

func (c countingConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	c.read.Add(int64(n))
	return n, err
}

// settle waits until n has not grown for quiet and returns it.
func settle(n func() int64, quiet time.Duration) int64 {
	last, since := n(), time.Now()
	for time.Since(since) < quiet {
		time.Sleep(quiet / 5)
		if v := n(); v != last {
			last, since = v, time.Now()
		}
	}
	return last
}

// BenchmarkIdleRefreshBytesOverSSH measures what one live refresh of the
// demo with a fixed clock (so nothing changed) costs a 120×40 true-colour
// session over SSH: the channel's payload (B/refresh, target ≤ 1 KB) and
// the encrypted bytes on the wire (wire-B/refresh).
func BenchmarkIdleRefreshBytesOverSSH(b *testing.B) {
	const quiet = 250 * time.Millisecond
	ticker := uitest.NewTicker(benchClock)
	defer ticker.Stop()
	fixed := func() time.Time { return benchClock }
	ts := startServer(b, Config{Session: func(string) (ui.Options, error) {
		src := demo.New(demo.Options{Seed: 1, Now: fixed})
		return ui.Options{Sources: ui.Sources{Metrics: src, Traces: src, Logs: src}, Now: fixed, Ticker: ticker.Tick, Context: "demo"}, nil
	}})
	var wire atomic.Int64
	ts.wrap = func(c net.Conn) net.Conn { return countingConn{Conn: c, read: &wire} }
	term := ts.openTerminal(b, 120, 40, map[string]string{"COLORTERM": "truecolor"})
	term.waitFor(firstRow)
	payload := func() int64 { return int64(term.received()) }
	var sent, onWire int64
	for b.Loop() {
		p0, w0 := settle(payload, quiet), wire.Load()
		timers := ticker.Started()
		ticker.Fire()
		sent += settle(payload, quiet) - p0
		onWire += wire.Load() - w0
		if ticker.Started() != timers+1 {
			b.Fatal("the model did not handle the tick")
		}
	}
	b.ReportMetric(float64(sent)/float64(b.N), "B/refresh")
	b.ReportMetric(float64(onWire)/float64(b.N), "wire-B/refresh")
}

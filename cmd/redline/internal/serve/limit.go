package serve

import (
	"sync"
	"time"
)

// failures rate-limits failed logins per client host: after max failed
// connections within a period, the host's further attempts are refused
// unchecked until the period that started with its first failure is over.
// A connection counts once however many keys it offered: an agent holding
// several keys offers each in turn, and that is one login, not several.
type failures struct {
	max    int
	period time.Duration
	now    func() time.Time

	mu     sync.Mutex
	byHost map[string]failureWindow
}

type failureWindow struct {
	start    time.Time
	count    int
	lastConn string // the connection counted last, so its further failures are not
}

// maxTrackedHosts bounds the table; past it, expired windows are dropped.
const maxTrackedHosts = 4096

func newFailures(max int, period time.Duration) *failures {
	return &failures{max: max, period: period, now: time.Now, byHost: map[string]failureWindow{}}
}

// blocked reports whether host is over its limit.
func (f *failures) blocked(host string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.byHost[host]
	return ok && f.now().Sub(w.start) < f.period && w.count >= f.max
}

// record counts a failure of conn (the client's address with its port)
// from host, once per connection.
func (f *failures) record(host, conn string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	w := f.byHost[host]
	if now.Sub(w.start) >= f.period {
		w = failureWindow{start: now}
	}
	if w.lastConn == conn && w.count > 0 {
		return
	}
	w.count++
	w.lastConn = conn
	f.byHost[host] = w
	if len(f.byHost) > maxTrackedHosts {
		for h, w := range f.byHost {
			if now.Sub(w.start) >= f.period {
				delete(f.byHost, h)
			}
		}
	}
}

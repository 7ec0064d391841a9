package serve

import (
	"sync"
	"time"
)

// failures rate-limits failed logins per client host: after max failures
// within a period, the host's further attempts are refused unchecked until
// the period that started with its first failure is over.
type failures struct {
	max    int
	period time.Duration
	now    func() time.Time

	mu     sync.Mutex
	byHost map[string]failureWindow
}

type failureWindow struct {
	start time.Time
	count int
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

// record counts one failure of host.
func (f *failures) record(host string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	w := f.byHost[host]
	if now.Sub(w.start) >= f.period {
		w = failureWindow{start: now}
	}
	w.count++
	f.byHost[host] = w
	if len(f.byHost) > maxTrackedHosts {
		for h, w := range f.byHost {
			if now.Sub(w.start) >= f.period {
				delete(f.byHost, h)
			}
		}
	}
}

// Package demo is an embedded, deterministic demo incident that answers like
// the live backends (metrics like Prometheus, traces like Tempo, logs like
// Loki), so `redline --demo` walks the whole funnel offline.
//
// The story: since IncidentStart (47 minutes by default) the card gateway
// behind payments times out. checkout's POST /api/checkout calls payments'
// POST /charge, which gives the gateway 2.5s per attempt, retries once and
// opens its circuit breaker; checkout gives up after 5s with "context
// deadline exceeded". checkout's availability SLO pages, payments and
// frontend burn faster than sustainable, inventory recovers from a database
// failover three hours ago, and shipping has too little traffic to trust.
//
// Everything is a pure function of the seed and the clock: the same seed and
// the same Now give identical answers, and a later Now moves the numbers.
// Trace IDs encode the route, start time and shape of their trace, so any
// ID the demo hands out resolves through Trace. The last trace FindTraces
// lists for checkout's GET /api/checkout/{id} (unless ErrorsOnly) is a
// stress trace of exactly 100,000 spans.
package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/redline-tui/redline/funnel"
)

// Backend is the name the demo reports as its backend.
const Backend = "demo"

// DefaultIncidentStart is how long before New the gateway timeouts began.
const DefaultIncidentStart = 47 * time.Minute

// Options configure the demo incident.
type Options struct {
	// Seed varies noise, trace IDs and trace shapes; the story stays the same.
	Seed int64
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// IncidentStart is how long before New the burn started; 0 means
	// DefaultIncidentStart.
	IncidentStart time.Duration
}

// Source is the demo backend. It implements the metrics, traces and logs
// method sets the UI consumes. It is safe for concurrent use.
type Source struct {
	seed          int64
	now           func() time.Time
	incidentStart time.Time // when the gateway timeouts began
	blipStart     time.Time // when the inventory database failover began
	resources     map[string][]resourceSet
}

// New builds the demo incident anchored at opts.Now().
func New(opts Options) *Source {
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	ago := opts.IncidentStart
	if ago <= 0 {
		ago = DefaultIncidentStart
	}
	anchor := now()
	return &Source{
		seed:          opts.Seed,
		now:           now,
		incidentStart: anchor.Add(-ago),
		blipStart:     anchor.Add(-blipAgo),
		resources:     buildResources(opts.Seed),
	}
}

// Name returns "demo".
func (s *Source) Name() string { return Backend }

// cancelled returns the context's error, named after the backend, when ctx
// is done.
func cancelled(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("demo: %w", err)
	}
	return nil
}

// resolveRange fills a zero range with the last hour and keeps it out of
// the future.
func (s *Source) resolveRange(r funnel.TimeRange) funnel.TimeRange {
	now := s.now()
	if r.End.IsZero() || r.End.After(now) {
		r.End = now
	}
	if r.Start.IsZero() || !r.Start.Before(r.End) {
		r.Start = r.End.Add(-time.Hour)
	}
	return r
}

package demo

import (
	"time"

	"github.com/redline-tui/redline/funnel"
)

func FunnelLast(now time.Time) funnel.TimeRange { return funnel.Last(time.Hour, now) }

func newTestSource(seed int64) *Source {
	now := time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	return New(Options{Seed: seed, Now: func() time.Time { return now }})
}

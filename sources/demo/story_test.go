package demo

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
)

// TestStoryHoldsAcrossSeedsAndTimesOfDay: the seed varies noise and the
// clock varies traffic, but the story must read the same at New time.
func TestStoryHoldsAcrossSeedsAndTimesOfDay(t *testing.T) {
	for seed := int64(1); seed <= 4; seed++ {
		for hour := 0; hour < 24; hour += 5 {
			now := time.Date(2026, 11, 21, hour, 17, 42, 0, time.UTC)
			t.Run(fmt.Sprintf("seed %d at %02d:17", seed, hour), func(t *testing.T) {
				r, err := newSourceAt(seed, now).SLOs(context.Background(), funnel.TimeRange{})
				if err != nil {
					t.Fatal(err)
				}
				if first := r.Statuses[0]; first.Objective.Service != "checkout" || first.Verdict != slo.Critical {
					t.Errorf("first: %s %s %v", first.Objective.Service, first.Objective.Name, first.Verdict)
				}
				for _, st := range r.Statuses {
					if st.Objective.Service == "inventory" && st.Verdict != slo.Recovering {
						t.Errorf("inventory %v", st.Verdict)
					}
					switch {
					case st.Objective.Service != "payments":
					case st.Objective.Origin == slo.OriginAssumed:
						if !st.Objective.IsLatency() || !(st.CurrentBurn > 2) {
							t.Errorf("payments' assumed %s SLO burns %v×, want a latency SLO burning over 2×", st.Objective.Name, st.CurrentBurn)
						}
					case st.Verdict != slo.Increasing && st.Verdict != slo.Critical:
						t.Errorf("payments %v", st.Verdict)
					}
				}
			})
		}
	}
}

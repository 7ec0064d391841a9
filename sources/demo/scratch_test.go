package demo

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	now := time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	s := New(Options{Seed: 1, Now: func() time.Time { return now }})
	t0 := time.Now()
	rep, err := s.SLOs(context.Background(), FunnelLast(now))
	fmt.Println("slos", time.Since(t0), err)
	for _, st := range rep.Statuses {
		fmt.Printf("%-10s %-12s %-10s cur=%6.2f rem=%.3f tte=%v low=%v %q\n", st.Objective.Service, st.Objective.Name, st.Verdict, st.CurrentBurn, st.BudgetRemaining, st.TimeToExhaustion, st.LowTraffic, st.Caveat)
		for _, b := range st.Burns {
			fmt.Printf("     %s %v/%v f=%.1f long=%.2f short=%.2f %v\n", b.Severity, b.Long, b.Short, b.Factor, b.LongBurn, b.ShortBurn, b.Firing)
		}
	}
	for _, svc := range []string{"checkout", "payments"} {
		t0 = time.Now()
		rr, err := s.Routes(context.Background(), svc, FunnelLast(now))
		fmt.Println("routes", time.Since(t0), err)
		for _, r := range rr.Rows {
			fmt.Printf("%-32s %7.2f/s err=%.4f p50=%v p95=%v p99=%v share=%.2f ex=%d\n", r.Route, r.Rate, r.ErrorRatio, r.P50, r.P95, r.P99, r.BurnShare, len(r.Exemplars))
		}
	}
}

package prometheus

import (
	"context"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
)

func statusOf(t *testing.T, rep slo.Report, service, name string) slo.Status {
	t.Helper()
	i := slices.IndexFunc(rep.Statuses, func(s slo.Status) bool {
		return s.Objective.Service == service && s.Objective.Name == name
	})
	if i < 0 {
		var got []string
		for _, s := range rep.Statuses {
			got = append(got, s.Objective.Service+"/"+s.Objective.Name)
		}
		t.Fatalf("no status %s/%s; got %q", service, name, got)
	}
	return rep.Statuses[i]
}

func slosFrom(t *testing.T, name string, cfg Config) (slo.Report, *fakeProm) {
	t.Helper()
	f := newFakeProm(t, loadFixture(t, name))
	c := f.client(t, cfg)
	c.now = func() time.Time { return fixtureNow }
	rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
	if err != nil {
		t.Fatal(err)
	}
	if u := f.unknownQueries(); len(u) > 0 {
		t.Errorf("unexpected requests:\n%s", strings.Join(u, "\n"))
	}
	return rep, f
}

var charges = SLOSpec{Service: "billing", Name: "charges", Objective: 0.99, ErrorQuery: `charges_total{result="failed"}`, TotalQuery: "charges_total"}

func TestAssumedAndConfigSLOs(t *testing.T) {
	rep, _ := slosFrom(t, "otel.json", Config{SLOs: []SLOSpec{charges}, Assume: Assume{NoLatency: true}})
	if len(rep.Statuses) != 4 {
		t.Fatalf("%d statuses, want shop, payments, legacy (assumed) and billing (config)", len(rep.Statuses))
	}
	shop := statusOf(t, rep, "shop", "availability")
	if shop.Objective.Origin != slo.OriginAssumed || shop.Objective.Target != 0.999 || shop.Objective.SLI != "HTTP 5xx / all requests (OTel semconv)" {
		t.Errorf("shop objective %+v", shop.Objective)
	}
	if shop.Verdict != slo.Critical || !near(shop.CurrentBurn, 50) {
		t.Errorf("shop verdict %v current burn %v, want CRITICAL at 50× (30 of 600 failed over 5m)", shop.Verdict, shop.CurrentBurn)
	}
	if !near(shop.BudgetRemaining, 0.6) {
		t.Errorf("shop budget remaining %v, want 0.6 (2000 of 5e6 failed over 30d)", shop.BudgetRemaining)
	}
	if len(shop.BurnHistory) != 4 || !near(shop.BurnHistory[3].Value, 41.7) {
		t.Errorf("shop burn history %v, want 4 points ending at 41.7", shop.BurnHistory)
	}
	payments := statusOf(t, rep, "payments", "availability")
	if payments.CurrentBurn != 0 || !payments.LowTraffic {
		t.Errorf("assumed payments: burn %v low traffic %v, want 0 (no failed series) and low traffic (50 events over 5m)", payments.CurrentBurn, payments.LowTraffic)
	}
	configured := statusOf(t, rep, "billing", "charges")
	if configured.Objective.Origin != slo.OriginConfig || !near(configured.CurrentBurn, 0.1) || !near(configured.BudgetRemaining, 0.9) {
		t.Errorf("config SLO: origin %s burn %v budget %v, want config, 0.1, 0.9", configured.Objective.Origin, configured.CurrentBurn, configured.BudgetRemaining)
	}
	legacy := statusOf(t, rep, "legacy", "availability")
	if legacy.Objective.SLI != "HTTP 5xx / all requests (classic client_golang)" {
		t.Errorf("legacy SLI %q, want classic counters", legacy.Objective.SLI)
	}
	if rep.Statuses[0].Objective.Service != "shop" {
		t.Errorf("worst status first: got %s", rep.Statuses[0].Objective.Service)
	}
	for _, q := range rep.Queries {
		if strings.HasPrefix(q.Text, "slo:") || strings.Contains(q.Text, "sloth") {
			t.Errorf("Sloth query %q recorded though no Sloth rules exist", q.Text)
		}
	}
}

func TestSlothSLOs(t *testing.T) {
	rep, _ := slosFrom(t, "sloth.json", Config{})
	if len(rep.Statuses) != 2 {
		t.Fatalf("%d statuses, want 2", len(rep.Statuses))
	}
	avail := statusOf(t, rep, "shop", "requests-availability")
	if avail.Objective.Target != 0.999 || avail.Objective.Origin != slo.OriginSloth || avail.Objective.Period != 30*24*time.Hour {
		t.Errorf("objective %+v, want 0.999 over 30d from Sloth", avail.Objective)
	}
	if !near(avail.CurrentBurn, 20) || !near(avail.BudgetRemaining, 0.6) || avail.Verdict != slo.Critical {
		t.Errorf("burn %v budget %v verdict %v, want 20, 0.6, CRITICAL", avail.CurrentBurn, avail.BudgetRemaining, avail.Verdict)
	}
	if len(avail.BurnHistory) != 4 || !near(avail.BurnHistory[3].Value, 15) {
		t.Errorf("burn history %v, want 4 points ending at 15", avail.BurnHistory)
	}
	latency := statusOf(t, rep, "payments", "charge-latency")
	if latency.Objective.Period != 28*24*time.Hour || !near(latency.BudgetRemaining, 0.8) {
		t.Errorf("period %v budget %v, want 28d and 0.8 (period ratio computed with avg_over_time)", latency.Objective.Period, latency.BudgetRemaining)
	}
	if latency.Verdict != slo.OK || latency.LowTraffic {
		t.Errorf("latency verdict %v low traffic %v, want OK without a traffic caveat (no counts from rules)", latency.Verdict, latency.LowTraffic)
	}
}

func TestPyrraSLOsDiscoveredByName(t *testing.T) {
	rep, f := slosFrom(t, "pyrra.json", Config{})
	if len(rep.Statuses) != 1 {
		t.Fatalf("%d statuses, want 1", len(rep.Statuses))
	}
	s := rep.Statuses[0]
	if s.Objective.Service != "shop" || s.Objective.Name != "shop-availability" || s.Objective.Origin != slo.OriginPyrra {
		t.Errorf("objective %+v", s.Objective)
	}
	if s.Objective.Target != 0.995 || s.Objective.Period != 30*24*time.Hour {
		t.Errorf("target %v period %v, want 0.995 (from the alert rule) over 30d (from the increase rule)", s.Objective.Target, s.Objective.Period)
	}
	if !near(s.CurrentBurn, 10) || !near(s.BudgetRemaining, 0.9) {
		t.Errorf("burn %v budget %v, want 10 and 0.9", s.CurrentBurn, s.BudgetRemaining)
	}
	if !near(s.Burns[0].LongBurn, 6) || !near(s.Burns[3].LongBurn, 0.4) {
		t.Errorf("1h burn %v (from burnrate1h4m), 3d burn %v (from burnrate4d6h51m), want 6 and 0.4", s.Burns[0].LongBurn, s.Burns[3].LongBurn)
	}
	if len(s.BurnHistory) != 4 {
		t.Errorf("burn history %v, want 4 points", s.BurnHistory)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.ContainsFunc(f.asked, func(a string) bool { return strings.HasPrefix(a, "/api/v1/rules") }) {
		t.Error("objective not read from Pyrra's alert rules")
	}
	ruleLookups := slices.DeleteFunc(slices.Clone(f.asked), func(a string) bool { return !strings.HasPrefix(a, "/api/v1/label/__name__/") })
	if len(ruleLookups) != 1 {
		t.Errorf("Pyrra's rule names looked up %d times, want once (by detection, in its one round)", len(ruleLookups))
	}
}

func TestPyrraStandardWindow(t *testing.T) {
	day := 24 * time.Hour
	tests := []struct {
		w, period, want time.Duration
	}{
		{time.Hour + 4*time.Minute, 30 * day, time.Hour},
		{32 * time.Minute, 30 * day, 30 * time.Minute},
		{4*day + 6*time.Hour + 51*time.Minute, 30 * day, 3 * day},
		{time.Hour, 28 * day, time.Hour},
		{15 * time.Minute, 7 * day, time.Hour},
	}
	for _, tt := range tests {
		if got := pyrraStandardWindow(tt.w, tt.period); got != tt.want {
			t.Errorf("pyrraStandardWindow(%s, %s) = %s, want %s", tt.w, tt.period, got, tt.want)
		}
	}
}

func TestEventCount(t *testing.T) {
	tests := []struct{ q, want string }{
		{`http_requests_total{code=~"5.."}`, `sum(increase(http_requests_total{code=~"5.."}[1h]))`},
		{`sum(increase(a[$window])) + sum(increase(b[$window]))`, `sum(sum(increase(a[1h])) + sum(increase(b[1h])))`},
	}
	for _, tt := range tests {
		if got := eventCount(tt.q, time.Hour); got != tt.want {
			t.Errorf("eventCount(%q) = %q, want %q", tt.q, got, tt.want)
		}
	}
}

func TestCountRatio(t *testing.T) {
	if r := countRatio(time.Hour, 0, 0, true, "all"); !math.IsNaN(r.ErrorRatio) || r.Total != 0 {
		t.Errorf("no traffic: %+v, want unknown ratio and total 0", r)
	}
	if r := countRatio(time.Hour, 5, 100, false, "all"); !math.IsNaN(r.ErrorRatio) || !math.IsNaN(r.Total) {
		t.Errorf("unknown total: %+v, want NaN", r)
	}
	if r := countRatio(time.Hour, 5, 100, true, "all"); r.ErrorRatio != 0.05 || r.Query != "all" {
		t.Errorf("ratio %v, want 0.05", r.ErrorRatio)
	}
}

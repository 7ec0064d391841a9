package main

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/spf13/pflag"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// promLikeMetrics is the demo answering as a Prometheus without payments
// SLOs would (assume: off): payments' SLOs are gone, an alert naming
// payments by its job label fires for no SLO, and a service it does not
// know has no routes rather than an error.
type promLikeMetrics struct{ ui.Metrics }

func (m promLikeMetrics) SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	rep, err := m.Metrics.SLOs(ctx, r)
	rep.Statuses = slices.DeleteFunc(slices.Clone(rep.Statuses), func(s slo.Status) bool { return s.Objective.Service == "payments" })
	rep.Unmatched = append(rep.Unmatched, alert.Alert{Name: "PaymentsQueueBacklog", State: alert.Firing, Severity: "ticket",
		Labels: map[string]string{"alertname": "PaymentsQueueBacklog", "job": "payments"}, ActiveAt: snapshotNow.Add(-10 * 60e9)})
	return rep, err
}

func (m promLikeMetrics) Routes(ctx context.Context, q red.Query) (red.Report, error) {
	if !slices.Contains([]string{"checkout", "payments", "frontend", "inventory", "cart", "shipping"}, q.Service) {
		return red.Report{Service: q.Service}, nil
	}
	return m.Metrics.Routes(ctx, q)
}

// TestSnapshotEntries: `redline snapshot` lands where --alert, --slo,
// --service and --route say (the path says how), and a name that matches
// nothing exits 2 listing what exists, printing no snapshot.
func TestSnapshotEntries(t *testing.T) {
	src := demoSource()
	fake := ui.Sources{Metrics: promLikeMetrics{src}, Traces: src, Logs: src}
	tests := []struct {
		name    string
		sources ui.Sources
		entry   walk.Entry
		code    int
		stdout  []string
		stderr  string
	}{
		{name: "alert", entry: walk.Entry{Alert: "CheckoutAvailabilityErrorBudgetBurn"},
			stdout: []string{"SLO checkout/availability (alert CheckoutAvailabilityErrorBudgetBurn) → route POST /api/checkout (highest burn share)", "Alerts firing"}},
		{name: "alert and route", entry: walk.Entry{Alert: "CheckoutAvailabilityErrorBudgetBurn", Route: "GET /api/cart/summary"},
			stdout: []string{"(alert CheckoutAvailabilityErrorBudgetBurn) → route GET /api/cart/summary (given)"}},
		{name: "unknown alert", entry: walk.Entry{Alert: "CheckoutDown"}, code: exitUsage,
			stderr: `redline snapshot: no firing alert named "CheckoutDown"; firing: CheckoutAvailabilityErrorBudgetBurn, NodeFilesystemAlmostFull`},
		{name: "alert of no SLO and no service", entry: walk.Entry{Alert: "NodeFilesystemAlmostFull"}, code: exitUsage,
			stderr: "alert NodeFilesystemAlmostFull pages for no SLO and names no service"},
		{name: "slo", entry: walk.Entry{SLO: "payments/latency"}, stdout: []string{"SLO payments/latency (given) → route"}},
		{name: "unknown slo", entry: walk.Entry{SLO: "payments/errors"}, code: exitUsage,
			stderr: `no SLO "payments/errors"; SLOs: checkout/availability, payments/availability, frontend/availability, inventory/availability, payments/latency, checkout/latency, shipping/availability, cart/availability`},
		{name: "service", entry: walk.Entry{Service: "checkout"}, stdout: []string{"SLO checkout/availability (worst of service checkout)"}},
		{name: "unknown route", entry: walk.Entry{Service: "checkout", Route: "GET /nope"}, code: exitUsage,
			stderr: `no route "GET /nope" of service checkout; routes: POST /api/checkout, GET /api/cart/summary`},
		{name: "fake: alert of no SLO naming a service", sources: fake, entry: walk.Entry{Alert: "PaymentsQueueBacklog"},
			stdout: []string{"RED of payments", "**Path:** route POST /charge (alert PaymentsQueueBacklog; highest burn share)"}, stderr: "took the routes of the service it names, payments"},
		{name: "fake: service without an SLO", sources: fake, entry: walk.Entry{Service: "payments"},
			stdout: []string{"RED of payments"}, stderr: `no SLO of service "payments": starting at its routes`},
		{name: "fake: unknown service", sources: fake, entry: walk.Entry{Service: "billing"}, code: exitUsage,
			stderr: `no service "billing" with SLOs or routes in the range; services: checkout, frontend, inventory, shipping, cart`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.sources.Metrics == nil {
				tt.sources = demoBackends()
			}
			var stdout, stderr bytes.Buffer
			req := snapshotRequest{Entry: tt.entry, Format: "md", Now: snapshotClock}
			if code := runSnapshot(context.Background(), tt.sources, req, &stdout, &stderr); code != tt.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tt.code, stderr.String())
			}
			for _, want := range tt.stdout {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("snapshot lacks %q:\n%s", want, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr %q lacks %q", stderr.String(), tt.stderr)
			}
			if tt.code == exitUsage && stdout.Len() > 0 {
				t.Errorf("a miss printed a snapshot:\n%s", stdout.String())
			}
		})
	}
}

// TestEntryFlags: redline and redline snapshot take the same entry flags;
// a usage mistake or a name that matches nothing exits 2 saying why. run
// reads the wall clock, at which the demo's routes rank differently, so
// only what holds at any time is checked here (TestSnapshotEntries checks
// the listings at a fixed time).
func TestEntryFlags(t *testing.T) {
	tests := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"--demo", "--alert", "A", "--slo", "b/c"}, exitUsage, "", "redline: --alert, --slo and --service each choose where to open: give one"},
		{[]string{"--demo", "--slo", "checkout"}, exitUsage, "", `redline: --slo "checkout": write SERVICE/NAME`},
		{[]string{"snapshot", "--demo", "--service", "checkout", "--alert", "A"}, exitUsage, "", "redline snapshot: --alert, --slo and --service"},
		{[]string{"snapshot", "--demo", "--alert", "CheckoutDown"}, exitUsage, "", `redline snapshot: no firing alert named "CheckoutDown"; firing: `},
		{[]string{"snapshot", "--demo", "--format", "md", "--slo", "checkout/availability", "--route", "GET /api/cart/summary"}, 0,
			"SLO checkout/availability (given) → route GET /api/cart/summary (given)", ""},
		{[]string{"snapshot", "--demo", "--slo", "payments/latency", "--route", "POST /nope"}, exitUsage, "",
			`redline snapshot: no route "POST /nope" of service payments; routes: `},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("run(%q) = %d, stdout %q, stderr %q; want %d, %q, %q",
				tt.args, code, firstLine(stdout.String()), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
	}
}

// TestEntryOpensTheDemo: `redline --demo --alert …` parses into the UI's
// entry, which opens on the routes of the SLO the demo's burn alert pages
// for; an alert the demo does not fire leaves the SLO list, naming those it
// does.
func TestEntryOpensTheDemo(t *testing.T) {
	for _, tt := range []struct {
		alert, crumb, says string
	}{
		{"CheckoutAvailabilityErrorBudgetBurn", "redline demo ▸ SLOs ▸ checkout", "Routes of checkout"},
		{"CheckoutDown", "redline demo ▸ SLOs", "firing: CheckoutAvailabilityErrorBudgetBurn"},
	} {
		var o options
		fs := pflag.NewFlagSet("redline", pflag.ContinueOnError)
		o.define(fs)
		if err := fs.Parse([]string{"--demo", "--alert", tt.alert}); err != nil {
			t.Fatal(err)
		}
		var stderr bytes.Buffer
		wired, _, code := tuiOptions(o, &stderr)
		if code != 0 || wired.Entry != (walk.Entry{Alert: tt.alert}) {
			t.Fatalf("exit %d, entry %+v: %s", code, wired.Entry, stderr.String())
		}
		opts := demoOptions(fixedNow) // the demo at the goldens' clock
		opts.Entry, opts.Ticker = wired.Entry, uitest.NeverTick
		d := uitest.New(t, ui.New(opts), 80, 24)
		s := strings.Join(strings.Fields(screen(d)), " ")
		if crumb := crumb(screen(d)); crumb != tt.crumb || !strings.Contains(s, tt.says) {
			t.Errorf("--alert %s: breadcrumb %q, want %q, and %q on:\n%s", tt.alert, crumb, tt.crumb, tt.says, screen(d))
		}
	}
}

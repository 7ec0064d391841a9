package ui

import (
	"slices"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redline-tui/redline/funnel/walk"
)

// entryDriver runs the root with entry on the incident with its alerts.
func entryDriver(t *testing.T, e walk.Entry, edit func(*fixture)) *driver {
	t.Helper()
	data := defaultIncident()
	data.alerts = incidentAlerts()
	if edit != nil {
		edit(&data)
	}
	opts := withSnapshots(t, allFrom(newFake("demo", data)))
	opts.Entry, opts.NoColor = e, true
	return newDriver(t, 80, 24, opts)
}

// TestEntryBuildsTheStack: an entry opens with the stack a user would have
// drilled (SLOs ▸ routes ▸ traces), the rows it went through selected, and
// Esc walks back to the SLO list.
func TestEntryBuildsTheStack(t *testing.T) {
	tests := []struct {
		name   string
		entry  walk.Entry
		titles []string
		slo    string // the SLO row selected below
		notice string
	}{
		{"alert", walk.Entry{Alert: "CheckoutAvailabilityBurn"}, []string{"SLOs", "checkout"}, "checkout     availability", ""},
		{"alert on a service's SLOs", walk.Entry{Alert: "FrontendSlow"}, []string{"SLOs", "frontend"}, "frontend     latency", ""},
		{"slo", walk.Entry{SLO: "frontend/latency"}, []string{"SLOs", "frontend"}, "frontend     latency", ""},
		{"service and route", walk.Entry{Service: "checkout", Route: "POST /api/checkout"},
			[]string{"SLOs", "checkout", "POST /api/checkout"}, "checkout     availability", ""},
		{"alert and route", walk.Entry{Alert: "CheckoutAvailabilityBurn", Route: "GET /api/cart"},
			[]string{"SLOs", "checkout", "GET /api/cart"}, "checkout     availability", ""},
		{"service without an SLO: its routes", walk.Entry{Service: "payments"}, []string{"SLOs", "payments"}, "checkout     availability",
			`no SLO of service "payments": starting at its routes`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := entryDriver(t, tt.entry, nil)
			if !slices.Equal(d.titles(), tt.titles) {
				t.Fatalf("stack %v, want %v\n%s", d.titles(), tt.titles, d.screen())
			}
			if d.m().notice != tt.notice {
				t.Errorf("notice %q, want %q", d.m().notice, tt.notice)
			}
			for depth := len(tt.titles) - 1; depth >= 1; depth-- {
				d.Keys("esc")
				if len(d.m().stack) != depth {
					t.Fatalf("esc: stack %v, want depth %d", d.titles(), depth)
				}
			}
			if row := lineContaining(d.screen(), "› "); !strings.Contains(row, tt.slo) {
				t.Errorf("back on the SLO list, the selection is %q, want the %q SLO", row, tt.slo)
			}
		})
	}
}

// TestEntryMisses: an entry that names nothing says what exists: on the
// SLO list (in the pager when the help line cannot hold it), or on the
// routes for a route.
func TestEntryMisses(t *testing.T) {
	tests := []struct {
		name   string
		entry  walk.Entry
		edit   func(*fixture)
		titles []string
		notice string
		pager  bool
	}{
		{name: "unknown alert", entry: walk.Entry{Alert: "Nope"}, titles: []string{"SLOs"}, pager: true,
			notice: `--alert Nope: no firing alert named "Nope"; firing: KafkaLag, CheckoutAvailabilityBurn, NodeDiskFull, FrontendSLIHigh, PaymentsLatencyBurn; pending: FrontendSlow`},
		{name: "unknown SLO", entry: walk.Entry{SLO: "a/b"}, titles: []string{"SLOs"},
			notice: `--slo a/b: no SLO "a/b"; SLOs: checkout/availability, frontend/latency`},
		{name: "unknown service: back on the SLO list", entry: walk.Entry{Service: "billing"}, edit: func(f *fixture) { f.routes = nil },
			titles: []string{"SLOs"}, pager: true,
			notice: `--service billing: no service "billing" with SLOs or routes in the range; services: checkout, frontend`},
		{name: "unknown route: on the routes", entry: walk.Entry{Service: "checkout", Route: "GET /nope"}, titles: []string{"SLOs", "checkout"}, pager: true,
			notice: `--service checkout --route "GET /nope": no route "GET /nope" of service checkout; routes: POST /api/checkout, GET /api/cart`},
		{name: "alert of no SLO and no service", entry: walk.Entry{Alert: "NodeDiskFull"}, titles: []string{"SLOs"}, pager: true,
			notice: "--alert NodeDiskFull: alert NodeDiskFull pages for no SLO and names no service (labels service, service_name or job)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := entryDriver(t, tt.entry, tt.edit)
			if !slices.Equal(d.titles(), tt.titles) {
				t.Fatalf("stack %v, want %v", d.titles(), tt.titles)
			}
			if d.m().notice != tt.notice || d.m().noticeOK {
				t.Errorf("notice %q (ok %v), want the problem %q", d.m().notice, d.m().noticeOK, tt.notice)
			}
			if got := d.m().overlay == pagerOverlay; got != tt.pager {
				t.Fatalf("pager shown %v, want %v", got, tt.pager)
			}
			if tt.pager {
				_, miss, _ := strings.Cut(tt.notice, ": ")
				if screen := strings.Join(strings.Fields(d.screen()), " "); !strings.Contains(screen, miss) {
					t.Errorf("the pager does not show the whole miss:\n%s", d.screen())
				}
				d.Keys("esc")
				if d.m().overlay != noOverlay || !slices.Equal(d.titles(), tt.titles) {
					t.Errorf("esc does not close the pager onto the pane: overlay %v stack %v", d.m().overlay, d.titles())
				}
			}
		})
	}
}

// TestEntryShowsLoadingFirst: before the SLOs answer, the SLO list says it
// is loading and the help line where redline will open.
func TestEntryShowsLoadingFirst(t *testing.T) {
	opts := allFrom(newFake("demo", defaultIncident()))
	opts.Entry, opts.Now = walk.Entry{Alert: "CheckoutAvailabilityBurn"}, fixedNow
	m, _ := New(opts).Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	m.Init() // sends the SLO request; its answer is not run
	screen := ansi.Strip(m.(Model).Render())
	if !strings.Contains(screen, "loading SLOs") || !strings.Contains(screen, "opening --alert CheckoutAvailabilityBurn once the SLOs load…") {
		t.Errorf("first frame:\n%s", screen)
	}
}

// TestEntryGivenUpByTheUser: once the user goes back, a later answer does
// not drill again.
func TestEntryGivenUpByTheUser(t *testing.T) {
	d := entryDriver(t, walk.Entry{Service: "checkout", Route: "POST /api/checkout"}, nil)
	d.Keys("esc", "esc")
	d.Keys("r") // the SLO list answers again
	if got := d.titles(); !slices.Equal(got, []string{"SLOs"}) {
		t.Errorf("a refresh after walking back rebuilt the stack: %v", got)
	}
	d.Keys("enter")
	d.Keys("r") // the routes answer again
	if got := d.titles(); !slices.Equal(got, []string{"SLOs", "checkout"}) {
		t.Errorf("a refresh of the routes drilled into a route: %v", got)
	}
}

// TestEntryInTheSnapshot: the snapshot's path says how the entry found the
// SLO and the route, until the user selects another.
func TestEntryInTheSnapshot(t *testing.T) {
	d := entryDriver(t, walk.Entry{Alert: "CheckoutAvailabilityBurn", Route: "GET /api/cart"}, nil)
	d.Keys("esc", "s")
	if text := d.m().snap.text; !strings.Contains(text, "**Path:** SLO checkout/availability (alert CheckoutAvailabilityBurn) → route GET /api/cart (given)\n") {
		t.Errorf("snapshot path:\n%s", firstLines(text, 8))
	}
	d.Keys("esc", "up", "s")
	if text := d.m().snap.text; !strings.Contains(text, "→ route POST /api/checkout (selected)\n") {
		t.Errorf("another route is not (selected):\n%s", firstLines(text, 8))
	}
}

// TestGoldenEntryLanding: `redline --alert CheckoutAvailabilityBurn` at
// 80×24 with NO_COLOR lands on checkout's routes.
func TestGoldenEntryLanding(t *testing.T) {
	d := entryDriver(t, walk.Entry{Alert: "CheckoutAvailabilityBurn"}, nil)
	raw := d.m().Render()
	if colourSGR.MatchString(raw) {
		t.Error("NO_COLOR screen sets a colour")
	}
	golden.RequireEqual(t, ansi.Strip(raw))
}

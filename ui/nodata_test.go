package ui

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redline-tui/redline/funnel/slo"
)

// TestNoDataOnTheSLOStep: an SLO whose every window is unknown reads
// "∅ NO DATA" without colour, sorts between the burning SLOs and the OK
// ones, and the footer names the query that returned nothing.
func TestNoDataOnTheSLOStep(t *testing.T) {
	data := defaultIncident()
	m := slo.Measurements{At: clock}
	for _, w := range []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour} {
		query := "all requests per job over " + slo.WindowLabel(w)
		m.Windows = append(m.Windows, slo.Ratio{Window: w, ErrorRatio: math.NaN(), Total: math.NaN(), Query: query})
	}
	m.Period = slo.Ratio{Window: slo.DefaultPeriod, ErrorRatio: math.NaN(), Total: math.NaN(), Query: "all requests per job over 30d"}
	obj := slo.Objective{Service: "search", Name: "availability", Target: 0.999, SLI: "HTTP 5xx / all requests", Origin: slo.OriginAssumed}
	data.statuses = append(data.statuses, slo.Evaluate(obj, m))
	opts := allFrom(newFake("demo", data))
	opts.NoColor = true
	d := newDriver(t, 80, 24, opts)
	d.Send(press("j"))
	raw := d.m().Render()
	if colourSGR.MatchString(raw) {
		t.Error("NO_COLOR screen sets a colour")
	}
	screen := ansi.Strip(raw)
	row := lineContaining(screen, "› ")
	if !strings.Contains(row, "∅ NO DATA") || !strings.Contains(row, "search") {
		t.Errorf("the second row is not search's NO DATA: %q", row)
	}
	if i, j := strings.Index(screen, "NO DATA"), strings.Index(screen, "✔ OK"); i < 0 || j < 0 || i > j {
		t.Error("NO DATA does not sort above OK")
	}
	if !strings.Contains(screen, `∅ no data: "all requests per job over 5m" and 3 others gave no error ratio`) {
		t.Errorf("the footer does not name the query that returned nothing:\n%s", screen)
	}
	golden.RequireEqual(t, screen)
}

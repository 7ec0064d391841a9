package ui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redline-tui/redline/funnel/alert"
)

// incidentAlerts: a Sloth page firing for checkout's availability, a
// ticket pending on frontend's latency (by its service label) and one
// firing there matched only by the recording rules its expression reads,
// and three firing alerts of no SLO, one of them silenced in Alertmanager.
func incidentAlerts() []alert.Alert {
	mk := func(name string, state alert.State, severity string, ago time.Duration, labels ...string) alert.Alert {
		l := map[string]string{"alertname": name, "severity": severity}
		for i := 0; i+1 < len(labels); i += 2 {
			l[labels[i]] = labels[i+1]
		}
		return alert.Alert{Name: name, State: state, Severity: severity, Labels: l, ActiveAt: clock.Add(-ago)}
	}
	silenced := mk("PaymentsLatencyBurn", alert.Firing, "page", 25*time.Minute, "service", "payments")
	silenced.Mute = alert.Silenced
	byRule := mk("FrontendSLIHigh", alert.Firing, "ticket", 6*time.Minute)
	byRule.RuleLabels = map[string]string{"sloth_service": "frontend", "sloth_slo": "latency"}
	return []alert.Alert{
		silenced,
		byRule,
		mk("CheckoutAvailabilityBurn", alert.Firing, "page", 17*time.Minute, "sloth_service", "checkout", "sloth_slo", "availability"),
		mk("FrontendSlow", alert.Pending, "ticket", 2*time.Minute, "service", "frontend"),
		mk("NodeDiskFull", alert.Firing, "warning", 3*time.Hour, "instance", "db-1"),
		mk("KafkaLag", alert.Firing, "page", 40*time.Minute, "topic", "orders"),
	}
}

// colourSGR matches an SGR sequence that sets a foreground or background
// colour.
var colourSGR = regexp.MustCompile(`\x1b\[[0-9;]*(3[0-8]|4[0-8]|9[0-7]|10[0-7])(;[0-9;]*)?m`)

func TestAlertsOnTheSLOStep(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			data := defaultIncident()
			data.alerts = incidentAlerts()
			opts := allFrom(newFake("demo", data))
			opts.NoColor = true
			d := newDriver(t, size[0], size[1], opts)
			raw := d.m().Render()
			if colourSGR.MatchString(raw) {
				t.Error("NO_COLOR screen sets a colour")
			}
			screen := ansi.Strip(raw)
			lines := strings.Split(screen, "\n")
			if !strings.Contains(lines[2], "3 firing alerts matching no SLO: ● KafkaLag page firing 40m · ● NodeDiskFull") {
				t.Errorf("the unmatched alerts are not listed above the SLOs, paging first: %q", lines[2])
			}
			if size[0] > 100 && !strings.Contains(lines[2], "⊘ PaymentsLatencyBurn page silenced 25m") {
				t.Errorf("the silenced alert is not listed last, marked silenced: %q", lines[2])
			}
			if size[0] > 100 && !strings.Contains(lineContaining(screen, "frontend"), "+1 ● ticket firing") {
				t.Errorf("the alert matched by its recording rules is not on frontend's row: %q", lineContaining(screen, "frontend"))
			}
			// The selected row carries its alert where the ALERT column fits;
			// at 80 columns the burn rates keep their place and the footer
			// names the selected SLO's alerts instead.
			row := lineContaining(screen, "› ")
			where := row
			if size[0] < 100 {
				where = lineContaining(screen, "alerts: ")
			}
			if !strings.Contains(row, "checkout") || !strings.Contains(where, "page firing 17m") {
				t.Errorf("the paging SLO is not first with its alert: row %q, alert shown in %q", row, where)
			}
			if !strings.Contains(row, "15.2/31.0") {
				t.Errorf("the paging SLO's row lost its 1h/5m burn rates: %q", row)
			}
			golden.RequireEqual(t, screen)
		})
	}
}

func lineContaining(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

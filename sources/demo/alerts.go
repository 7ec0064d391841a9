package demo

import (
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/slo"
)

// alerts are what a Sloth-generated Prometheus would fire for the demo's
// SLOs at at: a burn alert per firing multi-window alert, with Sloth's
// labels and severity, active since the burn history first crossed the
// window's factor without falling back; and, as real incidents have, one
// firing infrastructure alert that pages for no SLO.
func alerts(statuses []slo.Status, at time.Time) []alert.Alert {
	var out []alert.Alert
	for _, s := range statuses {
		for _, b := range s.Burns {
			if b.Firing {
				out = append(out, burnAlert(s, b))
				break // the fastest firing window speaks for the SLO, as Sloth's inhibitions do
			}
		}
	}
	return append(out, alert.Alert{
		Name: "NodeFilesystemAlmostFull", State: alert.Firing, Severity: "warning", ActiveAt: at.Add(-3 * time.Hour),
		Labels: map[string]string{"alertname": "NodeFilesystemAlmostFull", "severity": "warning", "instance": "db-1:9100", "mountpoint": "/var/lib/postgresql"},
	})
}

func burnAlert(s slo.Status, b slo.WindowBurn) alert.Alert {
	o := s.Objective
	name := title(o.Service) + title(o.Name) + "ErrorBudgetBurn"
	severity := string(b.Severity)
	return alert.Alert{
		Name: name, State: alert.Firing, Severity: severity, ActiveAt: burnSince(s, b.Factor),
		Labels: map[string]string{"alertname": name, "severity": severity, "sloth_service": o.Service, "sloth_slo": o.Name},
	}
}

// burnSince is the start of the last unbroken run of the burn history at
// or above factor (the status time when the history does not show it).
func burnSince(s slo.Status, factor float64) time.Time {
	since := s.At
	for i := len(s.BurnHistory) - 1; i >= 0 && s.BurnHistory[i].Value >= factor; i-- {
		since = s.BurnHistory[i].Time
	}
	return since
}

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

package prometheus

import (
	"context"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/sources/internal/step"
)

// AlertSource reads active alerts from elsewhere than this backend: an
// Alertmanager (sources/alertmanager). Its errors name it.
type AlertSource interface {
	Alerts(ctx context.Context) ([]alert.Alert, error)
}

// Alerts reads the active (firing and pending) alerts from /api/v1/alerts.
func (c *Client) Alerts(ctx context.Context) ([]alert.Alert, error) {
	ctx, end := step.Begin(ctx)
	var res v1.AlertsResult
	err := c.send(ctx, "active alerts", func(ctx context.Context) (err error) {
		res, err = c.api.Alerts(ctx)
		return err
	})
	if err = end(err); err != nil {
		return nil, describe("active alerts", err)
	}
	out := make([]alert.Alert, 0, len(res.Alerts))
	for _, a := range res.Alerts {
		if a.State != v1.AlertStateFiring && a.State != v1.AlertStatePending {
			continue
		}
		state := alert.Pending
		if a.State == v1.AlertStateFiring {
			state = alert.Firing
		}
		labels := make(map[string]string, len(a.Labels))
		for k, v := range a.Labels {
			labels[string(k)] = string(v)
		}
		out = append(out, alert.Alert{
			Name:     labels[model.AlertNameLabel],
			State:    state,
			Severity: labels["severity"],
			Labels:   labels,
			ActiveAt: a.ActiveAt,
		})
	}
	return out, nil
}

// activeAlerts are the alerts of the configured source (Config.Alerts,
// else this backend), each told what the recording rules its alerting
// rule reads say of it. Rules that cannot be read leave a warning when an
// alert then matches no SLO (see attach).
type activeAlerts struct {
	alerts   []alert.Alert
	err      error // the alerts could not be read
	rulesErr error
}

// readAlerts reads the active alerts and the rules explaining them.
func (c *Client) readAlerts(ctx context.Context) activeAlerts {
	var out activeAlerts
	if c.cfg.Alerts != nil {
		out.alerts, out.err = c.cfg.Alerts.Alerts(ctx)
	} else {
		out.alerts, out.err = c.Alerts(ctx)
	}
	if out.err != nil || len(out.alerts) == 0 {
		return out
	}
	idx, err := c.rules(ctx)
	if err != nil {
		out.rulesErr = err
		return out
	}
	idx.explain(out.alerts)
	return out
}

// attach matches the alerts to rep's SLOs; alerts that cannot be read
// leave a warning naming their source and the cause, not a failure. It
// goes first: the pane shows warnings on one line, and alerts gone missing
// are what an engineer opening the SLOs on a page most needs to know.
func (a activeAlerts) attach(rep *slo.Report) {
	if a.err != nil {
		rep.Warnings = append([]string{"alerts not shown: " + a.err.Error()}, rep.Warnings...)
	}
	rep.AttachAlerts(a.alerts) // sorts the statuses, paging SLOs first
	if a.rulesErr != nil && len(rep.Unmatched) > 0 {
		rep.Warnings = addWarnings(rep.Warnings, "alerts not matched by the recording rules they read: "+a.rulesErr.Error())
	}
}

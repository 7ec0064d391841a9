package prometheus

import (
	"context"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"
	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/sources/internal/step"
)

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

// attachAlerts reads the active alerts and matches them to rep's SLOs; a
// backend that cannot tell its alerts leaves a warning, not a failure.
func (c *Client) attachAlerts(ctx context.Context, rep *slo.Report) {
	alerts, err := c.Alerts(ctx)
	if err != nil {
		rep.Warnings = addWarnings(rep.Warnings, err.Error())
		return
	}
	rep.AttachAlerts(alerts)
}

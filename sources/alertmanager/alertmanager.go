// Package alertmanager reads the alerts a Prometheus Alertmanager holds,
// for the SLO step: GET /api/v2/alerts (its v2 API, served since
// Alertmanager 0.16) asking for active, unprocessed, silenced and
// inhibited alerts alike, and GET /api/v2/status for `config check`.
//
// Every alert Alertmanager holds is firing (Prometheus sends it firing
// alerts only); a silenced or inhibited one is kept, marked with its mute
// (alert.Silenced, alert.Inhibited), because an on-call engineer wants to
// know it is firing, and that it pages no one. Alerts whose endsAt has
// passed are resolved and left out. The client speaks through
// sources/internal/httpx: the body cap and the process's response budget,
// the tenant header (Mimir's and Cortex's multi-tenant Alertmanager read
// X-Scope-OrgID) and errors naming "alertmanager" and the cause.
package alertmanager

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/units"
	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/internal/httpx"
)

// backend names this source in errors.
const backend = "alertmanager"

// Config configures a Client. Only URL is required.
type Config struct {
	URL        string       // e.g. http://127.0.0.1:9093; a path prefix (Mimir's /alertmanager) is kept
	HTTPClient *http.Client // auth, TLS, proxy, headers and timeout; nil uses http.DefaultClient
	Tenant     string       // sent as X-Scope-OrgID when set
	MaxBody    int64        // response body cap in bytes; ≤ 0 uses httpx.DefaultMaxBody
	// Budget is shared by every answer in flight in the process; nil
	// bounds answers by MaxBody alone.
	Budget *budget.Budget
}

// Client reads alerts from one Alertmanager.
type Client struct {
	http *httpx.Client
	now  func() time.Time
}

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	hc, err := httpx.New(backend, cfg.URL, cfg.HTTPClient, cfg.MaxBody, cfg.Budget)
	if err != nil {
		return nil, err
	}
	hc.Tenant = cfg.Tenant
	return &Client{http: hc, now: time.Now}, nil
}

// Name returns "alertmanager".
func (c *Client) Name() string { return backend }

// gettableAlert is the part of the v2 API's gettableAlert redline reads.
type gettableAlert struct {
	Labels   map[string]string `json:"labels"`
	StartsAt time.Time         `json:"startsAt"`
	EndsAt   time.Time         `json:"endsAt"`
	Status   struct {
		State       string   `json:"state"` // unprocessed, active or suppressed
		SilencedBy  []string `json:"silencedBy"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
}

// alertsQuery asks for every alert Alertmanager holds: the v2 API's
// defaults, spelt out so a proxy changing defaults cannot hide any.
var alertsQuery = url.Values{
	"active": {"true"}, "unprocessed": {"true"}, "silenced": {"true"}, "inhibited": {"true"},
}

// Alerts reads the firing alerts, silenced and inhibited ones marked.
func (c *Client) Alerts(ctx context.Context) ([]alert.Alert, error) {
	var answer []gettableAlert
	if err := c.http.GetJSON(ctx, "/api/v2/alerts", alertsQuery, nil, &answer); err != nil {
		return nil, err
	}
	now := c.now()
	out := make([]alert.Alert, 0, len(answer))
	for _, a := range answer {
		if !a.EndsAt.IsZero() && a.EndsAt.Before(now) {
			continue // resolved; Alertmanager keeps it until resolve_timeout passes
		}
		out = append(out, alert.Alert{
			Name:     a.Labels["alertname"],
			State:    alert.Firing,
			Severity: a.Labels["severity"],
			Labels:   a.Labels,
			ActiveAt: a.StartsAt,
			Mute:     a.mute(),
		})
	}
	return out, nil
}

// mute reads why Alertmanager holds the alert back: a silence, else an
// inhibition. A suppressed alert that names neither is counted silenced.
func (a gettableAlert) mute() alert.Mute {
	switch {
	case len(a.Status.SilencedBy) > 0:
		return alert.Silenced
	case len(a.Status.InhibitedBy) > 0:
		return alert.Inhibited
	case a.Status.State == "suppressed":
		return alert.Silenced
	}
	return alert.Unmuted
}

// Info is what `config check` reports of an Alertmanager.
type Info struct {
	Version string
	Cluster string // ready, settling or disabled
	Alerts  int    // alerts it holds now
	Muted   int    // of which silenced or inhibited
}

// Summary is Info in lines for `config check`.
func (i Info) Summary() []string {
	var lines []string
	if i.Version != "" {
		lines = append(lines, "version "+i.Version)
	}
	if i.Cluster != "" {
		lines = append(lines, "cluster "+i.Cluster)
	}
	count := units.Count(i.Alerts, "firing alert")
	if i.Muted > 0 {
		count += fmt.Sprintf(" (%d silenced or inhibited)", i.Muted)
	}
	return append(lines, count)
}

// Ping reads /api/v2/status and counts the alerts held, as `config check`
// does.
func (c *Client) Ping(ctx context.Context) (Info, error) {
	var status struct {
		Cluster struct {
			Status string `json:"status"`
		} `json:"cluster"`
		VersionInfo struct {
			Version string `json:"version"`
		} `json:"versionInfo"`
	}
	if err := c.http.GetJSON(ctx, "/api/v2/status", nil, nil, &status); err != nil {
		return Info{}, err
	}
	info := Info{Version: status.VersionInfo.Version, Cluster: status.Cluster.Status}
	alerts, err := c.Alerts(ctx)
	if err != nil {
		return info, err
	}
	info.Alerts = len(alerts)
	for _, a := range alerts {
		if a.Mute != alert.Unmuted {
			info.Muted++
		}
	}
	return info, nil
}

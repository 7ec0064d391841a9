package prometheus

import (
	"context"
	"fmt"
	"strings"

	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/redline-tui/redline/sources/internal/step"
)

// Info is what `redline config check` prints about a Prometheus backend.
type Info struct {
	Version   string // from buildinfo; "" when the backend has no buildinfo endpoint
	Detection *Detection
	Warnings  []string
}

// Ping checks the backend answers and reports its version and what
// detection found. A missing buildinfo endpoint (some compatible backends)
// is a warning; a failed detection is an error.
func (c *Client) Ping(ctx context.Context) (Info, error) {
	ctx, end := step.Begin(ctx)
	info, err := c.ping(ctx)
	return info, end(err)
}

func (c *Client) ping(ctx context.Context) (Info, error) {
	var info Info
	var bi v1.BuildinfoResult
	err := c.send(ctx, "build info", func(ctx context.Context) (err error) {
		bi, err = c.api.Buildinfo(ctx)
		return err
	})
	if err != nil {
		info.Warnings = append(info.Warnings, describe("build info", err).Error())
	}
	info.Version = bi.Version
	c.mu.Lock()
	c.detected = nil // a check always looks afresh
	c.mu.Unlock()
	det, err := c.Detect(ctx)
	if err != nil {
		return info, err
	}
	info.Detection = det
	info.Warnings = addWarnings(info.Warnings, det.Warnings...)
	return info, nil
}

// Summary renders Info as lines for a terminal, e.g.
//
//	Prometheus 3.5.0
//	OTel semconv (http_server_request_duration_seconds_count, service label job): shop, payments
//	Sloth SLOs: shop
func (i Info) Summary() []string {
	version := i.Version
	if version == "" {
		version = "(version unknown)"
	}
	lines := []string{"Prometheus " + version}
	if i.Detection == nil {
		return lines
	}
	d := i.Detection
	if len(d.Conventions) == 0 {
		lines = append(lines, "no HTTP server metrics found (looked for "+strings.Join(conventionIDs(), ", ")+")")
	}
	for _, c := range d.Conventions {
		extra := ""
		if c.RouteLabel == "" {
			extra = " [no route label]"
		}
		if c.LatencyNative {
			extra += " [native histograms]"
		}
		lines = append(lines, fmt.Sprintf("%s%s: %s", c.Describe(), extra, strings.Join(c.Services, ", ")))
	}
	if len(d.Sloth) > 0 {
		lines = append(lines, "Sloth SLOs: "+strings.Join(d.Sloth, ", "))
	}
	if len(d.Pyrra) > 0 {
		lines = append(lines, "Pyrra SLOs: "+strings.Join(d.Pyrra, ", "))
	}
	if len(d.Sloth)+len(d.Pyrra) == 0 {
		lines = append(lines, "no Sloth or Pyrra SLO rules: SLOs come from config or are assumed (99.9% availability)")
	}
	return lines
}

package loki

import (
	"context"
	"slices"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/sources/internal/httpx"
	"github.com/redline-tui/redline/sources/internal/logmatch"
	"github.com/redline-tui/redline/sources/internal/step"
)

// Info is what Ping learnt about a Loki, for `redline config check`.
type Info struct {
	Version   string // e.g. "3.7.8"; empty when Loki was built without version information
	Revision  string
	GoVersion string
	// ServiceLabels are the configured service label names that label
	// streams in Loki's default labels window (the last 6 hours), in the
	// order they are tried.
	ServiceLabels []string
	// Labels are all stream label names in that window.
	Labels []string
}

// buildInfo is the answer of /loki/api/v1/status/buildinfo.
type buildInfo struct {
	Version   string `json:"version"`
	Revision  string `json:"revision"`
	GoVersion string `json:"goVersion"`
}

// Ping checks that Loki is ready, reads its version and lists the service
// labels it holds. The label listing needs the tenant, so a Loki with auth
// enabled and no tenant configured fails here with the fix.
func (c *Client) Ping(ctx context.Context) (Info, error) {
	ctx, end := step.Begin(ctx)
	out, err := c.ping(ctx)
	return out, end(err)
}

// ping is Ping within its step (package step): its queries share the
// backend's deadline, and none is sent once one timed out.
func (c *Client) ping(ctx context.Context) (Info, error) {
	body, err := c.http.Get(ctx, pathReady, nil, nil)
	if err != nil {
		return Info{}, explain(err, "")
	}
	if s := httpx.Excerpt(string(body)); s != "" && s != "ready" {
		return Info{}, &notReadyError{s}
	}
	var bi buildInfo
	if err := c.http.GetJSON(ctx, pathBuildInfo, nil, nil, &bi); err != nil {
		return Info{}, explain(err, "")
	}
	names, err := c.labelNames(ctx, funnel.TimeRange{})
	if err != nil {
		return Info{}, err
	}
	return Info{
		Version:       bi.Version,
		Revision:      bi.Revision,
		GoVersion:     bi.GoVersion,
		ServiceLabels: logmatch.Present(c.labelCandidates(), names),
		Labels:        names,
	}, nil
}

// notReadyError is a 2xx /ready answer other than "ready".
type notReadyError struct{ answer string }

func (e *notReadyError) Error() string {
	return "loki: not ready: " + e.answer
}

// labelCandidates are the pinned service label, if any, then the configured
// ones.
func (c *Client) labelCandidates() []string {
	if c.pinnedLabel == "" || slices.Contains(c.serviceLabels, c.pinnedLabel) {
		return c.serviceLabels
	}
	return append([]string{c.pinnedLabel}, c.serviceLabels...)
}

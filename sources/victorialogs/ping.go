package victorialogs

import (
	"context"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/sources/internal/httpx"
	"github.com/redline-tui/redline/sources/internal/logmatch"
	"github.com/redline-tui/redline/sources/internal/step"
)

// pingWindow is how far back Ping looks for fields.
const pingWindow = time.Hour

// Info is what Ping learnt about a VictoriaLogs, for `redline config check`.
type Info struct {
	// ServiceFields are the configured service fields (the pinned one
	// first) present in the last hour, in the order they are tried.
	ServiceFields []string
	// TraceFields are the trace ID fields present in the last hour; none
	// means IDs are looked for in _msg.
	TraceFields []string
	// StreamFields and Fields are every stream field and field name of the
	// last hour.
	StreamFields, Fields []string
}

// Ping checks /health and lists the fields of the tenant's last hour of
// logs.
func (c *Client) Ping(ctx context.Context) (Info, error) {
	ctx, end := step.Begin(ctx)
	out, err := c.ping(ctx)
	return out, end(err)
}

// ping is Ping within its step (package step): its queries share the
// backend's deadline, and none is sent once one timed out.
func (c *Client) ping(ctx context.Context) (Info, error) {
	body, err := c.http.Get(ctx, pathHealth, nil, c.tenant)
	if err != nil {
		return Info{}, err
	}
	if s := strings.TrimSpace(string(body)); s != "" && !strings.EqualFold(s, "ok") {
		return Info{}, &notHealthyError{httpx.Excerpt(s)}
	}
	window := funnel.Last(pingWindow, c.now())
	fields, streamFields, err := c.fieldNames(ctx, window)
	if err != nil {
		return Info{}, err
	}
	candidates := c.serviceFields
	if c.pinnedField != "" {
		candidates = append([]string{c.pinnedField}, candidates...)
	}
	return Info{
		ServiceFields: logmatch.Present(candidates, fields),
		TraceFields:   logmatch.Present(DefaultTraceFields, fields),
		StreamFields:  streamFields,
		Fields:        fields,
	}, nil
}

// notHealthyError is a 2xx /health answer other than "OK".
type notHealthyError struct{ answer string }

func (e *notHealthyError) Error() string { return "victorialogs: not healthy: " + e.answer }

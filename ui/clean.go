package ui

import (
	"context"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
)

// Backend text reaches the UI only through the sources of Options, and New
// puts each behind a cleaner: every answer is cleaned, and scrubbed of
// Options.Secrets, by sanitize.ValueScrubbed
// (which copies what it changes, so answers shared between sessions stay
// as they are) and every error by Secrets.Error before any pane sees it,
// so no pane, present or future, can draw raw backend text or put it in a
// snapshot. The cleaners implement the source interfaces method by method,
// never by embedding, so a source method added to a pane's Source does not
// compile until it is cleaned here too.
var (
	_ Metrics = cleanMetrics{}
	_ Traces  = cleanTraces{}
	_ Logs    = cleanLogs{}
)

// cleanSources puts the sources of o behind cleaners; absent ones stay nil.
func cleanSources(o Options) Options {
	o.Sources = Clean(o.Sources, o.Secrets)
	o.Context, o.Version = o.Secrets.Line(o.Context), sanitize.Line(o.Version)
	return o
}

// Clean puts each source of s behind a cleaner that also scrubs secrets
// from every answer and error; absent ones stay nil. New does it for the
// UI; `redline snapshot` does it for its walk without the UI.
func Clean(s Sources, secrets *sanitize.Secrets) Sources {
	if s.Metrics != nil {
		s.Metrics = cleanMetrics{s.Metrics, secrets}
	}
	if s.Traces != nil {
		s.Traces = cleanTraces{s.Traces, secrets}
	}
	if s.Logs != nil {
		s.Logs = cleanLogs{s.Logs, secrets}
	}
	return s
}

// cleaned is a source's answer with its text cleaned and scrubbed.
func cleaned[T any](secrets *sanitize.Secrets, v T, err error) (T, error) {
	return sanitize.ValueScrubbed(v, secrets), secrets.Error(err)
}

type cleanMetrics struct {
	src     Metrics
	secrets *sanitize.Secrets
}

func (c cleanMetrics) Name() string { return c.secrets.Line(c.src.Name()) }

func (c cleanMetrics) SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	v, err := c.src.SLOs(ctx, r)
	return cleaned(c.secrets, v, err)
}

func (c cleanMetrics) Routes(ctx context.Context, q red.Query) (red.Report, error) {
	v, err := c.src.Routes(ctx, q)
	return cleaned(c.secrets, v, err)
}

type cleanTraces struct {
	src     Traces
	secrets *sanitize.Secrets
}

func (c cleanTraces) Name() string { return c.secrets.Line(c.src.Name()) }

func (c cleanTraces) FindTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error) {
	v, err := c.src.FindTraces(ctx, q)
	return cleaned(c.secrets, v, err)
}

func (c cleanTraces) Trace(ctx context.Context, traceID string, r funnel.TimeRange) (*trace.Trace, error) {
	v, err := c.src.Trace(ctx, traceID, r)
	return cleaned(c.secrets, v, err)
}

type cleanLogs struct {
	src     Logs
	secrets *sanitize.Secrets
}

func (c cleanLogs) Name() string { return c.secrets.Line(c.src.Name()) }

func (c cleanLogs) TraceLogs(ctx context.Context, q logs.Query) (logs.Result, error) {
	v, err := c.src.TraceLogs(ctx, q)
	return cleaned(c.secrets, v, err)
}

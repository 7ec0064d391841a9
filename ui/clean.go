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
// puts each behind a cleaner: every answer is cleaned by sanitize.Value
// (which copies what it changes, so answers shared between sessions stay
// as they are) and every error by sanitize.Error before any pane sees it,
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
	if o.Metrics != nil {
		o.Metrics = cleanMetrics{o.Metrics}
	}
	if o.Traces != nil {
		o.Traces = cleanTraces{o.Traces}
	}
	if o.Logs != nil {
		o.Logs = cleanLogs{o.Logs}
	}
	o.Context, o.Version = sanitize.Line(o.Context), sanitize.Line(o.Version)
	return o
}

// cleaned is a source's answer with its text cleaned.
func cleaned[T any](v T, err error) (T, error) {
	return sanitize.Value(v), sanitize.Error(err)
}

type cleanMetrics struct{ src Metrics }

func (c cleanMetrics) Name() string { return sanitize.Line(c.src.Name()) }

func (c cleanMetrics) SLOs(ctx context.Context, r funnel.TimeRange) (slo.Report, error) {
	return cleaned(c.src.SLOs(ctx, r))
}

func (c cleanMetrics) Routes(ctx context.Context, q red.Query) (red.Report, error) {
	return cleaned(c.src.Routes(ctx, q))
}

type cleanTraces struct{ src Traces }

func (c cleanTraces) Name() string { return sanitize.Line(c.src.Name()) }

func (c cleanTraces) FindTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error) {
	return cleaned(c.src.FindTraces(ctx, q))
}

func (c cleanTraces) Trace(ctx context.Context, traceID string, r funnel.TimeRange) (*trace.Trace, error) {
	return cleaned(c.src.Trace(ctx, traceID, r))
}

type cleanLogs struct{ src Logs }

func (c cleanLogs) Name() string { return sanitize.Line(c.src.Name()) }

func (c cleanLogs) TraceLogs(ctx context.Context, q logs.Query) (logs.Result, error) {
	return cleaned(c.src.TraceLogs(ctx, q))
}

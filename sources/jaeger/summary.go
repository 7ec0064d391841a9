package jaeger

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/internal/step"
)

// Trace loads one trace by ID; r, when set, narrows Jaeger's lookup.
func (c *Client) Trace(ctx context.Context, traceID string, r funnel.TimeRange) (*trace.Trace, error) {
	id := trace.NormalizeTraceID(traceID)
	if id == "" {
		return nil, fmt.Errorf("jaeger: %q is not a trace ID (want 1 to 32 hex digits)", traceID)
	}
	ctx, end := step.Begin(ctx)
	spans, warnings, err := c.t.traceSpans(ctx, id, r)
	if err = end(err); err != nil {
		return nil, err
	}
	if len(spans) == 0 {
		return nil, notFound(id)
	}
	return &trace.Trace{
		ID:       id,
		Spans:    spans,
		Warnings: warnings,
		Queries: []funnel.Query{{
			Backend:  backend,
			Language: funnel.JaegerQuery,
			Purpose:  "trace " + id,
			Text:     "traceID=" + id,
			Range:    r,
		}},
	}, nil
}

// notFound is the error for a trace Jaeger does not hold.
func notFound(id string) error { return fmt.Errorf("jaeger: trace %s %w", id, trace.ErrNotFound) }

// summarise groups spans by trace (a search stream interleaves traces) and
// describes each trace, in order of first appearance. match finds the span
// that ranks the trace (the route's server span); the longest match wins.
// Each trace's completeness is judged knowing every service of the result.
func summarise(spans []trace.Span, match func(*trace.Span) bool) []trace.Summary {
	index := map[string]int{}
	var groups [][]*trace.Span
	for i := range spans {
		s := &spans[i]
		g, ok := index[s.TraceID]
		if !ok {
			g = len(groups)
			index[s.TraceID] = g
			groups = append(groups, nil)
		}
		groups[g] = append(groups[g], s)
	}
	out := make([]trace.Summary, len(groups))
	traces := make([]*trace.Trace, len(groups))
	for i, g := range groups {
		out[i] = summary(g, match)
		traces[i] = &trace.Trace{ID: out[i].TraceID, Spans: make([]trace.Span, len(g))}
		for k, sp := range g {
			traces[i].Spans[k] = *sp
		}
	}
	for i, c := range trace.Complete(traces) {
		out[i].Completeness = c
	}
	return out
}

func summary(spans []*trace.Span, match func(*trace.Span) bool) trace.Summary {
	s := trace.Summary{TraceID: spans[0].TraceID, SpanCount: len(spans)}
	var (
		start, end time.Time
		root       *trace.Span
		services   = map[string]bool{}
	)
	for _, sp := range spans {
		if start.IsZero() || sp.Start.Before(start) {
			start = sp.Start
		}
		if sp.End().After(end) {
			end = sp.End()
		}
		if sp.ParentID == "" && (root == nil || sp.Start.Before(root.Start)) {
			root = sp
		}
		if sp.Status == trace.StatusError {
			s.ErrorCount++
		}
		if !services[sp.Service] {
			services[sp.Service] = true
			s.Services = append(s.Services, sp.Service)
		}
		if match(sp) && sp.Duration >= s.MatchedDuration {
			s.MatchedSpanID, s.MatchedDuration = sp.SpanID, sp.Duration
		}
	}
	slices.Sort(s.Services)
	s.Start, s.Duration = start, end.Sub(start)
	if root != nil {
		s.RootService, s.RootName = root.Service, root.Name
	}
	return s
}

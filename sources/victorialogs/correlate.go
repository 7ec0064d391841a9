package victorialogs

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/internal/logmatch"
	"github.com/redline-tui/redline/sources/internal/step"
)

// selection is the service filter a look-up uses and how it was chosen.
type selection struct {
	field   string   // the service field; "" filters no service
	stream  bool     // field is a stream field
	values  []string // its values naming the trace's services
	filter  string   // the LogsQL filter, "" for none
	found   bool     // field and values were confirmed here (worth caching)
	known   []string // every value of field in the window, when fetched
	warning string   // why the filter is broader than the services
	empty   bool     // no logs in the window at all
}

// outcome is what one look-up found.
type outcome struct {
	lk        logmatch.Lookup
	sel       selection
	holders   []string // where the query looked for the trace ID
	lines     []logs.Line
	heldIn    []string // where each line held it
	queries   []funnel.Query
	warnings  []string
	usedCache bool // relied on an earlier discovery, which may not fit this trace
}

// TraceLogs returns the lines of q.TraceID (only q.SpanID's when set) in
// q.Range widened by Shift, oldest first. The first look-up discovers the
// service field and where trace IDs are held; later ones reuse that and, if
// it finds nothing for a trace, discover again.
func (c *Client) TraceLogs(ctx context.Context, q logs.Query) (logs.Result, error) {
	ctx, end := step.Begin(ctx)
	out, err := c.traceLogs(ctx, q)
	return out, end(err)
}

// traceLogs is TraceLogs within its step (package step): its queries share the
// backend's deadline, and none is sent once one timed out.
func (c *Client) traceLogs(ctx context.Context, q logs.Query) (logs.Result, error) {
	lk, err := logmatch.NewLookup(q, logmatch.Bounds{Backend: backend, Limit: c.limit, MaxLimit: MaxLimit, Shift: c.shift, Now: c.now()})
	if err != nil {
		return logs.Result{}, err
	}
	pass := func(d discovery) (outcome, error) { return c.lookup(ctx, lk, d) }
	return logmatch.Rediscover(pass, c.known, c.pinned, c.forget)
}

// lookup selects the services, finds where IDs are held and runs the query,
// using what d already knows.
func (c *Client) lookup(ctx context.Context, lk logmatch.Lookup, d discovery) (outcome, error) {
	out := outcome{lk: lk, holders: d.holders, usedCache: d.fieldCached || d.holdersCached}
	sel, ok := knownSelection(d, lk.Services)
	if !ok || out.holders == nil {
		fields, streamFields, err := c.fieldNames(ctx, lk.Window)
		if err != nil {
			return out, err
		}
		if len(fields) == 0 {
			out.sel = selection{empty: true}
			return out, nil
		}
		if !ok {
			if sel, err = c.discoverSelection(ctx, lk, fields, streamFields); err != nil {
				return out, err
			}
		}
		if out.holders == nil {
			out.holders = append(logmatch.Present(DefaultTraceFields, fields), msgField)
		}
	}
	out.sel = sel
	text := traceQuery(lk.Window, sel.filter, out.holders, lk.TraceID, lk.Limit)
	out.queries = append(out.queries, funnel.Query{
		Backend: backend, Language: funnel.LogsQL, Text: text, Range: lk.Window,
		Purpose: "log lines of trace " + lk.TraceID + " by " + holdersString(out.holders),
	})
	entries, err := c.query(ctx, text, lk.Limit)
	if err != nil {
		return out, err
	}
	if len(entries) >= lk.Limit {
		out.warnings = append(out.warnings, fmt.Sprintf("showing the first %d lines: the limit was reached (raise limit or narrow the window)", lk.Limit))
	}
	out.finish(entries, lk)
	if len(out.lines) > 0 {
		c.remember(sel, out.holders, out.heldIn)
	}
	return out, nil
}

// knownSelection builds the service filter from a pinned or cached field
// without asking. A pinned field takes the services as they are; a cached
// one takes the values it saw that name them, and reports false when none
// do (the trace's services need discovering).
func knownSelection(d discovery, services []string) (selection, bool) {
	if d.serviceField == "" {
		return selection{}, false
	}
	if d.serviceValues == nil {
		s := selection{field: d.serviceField, stream: d.streamField, values: services}
		if len(services) == 0 {
			s.warning = "the trace names no service: searching every service"
			return s, true
		}
		s.filter = serviceFilter(s.field, s.stream, services)
		return s, true
	}
	matched := logmatch.MatchServices(d.serviceValues, services)
	if len(matched) == 0 {
		return selection{}, false
	}
	return selection{
		field: d.serviceField, stream: d.streamField, values: matched, found: true, known: d.serviceValues,
		filter: serviceFilter(d.serviceField, d.streamField, matched),
	}, true
}

// discoverSelection finds the service field: the first of the candidates
// present in the window whose values include one of the services. Without
// a match no service is filtered, and the warning says so.
func (c *Client) discoverSelection(ctx context.Context, lk logmatch.Lookup, fields, streamFields []string) (selection, error) {
	present := logmatch.Present(c.serviceFields, fields)
	for _, f := range present {
		if len(lk.Services) == 0 {
			break
		}
		values, err := c.names(ctx, pathFieldValues, f, lk.Window)
		if err != nil {
			return selection{}, err
		}
		if matched := logmatch.MatchServices(values, lk.Services); len(matched) > 0 {
			stream := slices.Contains(streamFields, f)
			return selection{field: f, stream: stream, values: matched, found: true, known: values, filter: serviceFilter(f, stream, matched)}, nil
		}
	}
	var s selection
	switch {
	case len(lk.Services) == 0:
		s.warning = "the trace names no service"
	case len(present) == 0:
		s.warning = "no field names a service (fields here: " + strings.Join(fields, ", ") + ")"
	default:
		s.warning = fmt.Sprintf("no value of %s names %s", strings.Join(present, ", "), strings.Join(lk.Services, ", "))
	}
	s.warning += ": searching every service (set service_field in config to pin it)"
	return s, nil
}

// finish turns the entries into parsed lines of the trace (and span), time
// ascending, and records where each held the trace ID.
func (out *outcome) finish(entries []entry, lk logmatch.Lookup) {
	lines := make([]logs.Line, 0, len(entries))
	for _, e := range entries {
		l := logs.Parse(logs.Line{Time: e.time, Body: e.msg, Labels: e.stream, Metadata: e.fields})
		if l.TraceID == "" {
			l.TraceID = lk.TraceID // the query proved it
		}
		l.Service = serviceOf(l, out.sel.field)
		lines = append(lines, l)
	}
	logs.SortByTime(lines)
	out.lines = logs.MatchTrace(lines, lk.TraceID, lk.SpanID)
	out.heldIn = make([]string, len(out.lines))
	for i, l := range out.lines {
		out.heldIn[i] = heldIn(l, out.holders, lk.TraceID)
	}
}

// serviceOf names the line's service from the chosen field, else the usual
// ones.
func serviceOf(l logs.Line, field string) string {
	for _, f := range append([]string{field}, DefaultServiceFields...) {
		if v := l.Metadata[f]; v != "" {
			return v
		}
		if v := l.Labels[f]; v != "" {
			return v
		}
	}
	return l.Service
}

// heldIn is the first holder whose field holds traceID, else the message.
func heldIn(l logs.Line, holders []string, traceID string) string {
	for _, h := range holders {
		if h != msgField && trace.NormalizeTraceID(l.Metadata[h]) == traceID {
			return h
		}
	}
	return msgField
}

// Stale reports that the look-up relied on the cache and found no lines
// (logmatch.Pass).
func (out outcome) Stale() bool { return len(out.lines) == 0 && out.usedCache }

// Sent lists the queries the look-up sent (logmatch.Pass).
func (out outcome) Sent() []funnel.Query { return out.queries }

// Result renders the outcome for the UI with queries (logmatch.Pass).
func (out outcome) Result(queries []funnel.Query) logs.Result {
	warnings := slices.Clip(out.lk.Warnings)
	if out.sel.warning != "" {
		warnings = append(warnings, out.sel.warning)
	}
	return logs.Result{
		Lines:    out.lines,
		Strategy: out.strategy(),
		Queries:  queries,
		Warnings: logmatch.AppendNew(warnings, out.warnings...),
	}
}

// strategy says which filters matched and where the lines held the ID, e.g.
// `field trace_id + message text on _stream:{"service_name"="shop"}; trace
// ID in field trace_id (4), message text (1)`.
func (out outcome) strategy() string {
	on := out.sel.filter
	if on == "" {
		on = "every service"
	}
	switch {
	case out.sel.empty:
		return "no logs in the window"
	case len(out.lines) == 0:
		return fmt.Sprintf("no lines of trace %s: tried %s on %s", out.lk.TraceID, holdersString(out.holders), on)
	}
	words := make([]string, len(out.heldIn))
	for i, h := range out.heldIn {
		words[i] = holderWords(h)
	}
	return fmt.Sprintf("%s on %s; trace ID in %s", holdersString(out.holders), on, logmatch.CountWords(words))
}

// known returns what to reuse: pins, then the cache.
func (c *Client) known() discovery {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.pinned()
	if d.serviceField == "" && c.cache.serviceField != "" {
		d.serviceField, d.streamField, d.serviceValues, d.fieldCached = c.cache.serviceField, c.cache.streamField, c.cache.serviceValues, true
	}
	if d.holders == nil && c.cache.holders != nil {
		d.holders, d.holdersCached = c.cache.holders, true
	}
	return d
}

// pinned is what Config fixes. A pinned service field is filtered as an
// ordinary field, which also matches stream fields.
func (c *Client) pinned() discovery {
	return discovery{serviceField: c.pinnedField, holders: c.pinnedTrace}
}

// remember caches a confirmed service field and the holders that found
// lines (in the order they were asked).
func (c *Client) remember(sel selection, asked, heldIn []string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sel.found && c.pinnedField == "" {
		c.cache.serviceField, c.cache.streamField, c.cache.serviceValues = sel.field, sel.stream, sel.known
	}
	if c.pinnedTrace == nil {
		var needed []string
		for _, h := range asked {
			if slices.Contains(heldIn, h) {
				needed = append(needed, h)
			}
		}
		c.cache.holders = needed
	}
}

// forget drops the cache.
func (c *Client) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cache = discovery{}
}

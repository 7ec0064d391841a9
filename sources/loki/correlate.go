package loki

import (
	"context"
	"fmt"
	"slices"
	"sync"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/internal/logmatch"
	"github.com/redline-tui/redline/sources/internal/step"
)

// lookup is one TraceLogs request, validated.
type lookup struct {
	logmatch.Lookup
	backward bool // keep the newest lines when cutting to the limit
}

// outcome is what one pass of probes found.
type outcome struct {
	lk       lookup
	sel      selection
	ran      plan // the probes sent
	found    plan // the probes that returned lines
	needed   plan // the fewest probes that would have found every line
	lines    []logs.Line
	queries  []funnel.Query
	warnings []string
	heldIn   []string // where each line held the trace ID, e.g. "JSON field trace_id"
	// usedCache: the pass relied on an earlier discovery, which may not fit
	// this trace.
	usedCache bool
}

// TraceLogs returns the lines of q.TraceID (only q.SpanID's when set) in
// q.Range widened by Shift, oldest first. The first look-up discovers the
// service label and where trace IDs are held; later ones reuse that and, if
// it finds nothing for a trace, discover again.
func (c *Client) TraceLogs(ctx context.Context, q logs.Query) (logs.Result, error) {
	ctx, end := step.Begin(ctx)
	out, err := c.traceLogs(ctx, q)
	return out, end(err)
}

// traceLogs is TraceLogs within its step (package step): its queries share the
// backend's deadline, and none is sent once one timed out.
func (c *Client) traceLogs(ctx context.Context, q logs.Query) (logs.Result, error) {
	lk, err := c.newLookup(q)
	if err != nil {
		return logs.Result{}, err
	}
	pass := func(d discovery) (outcome, error) { return c.lookup(ctx, lk, d) }
	return logmatch.Rediscover(pass, c.known, c.pinned, c.forget)
}

// newLookup validates q and applies the window, shift and limit.
func (c *Client) newLookup(q logs.Query) (lookup, error) {
	lk, err := logmatch.NewLookup(q, logmatch.Bounds{Backend: backend, Limit: c.limit, MaxLimit: MaxLimit, Shift: c.shift, Now: c.now()})
	return lookup{Lookup: lk, backward: c.direction == "backward"}, err
}

// lookup selects the streams and runs the plan, using what d already knows.
func (c *Client) lookup(ctx context.Context, lk lookup, d discovery) (outcome, error) {
	sel, ok := knownSelection(d, lk.Services)
	if !ok {
		var err error
		if sel, err = c.discoverSelection(ctx, lk.Services, lk.Window); err != nil {
			return outcome{}, err
		}
	}
	out := outcome{lk: lk, sel: sel, usedCache: (ok && d.labelCached) || d.planCached}
	if sel.empty {
		return out, nil
	}
	pl := d.plan
	if pl == nil {
		pl = discoveryPlan
	}
	out.ran = pl
	results := c.runProbes(ctx, sel.selector, pl, lk)
	if err := out.collect(results, lk); err != nil {
		return out, err
	}
	if len(out.lines) > 0 {
		c.remember(sel, pl, out.needed)
	}
	return out, nil
}

// probeResult is one probe's answer.
type probeResult struct {
	probe probe
	query funnel.Query
	dec   decoded
	err   error
}

// runProbes sends the plan's queries in parallel and waits for all.
func (c *Client) runProbes(ctx context.Context, sel string, pl plan, lk lookup) []probeResult {
	results := make([]probeResult, len(pl))
	var wg sync.WaitGroup
	for i, p := range pl {
		text := p.query(sel, lk.TraceID, lk.SpanID)
		results[i] = probeResult{probe: p, query: funnel.Query{
			Backend: backend, Language: funnel.LogQL, Text: text, Range: lk.Window,
			Purpose: "log lines of trace " + lk.TraceID + " by " + p.String(),
		}}
		wg.Go(func() {
			results[i].dec, results[i].err = c.queryRange(ctx, text, lk.Window, lk.Limit)
		})
	}
	wg.Wait()
	return results
}

// collect merges the probes' lines: de-duplicated, parsed, matched to the
// trace (and span), time ascending, cut to the limit. A failed probe is a
// warning while another answered; when all fail the first error is returned.
func (out *outcome) collect(results []probeResult, lk lookup) error {
	var (
		m        merger
		failed   []error
		hitLimit bool
	)
	for i, r := range results {
		out.queries = append(out.queries, r.query)
		if r.err != nil {
			failed = append(failed, r.err)
			out.warnings = append(out.warnings, fmt.Sprintf("%s query failed: %v", r.probe, r.err))
			continue
		}
		out.warnings = logmatch.AppendNew(out.warnings, r.dec.warnings...)
		hitLimit = hitLimit || len(r.dec.lines) >= lk.Limit
		m.add(i, r.dec)
	}
	if len(failed) == len(results) {
		return failed[0]
	}
	out.found, out.needed = m.coverage(results)
	held := m.finish(lk, out.sel.label)
	if hitLimit || len(m.lines) > lk.Limit {
		m.lines = cutToLimit(m.lines, lk, &out.warnings)
	}
	out.lines = m.lines
	out.heldIn = make([]string, len(out.lines))
	for i, l := range out.lines {
		out.heldIn[i] = held[heldKey{l.Time.UnixNano(), l.Body}]
	}
	return nil
}

// cutToLimit keeps the limit's worth of lines at the end the direction reads
// from and says so.
func cutToLimit(lines []logs.Line, lk lookup, warnings *[]string) []logs.Line {
	end := "first"
	if lk.backward {
		end = "last"
	}
	*warnings = append(*warnings, fmt.Sprintf("showing the %s %d lines: the limit was reached (raise limit or narrow the window)", end, lk.Limit))
	switch {
	case len(lines) <= lk.Limit:
		return lines
	case lk.backward:
		return lines[len(lines)-lk.Limit:]
	}
	return lines[:lk.Limit]
}

// merger de-duplicates lines of several answers and records which probes
// found each.
type merger struct {
	seen        map[lineKey]int
	lines       []logs.Line
	sm          []map[string]string // each line's structured metadata
	foundBy     []uint64            // bit i set: probe i found the line
	categorized bool
}

type lineKey struct {
	ns     int64
	stream string
	body   string
}

func (m *merger) add(probe int, dec decoded) {
	if m.seen == nil {
		m.seen = make(map[lineKey]int, len(dec.lines))
	}
	m.categorized = m.categorized || dec.categorized
	for _, sl := range dec.lines {
		k := lineKey{ns: sl.line.Time.UnixNano(), stream: sl.stream, body: sl.line.Body}
		if i, ok := m.seen[k]; ok {
			m.foundBy[i] |= 1 << probe
			continue
		}
		m.seen[k] = len(m.lines)
		m.lines = append(m.lines, sl.line)
		m.sm = append(m.sm, sl.sm)
		m.foundBy = append(m.foundBy, 1<<probe)
	}
}

// coverage returns the probes that found lines and the fewest that found
// them all: a probe is needed when it found lines no other found. When
// every line was found by several, the last such probe in plan order is
// kept, which for the discovery plan is the line filter, since it finds
// IDs in any body format.
func (m *merger) coverage(results []probeResult) (found, needed plan) {
	var any, only uint64
	for _, bits := range m.foundBy {
		any |= bits
		if bits&(bits-1) == 0 {
			only |= bits
		}
	}
	for i, r := range results {
		if any&(1<<i) != 0 {
			found = append(found, r.probe)
		}
		if only&(1<<i) != 0 {
			needed = append(needed, r.probe)
		}
	}
	if len(needed) == 0 && len(found) > 0 {
		needed = plan{found[len(found)-1]}
	}
	return found, needed
}

// heldKey identifies a line for its holder description once sorted.
type heldKey struct {
	ns   int64
	body string
}

// finish parses the lines, fills what the query already proved (the trace
// and span ID of a line whose body did not spell them in a known way),
// keeps the trace's (span's) lines and sorts them. It returns where each
// line held the trace ID.
func (m *merger) finish(lk lookup, serviceLabel string) map[heldKey]string {
	held := make(map[heldKey]string, len(m.lines))
	for i, l := range m.lines {
		l = logs.Parse(l)
		held[heldKey{l.Time.UnixNano(), l.Body}] = heldIn(l, m.sm[i], lk.TraceID, m.categorized)
		if l.TraceID == "" {
			l.TraceID = lk.TraceID
		}
		if l.SpanID == "" && lk.SpanID != "" {
			l.SpanID = lk.SpanID
		}
		l.Service = serviceOf(l, serviceLabel)
		m.lines[i] = l
	}
	logs.SortByTime(m.lines)
	m.lines = logs.MatchTrace(m.lines, lk.TraceID, lk.SpanID)
	return held
}

// serviceOf names the line's service from the chosen service label, else
// the usual ones.
func serviceOf(l logs.Line, serviceLabel string) string {
	if v := l.Labels[serviceLabel]; v != "" {
		return v
	}
	for _, k := range DefaultServiceLabels {
		if v := l.Labels[k]; v != "" {
			return v
		}
	}
	return l.Metadata["service_name"]
}

// heldIn says where a line held the trace ID: a structured-metadata key
// (a label, on an old Loki that merges them), a JSON or logfmt field, or
// plain text.
func heldIn(l logs.Line, sm map[string]string, traceID string, categorized bool) string {
	for _, k := range traceKeys {
		if v, ok := sm[k]; ok && trace.NormalizeTraceID(v) == traceID {
			if categorized {
				return "structured metadata " + k
			}
			return "label " + k
		}
	}
	format := map[logs.Format]string{logs.FormatJSON: "JSON field ", logs.FormatLogfmt: "logfmt field "}[l.Format]
	if format != "" {
		for _, f := range logs.Fields(l) {
			if trace.NormalizeTraceID(f.Value) == traceID {
				return format + f.Key
			}
		}
	}
	return "plain text"
}

// Stale reports that the pass relied on the cache and found no lines
// (logmatch.Pass).
func (out outcome) Stale() bool { return len(out.lines) == 0 && out.usedCache }

// Sent lists the queries the pass sent (logmatch.Pass).
func (out outcome) Sent() []funnel.Query { return out.queries }

// Result renders the outcome for the UI with queries (logmatch.Pass).
func (out outcome) Result(queries []funnel.Query) logs.Result {
	return logs.Result{
		Lines:    out.lines,
		Strategy: out.strategy(),
		Queries:  queries,
		Warnings: logmatch.AppendNew(append(slices.Clip(out.lk.Warnings), out.sel.warningList()...), out.warnings...),
	}
}

// strategy says which query matched and where the lines held the ID, e.g.
// `line filter on {service_name="shop"}; trace ID in JSON field trace_id (4),
// structured metadata trace_id (2)`.
func (out outcome) strategy() string {
	switch {
	case out.sel.empty:
		return "no log streams in the window"
	case len(out.lines) == 0:
		return fmt.Sprintf("no lines of trace %s: tried %s on %s", out.lk.TraceID, out.ran, out.sel.selector)
	}
	return fmt.Sprintf("%s on %s; trace ID in %s", out.found, out.sel.selector, logmatch.CountWords(out.heldIn))
}

func (s selection) warningList() []string {
	if s.warning == "" {
		return nil
	}
	return []string{s.warning}
}

// known returns what to reuse: pins, then the cache.
func (c *Client) known() discovery {
	c.mu.Lock()
	defer c.mu.Unlock()
	d := c.pinned()
	if d.serviceLabel == "" && c.cache.serviceLabel != "" {
		d.serviceLabel, d.serviceValues, d.labelCached = c.cache.serviceLabel, c.cache.serviceValues, true
	}
	if d.plan == nil && c.cache.plan != nil {
		d.plan, d.planCached = c.cache.plan, true
	}
	return d
}

// pinned is what Config fixes.
func (c *Client) pinned() discovery {
	return discovery{serviceLabel: c.pinnedLabel, plan: c.pinnedPlan}
}

// remember caches a confirmed service label and, after a discovery pass,
// the fewest probes that found every line.
func (c *Client) remember(sel selection, ran, needed plan) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if sel.found && c.pinnedLabel == "" {
		c.cache.serviceLabel, c.cache.serviceValues = sel.label, sel.known
	}
	if c.pinnedPlan == nil && slices.Equal(ran, discoveryPlan) {
		c.cache.plan = needed
	}
}

// forget drops the cache.
func (c *Client) forget() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.cache = discovery{}
}

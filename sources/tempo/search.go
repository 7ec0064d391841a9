package tempo

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/internal/otlp"
	"github.com/redline-tui/redline/sources/internal/step"
)

// rootNotYetReceived is what Tempo puts in rootServiceName and
// rootTraceName while a trace's root span has not arrived.
const rootNotYetReceived = "<root span not yet received>"

// searchResponse is the subset of Tempo's /api/search answer we read
// (tempopb.SearchResponse as gogo jsonpb writes it: 64-bit integers as
// strings, zero values omitted).
type searchResponse struct {
	Traces []searchTrace `json:"traces"`
}

type searchTrace struct {
	TraceID         string                  `json:"traceID"`
	RootServiceName string                  `json:"rootServiceName"`
	RootTraceName   string                  `json:"rootTraceName"`
	StartTime       otlp.JSONUint64         `json:"startTimeUnixNano"`
	DurationMs      uint32                  `json:"durationMs"`
	SpanSet         *spanSet                `json:"spanSet"` // deprecated by Tempo, still sent
	SpanSets        []spanSet               `json:"spanSets"`
	ServiceStats    map[string]serviceStats `json:"serviceStats"`
}

type spanSet struct {
	Spans   []searchSpan `json:"spans"`
	Matched int          `json:"matched"`
}

type searchSpan struct {
	SpanID        string          `json:"spanID"`
	Name          string          `json:"name"`
	DurationNanos otlp.JSONUint64 `json:"durationNanos"`
}

type serviceStats struct {
	SpanCount  int `json:"spanCount"`
	ErrorCount int `json:"errorCount"`
}

// FindTraces searches the route's slow (or, with q.ErrorsOnly, failing)
// traces and returns them slowest first. Tempo returns the first matches it
// finds, not the slowest, so ranking happens here, by the matched server
// span's duration.
//
// When q.Route matches no span's http.route, the search is retried once
// matching the server span's name instead ("POST /api/checkout" or the bare
// route), for instrumentations that do not set http.route; a warning says
// so. Every query sent is recorded in the result.
func (c *Client) FindTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error) {
	ctx, end := step.Begin(ctx)
	out, err := c.findTraces(ctx, q)
	return out, end(err)
}

// findTraces is FindTraces within its step (package step): its queries share the
// backend's deadline, and none is sent once one timed out.
func (c *Client) findTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error) {
	var res trace.SearchResult
	found, err := c.search(ctx, q, byHTTPRoute, &res)
	if err != nil {
		return res, err
	}
	if len(found) == 0 && q.Route != "" {
		if found, err = c.search(ctx, q, bySpanName, &res); err != nil {
			return res, err
		}
		if len(found) > 0 {
			res.Warnings = append(res.Warnings, fmt.Sprintf("no span has http.route = %q: matched server spans by name instead", q.Route))
		}
	}
	res.Traces, res.Warnings = summarise(found, q.ErrorsOnly, res.Warnings)
	trace.SortSlowestFirst(res.Traces)
	return res, nil
}

// search sends one TraceQL search and records it in res.
func (c *Client) search(ctx context.Context, q trace.Query, match routeMatch, res *trace.SearchResult) ([]searchTrace, error) {
	text := traceQL(q, match)
	res.Queries = append(res.Queries, funnel.Query{
		Backend:  backend,
		Language: funnel.TraceQL,
		Purpose:  searchPurpose(q),
		Text:     text,
		Range:    q.Range,
	})
	limit := q.Limit
	if limit <= 0 {
		limit = c.limit
	}
	params := url.Values{
		"q":     {text},
		"limit": {strconv.Itoa(limit)},
		"spss":  {strconv.Itoa(c.spansPerSet)},
	}
	addRange(params, q.Range)
	var resp searchResponse
	if err := c.http.GetJSON(ctx, "/api/search", params, c.header("application/json"), &resp); err != nil {
		return nil, err
	}
	return resp.Traces, nil
}

func searchPurpose(q trace.Query) string {
	what := "slowest traces"
	if q.ErrorsOnly {
		what = "failing traces"
	}
	if q.Route == "" {
		return what + " of " + q.Service
	}
	return what + " of " + q.Service + " " + q.Route
}

// addRange sets start and end in unix seconds (Tempo parses them as
// uint32 seconds): start rounded down, end up, so the range only grows. A
// zero range is left out, and Tempo then searches recent data only.
func addRange(params url.Values, r funnel.TimeRange) {
	if r.Start.IsZero() || r.End.IsZero() {
		return
	}
	start := r.Start.Unix()
	end := r.End.Unix()
	if r.End.After(time.Unix(end, 0)) {
		end++
	}
	params.Set("start", strconv.FormatInt(start, 10))
	params.Set("end", strconv.FormatInt(end, 10))
}

// summarise turns search hits into summaries, appending a warning for
// traces it had to skip or could only partly describe.
func summarise(found []searchTrace, errorsOnly bool, warnings []string) ([]trace.Summary, []string) {
	out := make([]trace.Summary, 0, len(found))
	badIDs, rootless := 0, 0
	for i := range found {
		s, ok := summary(&found[i], errorsOnly)
		if !ok {
			badIDs++
			continue
		}
		if s.RootService == "" {
			rootless++
		}
		out = append(out, s)
	}
	if badIDs > 0 {
		warnings = append(warnings, fmt.Sprintf("%d search result(s) had an unreadable trace ID and were left out", badIDs))
	}
	if rootless > 0 {
		warnings = append(warnings, fmt.Sprintf("%d trace(s) have no root span yet (still arriving, or lost): root service unknown", rootless))
	}
	return out, warnings
}

func summary(t *searchTrace, errorsOnly bool) (trace.Summary, bool) {
	id := trace.NormalizeTraceID(t.TraceID) // Tempo strips leading zeros
	if id == "" {
		return trace.Summary{}, false
	}
	s := trace.Summary{
		TraceID:  id,
		Duration: time.Duration(t.DurationMs) * time.Millisecond,
	}
	if t.StartTime > 0 {
		s.Start = time.Unix(0, int64(t.StartTime))
	}
	if t.RootServiceName != rootNotYetReceived {
		s.RootService, s.RootName = t.RootServiceName, t.RootTraceName
	} else {
		s.Completeness.Flagged = true
	}
	matchedCount := matchSlowestSpan(&s, t.spanSets())
	// durationMs is truncated to whole ms and absent under 1 ms: never
	// report a trace shorter than its own matched span.
	s.Duration = max(s.Duration, s.MatchedDuration)
	addServiceStats(&s, t.ServiceStats)
	if errorsOnly && s.ErrorCount == 0 {
		s.ErrorCount = matchedCount // every span matched status = error
	}
	return s, true
}

// spanSets returns the matched span sets, falling back to the deprecated
// single spanSet that older Tempo versions send alone.
func (t *searchTrace) spanSets() []spanSet {
	if len(t.SpanSets) > 0 || t.SpanSet == nil {
		return t.SpanSets
	}
	return []spanSet{*t.SpanSet}
}

// matchSlowestSpan records the longest matched span in s and returns how
// many spans matched in all (Tempo returns at most spss of them per set).
func matchSlowestSpan(s *trace.Summary, sets []spanSet) int {
	matched := 0
	for _, set := range sets {
		matched += max(set.Matched, len(set.Spans))
		for _, sp := range set.Spans {
			d := time.Duration(sp.DurationNanos)
			id := trace.NormalizeSpanID(sp.SpanID)
			if id != "" && (d > s.MatchedDuration || s.MatchedSpanID == "") {
				s.MatchedSpanID, s.MatchedDuration = id, d
			}
		}
	}
	return matched
}

func addServiceStats(s *trace.Summary, stats map[string]serviceStats) {
	if len(stats) == 0 {
		if s.RootService != "" {
			s.Services = []string{s.RootService}
		}
		return
	}
	for name, st := range stats {
		s.Services = append(s.Services, name)
		s.SpanCount += st.SpanCount
		s.ErrorCount += st.ErrorCount
	}
	slices.Sort(s.Services)
}

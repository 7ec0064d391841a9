// Package jaeger is the Jaeger trace source. It speaks Jaeger's api_v2 gRPC
// query service (port 16685; jaeger-idl's generated client) or, as the
// alternative, the HTTP /api/v3 gateway (port 16686, OTLP JSON), and
// returns funnel trace types either way.
//
// Search asks Jaeger for the route's traces (by service, the route's
// operation, a minimum duration) and ranks them here by the route's server
// span, slowest first: Jaeger returns the most recent matches, not the
// slowest.
package jaeger

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/internal/step"
)

// backend names this source in errors and recorded queries.
const backend = "jaeger"

// DefaultLimit is the number of traces a search asks for when neither the
// query nor the config says.
const DefaultLimit = 20

// DefaultLookback is the search window when a query has no time range.
const DefaultLookback = time.Hour

// Config configures a Client. Set GRPCAddr (preferred) or HTTPURL.
type Config struct {
	GRPCAddr   string       // api_v2 gRPC query service, e.g. 127.0.0.1:16685
	HTTPURL    string       // alternative: the HTTP API, e.g. http://127.0.0.1:16686 (uses /api/v3)
	Tenant     string       // sent as x-scope-orgid (gRPC metadata or HTTP header)
	Token      string       // bearer token, optional
	TLS        *tls.Config  // gRPC transport security; nil means plaintext
	HTTPClient *http.Client // HTTP path: auth, TLS, proxy; nil uses a client with TLS (if set)
	MaxBody    int64        // answer size cap in bytes; 0 uses 64 MiB
	Limit      int          // traces per search when the query names none; 0 means DefaultLimit
	// Timeout is the gRPC API's deadline in a step: every call of one
	// FindTraces, Trace or Ping shares it (package step); 0 means
	// DefaultTimeout. The HTTP API takes its timeout from HTTPClient.
	Timeout time.Duration
	// Budget is shared by every answer in flight in the process; nil
	// bounds answers by MaxBody alone.
	Budget *budget.Budget
}

// DefaultTimeout is the gRPC API's deadline in a step when Config.Timeout
// is zero.
const DefaultTimeout = 30 * time.Second

// transport is one way of talking to Jaeger: gRPC api_v2 or HTTP api_v3.
type transport interface {
	endpoint() string
	findSpans(ctx context.Context, p searchParams) ([]trace.Span, error)
	traceSpans(ctx context.Context, traceID string, r funnel.TimeRange) ([]trace.Span, []string, error)
	operations(ctx context.Context, service string) ([]string, error)
	services(ctx context.Context) ([]string, error)
	close() error
}

// Client queries one Jaeger.
type Client struct {
	t     transport
	limit int
	now   func() time.Time
}

// New checks cfg and returns a client. It does not contact Jaeger (a gRPC
// connection is made on first use); see Ping.
func New(cfg Config) (*Client, error) {
	var (
		t   transport
		err error
	)
	switch {
	case strings.TrimSpace(cfg.GRPCAddr) != "":
		t, err = newGRPC(cfg)
	case strings.TrimSpace(cfg.HTTPURL) != "":
		t, err = newHTTP(cfg)
	default:
		err = errors.New("jaeger: no address: set the gRPC query address (e.g. 127.0.0.1:16685) or the HTTP URL (e.g. http://127.0.0.1:16686)")
	}
	if err != nil {
		return nil, err
	}
	limit := cfg.Limit
	if limit <= 0 {
		limit = DefaultLimit
	}
	return &Client{t: t, limit: limit, now: time.Now}, nil
}

// Name returns "jaeger".
func (c *Client) Name() string { return backend }

// Close releases the gRPC connection (a no-op over HTTP).
func (c *Client) Close() error { return c.t.close() }

// Info is what Ping learnt about the server, for `redline config check`.
type Info struct {
	Endpoint string
	Version  string   // Jaeger's query APIs do not report one: always ""
	Notes    []string // e.g. the services Jaeger knows
}

// Ping lists Jaeger's services (GetServices), which proves the address,
// the protocol and the credentials.
func (c *Client) Ping(ctx context.Context) (Info, error) {
	info := Info{Endpoint: c.t.endpoint()}
	ctx, end := step.Begin(ctx)
	services, err := c.t.services(ctx)
	if err = end(err); err != nil {
		return info, err
	}
	slices.Sort(services)
	const shown = 8
	note := fmt.Sprintf("%d services", len(services))
	if len(services) > 0 {
		note += ": " + strings.Join(services[:min(shown, len(services))], ", ")
		if len(services) > shown {
			note += ", …"
		}
	}
	info.Notes = append(info.Notes, note)
	return info, nil
}

// searchParams is one Jaeger search, whichever transport sends it.
type searchParams struct {
	Service     string
	Operation   string
	Tags        map[string]string
	Start, End  time.Time
	MinDuration time.Duration
	Depth       int
	ErrorsOnly  bool // filtered here, not sent (see plan)
}

// An errors-only search looks errorSearchFactor times deeper (at most
// maxErrorSearchDepth traces) since failing traces are picked client-side.
const (
	errorSearchFactor   = 10
	maxErrorSearchDepth = 1000
)

// String renders the search readably, as the UI and snapshots quote it:
//
//	service=shop operation="POST /api/checkout" minDuration=500ms limit=20
func (p searchParams) String() string {
	parts := []string{"service=" + quoteIfNeeded(p.Service)}
	if p.Operation != "" {
		parts = append(parts, "operation="+quoteIfNeeded(p.Operation))
	}
	keys := make([]string, 0, len(p.Tags))
	for k := range p.Tags {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		parts = append(parts, "tag:"+k+"="+quoteIfNeeded(p.Tags[k]))
	}
	if p.MinDuration > 0 {
		parts = append(parts, "minDuration="+p.MinDuration.String())
	}
	parts = append(parts, "limit="+strconv.Itoa(p.Depth))
	if p.ErrorsOnly {
		parts = append(parts, "(failing traces picked by redline)")
	}
	return strings.Join(parts, " ")
}

func quoteIfNeeded(s string) string {
	if s == "" || strings.ContainsAny(s, " \t\n\"\\=") || strconv.Quote(s) != `"`+s+`"` {
		return strconv.Quote(s)
	}
	return s
}

// FindTraces searches the route's slow (or failing) traces and returns
// them slowest first, ranked by the route's server span.
//
// The route is matched through its operation when exactly one server
// operation of the service is the route or "METHOD route" (from
// GetOperations); otherwise through the http.route tag, and results are
// also filtered here, since older Jaeger HTTP gateways ignore tags. With
// q.ErrorsOnly it searches deeper and keeps the traces with failed spans.
func (c *Client) FindTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error) {
	ctx, end := step.Begin(ctx)
	res, err := c.findTraces(ctx, q)
	return res, end(err)
}

// findTraces is FindTraces within its step: the operations and the search
// share Jaeger's deadline, and the search is not sent when listing the
// operations timed out.
func (c *Client) findTraces(ctx context.Context, q trace.Query) (trace.SearchResult, error) {
	var res trace.SearchResult
	p, match, warnings := c.plan(ctx, q)
	res.Warnings = warnings
	res.Queries = append(res.Queries, funnel.Query{
		Backend:  backend,
		Language: funnel.JaegerQuery,
		Purpose:  searchPurpose(q),
		Text:     p.String(),
		Range:    funnel.TimeRange{Start: p.Start, End: p.End},
	})
	spans, err := c.t.findSpans(ctx, p)
	if err != nil {
		res.Queries[0].NotSent = step.Reason(err)
		return res, err
	}
	res.Traces = summarise(spans, match)
	res.Traces = slices.DeleteFunc(res.Traces, func(s trace.Summary) bool {
		return (q.Route != "" && s.MatchedSpanID == "") || (q.ErrorsOnly && s.ErrorCount == 0)
	})
	trace.SortSlowestFirst(res.Traces)
	if limit := c.resultLimit(q); len(res.Traces) > limit {
		res.Traces = res.Traces[:limit]
	}
	return res, nil
}

// resultLimit is how many traces FindTraces returns.
func (c *Client) resultLimit(q trace.Query) int {
	if q.Limit > 0 {
		return q.Limit
	}
	return c.limit
}

func searchPurpose(q trace.Query) string {
	what := "slowest traces of "
	if q.ErrorsOnly {
		what = "failing traces of "
	}
	return strings.TrimSpace(what + q.Service + " " + q.Route)
}

// plan turns q into Jaeger search parameters and the predicate that finds
// the route's server span in a result.
func (c *Client) plan(ctx context.Context, q trace.Query) (searchParams, func(*trace.Span) bool, []string) {
	p := searchParams{
		Service:     q.Service,
		Start:       q.Range.Start,
		End:         q.Range.End,
		MinDuration: q.MinDuration,
		Depth:       c.resultLimit(q),
	}
	if p.Start.IsZero() || p.End.IsZero() {
		p.End = c.now()
		p.Start = p.End.Add(-DefaultLookback)
	}
	var warnings []string
	if q.Route != "" {
		ops, err := c.t.operations(ctx, q.Service)
		if err != nil {
			warnings = append(warnings, "could not list operations, matching the route by its http.route tag: "+err.Error())
		}
		p.Operation = routeOperation(ops, q.Route)
		if p.Operation == "" {
			p.Tags = map[string]string{"http.route": q.Route}
		}
	}
	if q.ErrorsOnly {
		// Not sent as the tag error=true: Jaeger v2's memory store reads the
		// api_v2 tag (a string) as a boolean, false, and then returns only
		// spans with status OK. Failing traces are picked here instead, from
		// a deeper search.
		p.ErrorsOnly = true
		p.Depth = min(p.Depth*errorSearchFactor, maxErrorSearchDepth)
	}
	return p, routeSpanMatcher(q.Service, q.Route, p.Operation), warnings
}

// routeOperation picks the one operation that is the route or "METHOD
// route", else the one that contains it; "" when none or several do (e.g.
// GET and POST on one route).
func routeOperation(ops []string, route string) string {
	pick := func(ok func(string) bool) (string, int) {
		found, n := "", 0
		for _, op := range ops {
			if ok(op) {
				found, n = op, n+1
			}
		}
		return found, n
	}
	if op, n := pick(func(op string) bool { return isRouteName(op, route) }); n == 1 {
		return op
	} else if n > 1 {
		return ""
	}
	if op, n := pick(func(op string) bool { return strings.Contains(op, route) }); n == 1 {
		return op
	}
	return ""
}

// isRouteName reports whether a span name is route, or "METHOD route" as
// the HTTP semantic conventions name server spans.
func isRouteName(name, route string) bool {
	if name == route {
		return true
	}
	method, rest, ok := strings.Cut(name, " ")
	return ok && rest == route && method != "" && strings.ToUpper(method) == method
}

// routeSpanMatcher finds the route's server span of the service: by
// operation name when one was chosen, else by http.route or span name.
func routeSpanMatcher(service, route, operation string) func(*trace.Span) bool {
	return func(s *trace.Span) bool {
		if s.Service != service || (s.Kind != trace.KindServer && s.Kind != trace.KindUnspecified) {
			return false
		}
		switch {
		case operation != "":
			return s.Name == operation
		case route == "":
			return s.Kind == trace.KindServer
		}
		if r, ok := s.Attr("http.route"); ok {
			return r == route
		}
		return isRouteName(s.Name, route)
	}
}

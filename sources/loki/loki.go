// Package loki reads the log lines of a trace from Grafana Loki.
//
// It speaks Loki's HTTP API (query_range with the categorize-labels
// encoding flag, labels, label values, ready and buildinfo) and discovers,
// per client, how this Loki holds trace IDs and which stream label names a
// service:
//
//  1. the service selector: the first label of Config.ServiceLabels present
//     in the window whose values include one of the trace's services, e.g.
//     {service_name=~"shop|payments"};
//  2. the correlation: the structured-metadata filter {sel} | trace_id="<id>"
//     (OTLP logs) and the line filter {sel} |= "<id>" (any body format) run in
//     parallel; their lines are merged, and each line is classified by where
//     the ID was found (structured metadata, a JSON or logfmt field, plain
//     text). The smallest set of those queries that found every line is
//     cached (the line filter when it alone found them all, since it reads
//     every body format), so later look-ups are usually one request; a
//     cached choice that finds nothing for a trace is dropped and discovery
//     runs again.
//
// Both can be pinned in Config (ServiceLabel, TraceField). A JSON or logfmt
// pin adds a parser stage and a label filter across the usual field names
// and their _extracted variants (Loki renames a parsed key that collides
// with a stream or structured-metadata label):
//
//	{sel} |= "<id>" | json | trace_id="<id>" or traceId="<id>" or … or trace_id_extracted="<id>"
//
// A span ID, when asked for, filters in the query too (span_id structured
// metadata, or a second line filter) and again on the parsed lines. Every
// LogQL query is built in logql.go with escaping that cannot change its
// meaning. The line filter is a case-insensitive regex (|~ "(?i)<id>"), and a
// 64-bit Jaeger trace ID (upper half zero) is looked for by its 16 digits, so
// lines spelling it in upper case or unpadded are found; parsed fields are
// compared whole, with or without the padding. Structured metadata is
// compared as 32 lower-case hex digits, as OTel writes them.
package loki

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/internal/httpx"
)

// backend names this source in errors and recorded queries.
const backend = "loki"

// Defaults and bounds.
const (
	DefaultLimit = 1000
	// MaxLimit is Loki's default max_entries_limit_per_query; a larger
	// limit is refused by a default Loki.
	MaxLimit         = 5000
	DefaultShift     = 30 * time.Second
	DefaultDirection = "forward"
)

// DefaultServiceLabels are the stream labels that commonly name a service,
// most specific first: Loki 3's OTLP and discover_service_name label, then
// the usual Promtail, Alloy and Kubernetes ones.
var DefaultServiceLabels = []string{
	"service_name", "app", "job", "container", "service", "k8s_container_name", "container_name",
}

// Config configures a Client. Only URL is required.
type Config struct {
	URL        string       // e.g. http://127.0.0.1:3100, a path prefix is kept
	HTTPClient *http.Client // auth, TLS, proxy, timeout; nil uses http.DefaultClient
	Tenant     string       // sent as X-Scope-OrgID when set ("a|b" for multi-tenant queries)
	MaxBody    int64        // response body cap in bytes; 0 uses httpx.DefaultMaxBody

	// Limit caps the lines asked per query (default 1000, at most 5000,
	// Loki's default max_entries_limit_per_query).
	Limit int
	// Shift widens the trace's time range on both sides (default 30s): log
	// lines are often written a little before or after their span.
	Shift time.Duration
	// Direction is "forward" (default: the oldest lines of the window, read
	// along the waterfall; when the limit is hit the trace's start is kept)
	// or "backward" (the newest lines, keeping the trace's end).
	Direction string

	// ServiceLabels are the stream label names tried, in order, to select a
	// service's streams (default DefaultServiceLabels).
	ServiceLabels []string
	// ServiceLabel pins the service label name and skips its discovery.
	ServiceLabel string
	// TraceField pins how trace IDs are held and skips their discovery:
	// "metadata" (structured metadata trace_id), "json" or "json:<field>",
	// "logfmt" or "logfmt:<field>", "text" (anywhere in the line).
	TraceField string
	// Budget is shared by every answer in flight in the process; nil
	// bounds answers by MaxBody alone.
	Budget *budget.Budget
}

// Client reads trace-correlated log lines from one Loki.
type Client struct {
	http          *httpx.Client
	limit         int
	shift         time.Duration
	direction     string
	serviceLabels []string
	pinnedLabel   string
	pinnedPlan    plan // nil when not pinned
	now           func() time.Time

	mu    sync.Mutex
	cache discovery // what earlier look-ups found
}

// discovery is what the client learnt about this Loki.
type discovery struct {
	serviceLabel  string   // "" until found
	serviceValues []string // the label's values when found; nil for a pinned label
	plan          plan     // nil until a look-up found lines

	labelCached, planCached bool // set by known when taken from the cache
}

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	hc, err := httpx.New(backend, cfg.URL, cfg.HTTPClient, cfg.MaxBody, cfg.Budget)
	if err != nil {
		return nil, err
	}
	hc.Tenant = strings.TrimSpace(cfg.Tenant)
	c := &Client{
		http:          hc,
		limit:         cfg.Limit,
		shift:         cfg.Shift,
		direction:     cfg.Direction,
		serviceLabels: cfg.ServiceLabels,
		pinnedLabel:   cfg.ServiceLabel,
		now:           time.Now,
	}
	if err := c.applyDefaults(); err != nil {
		return nil, err
	}
	if c.pinnedPlan, err = parseTraceField(cfg.TraceField); err != nil {
		return nil, err
	}
	return c, nil
}

func (c *Client) applyDefaults() error {
	switch {
	case c.limit == 0:
		c.limit = DefaultLimit
	case c.limit < 0 || c.limit > MaxLimit:
		return fmt.Errorf("loki: limit %d is out of range: use 1–%d (Loki refuses more than max_entries_limit_per_query, default %d)", c.limit, MaxLimit, MaxLimit)
	}
	switch {
	case c.shift == 0:
		c.shift = DefaultShift
	case c.shift < 0:
		return fmt.Errorf("loki: shift %s is negative: use a margin such as 30s", c.shift)
	}
	switch c.direction {
	case "":
		c.direction = DefaultDirection
	case "forward", "backward":
	default:
		return fmt.Errorf("loki: direction %q is not supported: use forward or backward", c.direction)
	}
	if len(c.serviceLabels) == 0 {
		c.serviceLabels = DefaultServiceLabels
	}
	for _, name := range append([]string{c.pinnedLabel}, c.serviceLabels...) {
		if name != "" && !validLabelName(name) {
			return fmt.Errorf("loki: service label %q is not a Loki label name: use letters, digits and _ (e.g. service_name)", name)
		}
	}
	return nil
}

// Name is "loki".
func (c *Client) Name() string { return backend }

var labelNameRE = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// validLabelName reports whether name can appear unquoted in LogQL as a
// label name.
func validLabelName(name string) bool { return labelNameRE.MatchString(name) }

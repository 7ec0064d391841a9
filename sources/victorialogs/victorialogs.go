// Package victorialogs reads the log lines of a trace from VictoriaLogs.
//
// It speaks VictoriaLogs' HTTP API: LogsQL over /select/logsql/query,
// whose answer (one JSON object per line: _msg, _time, _stream and the
// other fields) is streamed and decoded under the same body cap as every
// backend, /select/logsql/field_names, stream_field_names and field_values
// for discovery, and /health. A tenant is sent as the AccountID and
// ProjectID headers.
//
// Like sources/loki it discovers, per client, how this VictoriaLogs holds
// what it needs:
//
//  1. the service filter: the first field of Config.ServiceFields present
//     in the window (a stream field or an ordinary one) whose values
//     include one of the trace's services, e.g.
//     _stream:{"service_name"=~"shop|payments"} for a stream field, or
//     "service.name":in("shop","payments") for an ordinary field;
//  2. the trace filter: the fields of DefaultTraceFields present in the
//     window (trace_id, traceId, traceID, trace.id), compared whole, or
//     else a match anywhere in _msg, all in one query such as
//     _time:[start, end] <service filter> ("trace_id":~"(?i)^<id>$" or
//     _msg:~"(?i)<id>") | sort by (_time) | limit N.
//
// Each line is classified by where it held the ID; the holders that found
// lines are cached, so later look-ups send only those, and a cached choice
// that finds nothing for a trace is dropped and discovery runs again. Both
// can be pinned in Config (ServiceField, TraceField). IDs are matched in any
// case, and a 64-bit Jaeger trace ID with or without its 16 leading zeros.
// A span ID, when asked for, is matched on the parsed lines. Every LogsQL
// query is built in logsql.go with quoting that cannot change its meaning.
package victorialogs

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/internal/httpx"
)

// backend names this source in errors and recorded queries.
const backend = "victorialogs"

// Defaults and bounds.
const (
	DefaultLimit = 1000
	// MaxLimit bounds the lines asked per query: a trace's lines, not a
	// bulk export.
	MaxLimit     = 10000
	DefaultShift = 30 * time.Second
)

// DefaultServiceFields are the fields that commonly name a service, most
// specific first: OTLP's service.name (service_name through Loki's push
// protocol), then the usual Promtail, Vector and Kubernetes ones.
var DefaultServiceFields = []string{
	"service_name", "service.name", "app", "job", "service", "container_name", "k8s.container.name", "container",
}

// DefaultTraceFields are the fields that commonly hold a trace ID.
var DefaultTraceFields = []string{"trace_id", "traceId", "traceID", "trace.id"}

// Config configures a Client. Only URL is required.
type Config struct {
	URL        string       // e.g. http://127.0.0.1:9428, a path prefix is kept
	HTTPClient *http.Client // auth, TLS, proxy, timeout; nil uses http.DefaultClient
	// Tenant is "ACCOUNT[:PROJECT]", e.g. "12:0", sent as the AccountID and
	// ProjectID headers; "" is VictoriaLogs' default tenant 0:0.
	Tenant  string
	MaxBody int64 // response body cap in bytes; 0 uses httpx.DefaultMaxBody

	Limit int           // lines asked per query (default 1000, at most MaxLimit)
	Shift time.Duration // widens the trace's time range on both sides (default 30s)

	// ServiceFields are the field names tried, in order, to select a
	// service's lines (default DefaultServiceFields).
	ServiceFields []string
	// ServiceField pins the field naming the service and skips its discovery.
	ServiceField string
	// TraceField pins where trace IDs are held and skips their discovery: a
	// field name (e.g. trace_id) or _msg (anywhere in the message).
	TraceField string
	// Budget is shared by every answer in flight in the process; nil
	// bounds answers by MaxBody alone.
	Budget *budget.Budget
}

// Client reads trace-correlated log lines from one VictoriaLogs.
type Client struct {
	http          *httpx.Client
	tenant        http.Header // AccountID and ProjectID, nil for the default tenant
	limit         int
	shift         time.Duration
	serviceFields []string
	pinnedField   string
	pinnedTrace   []string // nil when not pinned
	now           func() time.Time

	mu    sync.Mutex
	cache discovery // what earlier look-ups found
}

// discovery is what the client learnt about this VictoriaLogs.
type discovery struct {
	serviceField  string   // "" until found
	streamField   bool     // serviceField is a stream field
	serviceValues []string // its values when found; nil for a pinned field
	holders       []string // trace ID fields and/or msgField; nil until a look-up found lines

	fieldCached, holdersCached bool // set by known when taken from the cache
}

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	hc, err := httpx.New(backend, cfg.URL, cfg.HTTPClient, cfg.MaxBody, cfg.Budget)
	if err != nil {
		return nil, err
	}
	tenant, err := ParseTenant(cfg.Tenant)
	if err != nil {
		return nil, err
	}
	c := &Client{
		http:          hc,
		tenant:        tenant,
		limit:         cfg.Limit,
		shift:         cfg.Shift,
		serviceFields: cfg.ServiceFields,
		pinnedField:   strings.TrimSpace(cfg.ServiceField),
		now:           time.Now,
	}
	if t := strings.TrimSpace(cfg.TraceField); t != "" {
		c.pinnedTrace = []string{t}
	}
	return c, c.applyDefaults()
}

func (c *Client) applyDefaults() error {
	switch {
	case c.limit == 0:
		c.limit = DefaultLimit
	case c.limit < 0 || c.limit > MaxLimit:
		return fmt.Errorf("victorialogs: limit %d is out of range: use 1–%d", c.limit, MaxLimit)
	}
	switch {
	case c.shift == 0:
		c.shift = DefaultShift
	case c.shift < 0:
		return fmt.Errorf("victorialogs: shift %s is negative: use a margin such as 30s", c.shift)
	}
	if len(c.serviceFields) == 0 {
		c.serviceFields = DefaultServiceFields
	}
	return nil
}

// Name is "victorialogs".
func (c *Client) Name() string { return backend }

// Tenant headers of VictoriaLogs' multitenancy.
const (
	headerAccount = "AccountID"
	headerProject = "ProjectID"
)

// ParseTenant reads "ACCOUNT[:PROJECT]" (VictoriaLogs' own notation, both
// 32-bit unsigned numbers, PROJECT 0 when left out) into the AccountID and
// ProjectID headers; "" is the default tenant and sends none.
func ParseTenant(s string) (http.Header, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	account, project, hasProject := strings.Cut(s, ":")
	if !hasProject {
		project = "0"
	}
	a, errA := strconv.ParseUint(account, 10, 32)
	p, errP := strconv.ParseUint(project, 10, 32)
	if errA != nil || errP != nil {
		return nil, fmt.Errorf("victorialogs: tenant %q is not ACCOUNT:PROJECT: want two numbers 0–4294967295, e.g. \"12:0\"", s)
	}
	h := http.Header{}
	h.Set(headerAccount, strconv.FormatUint(a, 10))
	h.Set(headerProject, strconv.FormatUint(p, 10))
	return h, nil
}

// Package tempo is the Grafana Tempo trace source: it searches a route's
// slow or failing traces with TraceQL (/api/search) and loads whole traces
// (/api/v2/traces/<id>, protobuf preferred, JSON and the v1 route as
// fallbacks), returning funnel trace types.
//
// Tempo quirks handled here: search results are not sorted by duration (we
// sort), search trace IDs have their leading zeros stripped (we pad), trace
// JSON carries base64 IDs and enum names, and a trace over the size limit
// comes back PARTIAL.
package tempo

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/internal/httpx"
	"github.com/redline-tui/redline/sources/internal/step"
)

// backend names this source in errors and recorded queries.
const backend = "tempo"

// Defaults for Config.
const (
	DefaultLimit       = 20
	DefaultSpansPerSet = 3
)

// Config configures a Client.
type Config struct {
	URL         string       // base URL, e.g. http://127.0.0.1:3200 (a path prefix is kept)
	HTTPClient  *http.Client // auth, TLS, proxy; nil uses http.DefaultClient
	Tenant      string       // sent as X-Scope-OrgID when set
	MaxBody     int64        // response size cap in bytes; 0 uses httpx.DefaultMaxBody
	Limit       int          // traces per search when the query names none; 0 means DefaultLimit
	SpansPerSet int          // matched spans returned per trace (spss); 0 means DefaultSpansPerSet
	// Budget is shared by every answer in flight in the process; nil
	// bounds answers by MaxBody alone.
	Budget *budget.Budget
}

// Client talks to one Tempo.
type Client struct {
	http        *httpx.Client
	tenant      string
	limit       int
	spansPerSet int
}

// New checks cfg and returns a client; it does not contact Tempo (see Ping).
func New(cfg Config) (*Client, error) {
	hc, err := httpx.New(backend, cfg.URL, cfg.HTTPClient, cfg.MaxBody, cfg.Budget)
	if err != nil {
		return nil, err
	}
	hc.Tenant = cfg.Tenant
	c := &Client{http: hc, tenant: cfg.Tenant, limit: cfg.Limit, spansPerSet: cfg.SpansPerSet}
	if c.limit <= 0 {
		c.limit = DefaultLimit
	}
	if c.spansPerSet <= 0 {
		c.spansPerSet = DefaultSpansPerSet
	}
	return c, nil
}

// Name returns "tempo".
func (c *Client) Name() string { return backend }

// header returns the headers a request carries besides the tenant: accept.
func (c *Client) header(accept string) http.Header {
	h := http.Header{}
	if accept != "" {
		h.Set("Accept", accept)
	}
	return h
}

// Info is what Ping learnt about the server, for `redline config check`.
type Info struct {
	Endpoint string
	Version  string   // e.g. "v2.7.1 (revision 0a2c3b1)"; "" when unknown
	Notes    []string // anything else worth telling, e.g. the tenant in use
}

// Ping checks that Tempo is ready (/ready) and reads its version
// (/api/status/buildinfo). A Tempo that is up but still starting answers
// /ready with 503 and the reason, which becomes the error.
func (c *Client) Ping(ctx context.Context) (Info, error) {
	ctx, end := step.Begin(ctx)
	out, err := c.ping(ctx)
	return out, end(err)
}

// ping is Ping within its step (package step): its queries share the
// backend's deadline, and none is sent once one timed out.
func (c *Client) ping(ctx context.Context) (Info, error) {
	info := Info{Endpoint: c.http.Base.String()}
	if _, err := c.http.Get(ctx, "/ready", nil, c.header("")); err != nil {
		return info, err
	}
	var build struct {
		Version  string `json:"version"`
		Revision string `json:"revision"`
	}
	if err := c.http.GetJSON(ctx, "/api/status/buildinfo", nil, c.header("application/json"), &build); err != nil {
		return info, err
	}
	info.Version = strings.TrimSpace(build.Version)
	if build.Revision != "" {
		info.Version = fmt.Sprintf("%s (revision %s)", info.Version, build.Revision)
	}
	if c.tenant != "" {
		info.Notes = append(info.Notes, "tenant "+c.tenant+" ("+httpx.TenantHeader+")")
	}
	return info, nil
}

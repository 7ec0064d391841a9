// Package prometheus is redline's metrics source for Prometheus and
// Prometheus-compatible backends (Mimir, Thanos, VictoriaMetrics). It detects
// which HTTP metric convention each service uses (OTel semconv, classic
// client_golang, span metrics from the OTel Collector or Tempo, classic or
// native histograms), reads SLOs from Sloth or Pyrra recording rules, from
// config, or assumes a 99.9% availability SLO and a latency SLO (see
// AssumedLatencyTarget), and answers the SLO and RED steps of the funnel. Every PromQL it sends is recorded in the reports.
package prometheus

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/api"
	v1 "github.com/prometheus/client_golang/api/prometheus/v1"

	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/internal/httpx"
	"github.com/redline-tui/redline/sources/internal/step"
)

// backend names this source in errors and recorded queries.
const backend = "prometheus"

// DefaultTimeout is the backend's deadline in a step (package step: every
// query of one SLOs, Routes or Ping shares it) when Config.Timeout is zero.
const DefaultTimeout = 30 * time.Second

// detectTTL is how long a convention detection is reused.
const detectTTL = 5 * time.Minute

// Config configures a Client.
type Config struct {
	URL        string        // base URL; a path prefix (Mimir's /prometheus) is kept
	HTTPClient *http.Client  // auth, TLS and proxy already set; nil (or a nil Transport) = net/http's default transport keeping more idle connections
	Tenant     string        // sent as X-Scope-OrgID when non-empty
	MaxBody    int64         // response body cap in bytes; ≤ 0 = httpx.DefaultMaxBody
	Timeout    time.Duration // the deadline of a step's queries, from its first; ≤ 0 = DefaultTimeout
	SLOs       []SLOSpec
	Assume     Assume // the SLOs assumed for services that define none
	// Convention pins one convention ID (ConventionOTel, …) instead of
	// detecting; ServiceLabel pins the label naming services.
	Convention   string
	ServiceLabel string
	// Budget is shared by every answer in flight in the process; nil
	// bounds answers by MaxBody alone.
	Budget *budget.Budget
	// Alerts reads the active alerts from elsewhere (an Alertmanager);
	// nil reads this backend's /api/v1/alerts.
	Alerts AlertSource
}

// SLOSpec is an SLO declared in config. ErrorQuery and TotalQuery are
// selectors of bad and total event counters (e.g.
// http_requests_total{job="x",code=~"5.."}), summed with increase over each
// window; or expressions containing $window that already yield event counts
// over that window (e.g. sum(increase(a[$window])) + sum(increase(b[$window]))).
type SLOSpec struct {
	Service    string
	Name       string
	Objective  float64 // ratio, e.g. 0.999
	Period     time.Duration
	ErrorQuery string
	TotalQuery string
}

// Client talks to one Prometheus-compatible backend.
type Client struct {
	api     v1.API
	cfg     Config
	timeout time.Duration
	now     func() time.Time

	mu       sync.Mutex
	detected *Detection

	rulesCache rulesCache
}

// New validates cfg and returns a client.
func New(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	hc := httpx.FollowSameOrigin(backend, cfg.HTTPClient)
	hc.CheckRedirect = keepForm(hc.CheckRedirect)
	hc.Transport = transport(hc.Transport, cfg)
	ac, err := api.NewClient(api.Config{Address: strings.TrimSpace(cfg.URL), Client: hc})
	if err != nil {
		return nil, fmt.Errorf("prometheus: url: %w", err)
	}
	timeout := cfg.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{api: v1.NewAPI(ac), cfg: cfg, timeout: timeout, now: time.Now}, nil
}

// send runs one query of purpose within the step of ctx (package step):
// bounded by the backend's deadline in the step, and not sent once the
// backend has timed out in it.
func (c *Client) send(ctx context.Context, purpose string, call func(context.Context) error) error {
	return step.Run(ctx, step.Backend{Name: backend, Timeout: c.timeout}, purpose, call)
}

// Name returns "prometheus".
func (c *Client) Name() string { return backend }

func (cfg Config) validate() error {
	u, err := url.Parse(strings.TrimSpace(cfg.URL))
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("prometheus: url %q is not an http(s) URL: want e.g. http://127.0.0.1:9090", cfg.URL)
	}
	if cfg.Convention != "" {
		if _, ok := familyByID(cfg.Convention); !ok {
			return fmt.Errorf("prometheus: convention %q is unknown: use one of %s", cfg.Convention, strings.Join(conventionIDs(), ", "))
		}
	}
	if cfg.ServiceLabel != "" && !validLabel(cfg.ServiceLabel) {
		return fmt.Errorf("prometheus: service_label %q is not a label name", cfg.ServiceLabel)
	}
	if cfg.Timeout < 0 {
		return fmt.Errorf("prometheus: timeout %s is negative", cfg.Timeout)
	}
	for i, s := range cfg.SLOs {
		if err := s.validate(); err != nil {
			return fmt.Errorf("prometheus: slos[%d] (%s/%s): %w", i, s.Service, s.Name, err)
		}
	}
	return nil
}

func conventionIDs() []string {
	ids := make([]string, len(families))
	for i, f := range families {
		ids[i] = f.id
	}
	return ids
}

var plainSelector = regexp.MustCompile(`^(?:[a-zA-Z_:][a-zA-Z0-9_:]*)?(?:\{.*\})?$`)

func (s SLOSpec) validate() error {
	switch {
	case s.Service == "":
		return errors.New("service is empty")
	case s.Name == "":
		return errors.New("name is empty")
	case !(s.Objective > 0 && s.Objective < 1):
		return fmt.Errorf("objective %v must be a ratio between 0 and 1, e.g. 0.999", s.Objective)
	case s.Period < 0:
		return fmt.Errorf("period %s is negative", s.Period)
	}
	for field, q := range map[string]string{"error_query": s.ErrorQuery, "total_query": s.TotalQuery} {
		q = strings.TrimSpace(q)
		if q == "" || q == "{}" {
			return fmt.Errorf("%s is empty", field)
		}
		if !strings.Contains(q, windowPlaceholder) && !plainSelector.MatchString(q) {
			return fmt.Errorf("%s %q is neither a selector nor an expression using %s", field, q, windowPlaceholder)
		}
	}
	return nil
}

// idleConnsPerHost is how many connections a client without its own
// transport keeps open between steps: a step sends dozens of queries at
// once (an SLO step about 50), and net/http's default keeps 2, so every
// refresh would otherwise dial (and TLS-handshake) most of them again.
const idleConnsPerHost = 64

// pooledTransport is net/http's default transport keeping a whole step's
// connections for the next one.
func pooledTransport() http.RoundTripper {
	t, ok := http.DefaultTransport.(*http.Transport)
	if !ok {
		return http.DefaultTransport
	}
	t = t.Clone()
	t.MaxIdleConnsPerHost = idleConnsPerHost
	return t
}

// transport wraps next (nil: pooledTransport) with the tenant header, HTTP
// status errors and the metered body (cap and shared budget), outermost
// first.
func transport(next http.RoundTripper, cfg Config) http.RoundTripper {
	if next == nil {
		next = pooledTransport()
	}
	rt := httpx.LimitBodies(next, cfg.MaxBody, cfg.Budget)
	rt = statusTransport{next: rt}
	return httpx.TenantTransport{Next: rt, Tenant: cfg.Tenant}
}

// keepForm wraps a redirect policy: a query POSTed as a form (as
// client_golang sends it) that a 301, 302 or 303 turns into a GET would
// arrive without its parameters, so they go along in the query string,
// which the Prometheus API reads as well. A 307 or 308 keeps the POST.
func keepForm(next func(*http.Request, []*http.Request) error) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if err := next(req, via); err != nil {
			return err
		}
		prev := via[len(via)-1]
		if req.Method != http.MethodGet || prev.Method != http.MethodPost || prev.GetBody == nil ||
			prev.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
			return nil
		}
		body, err := prev.GetBody()
		if err != nil {
			return err
		}
		defer body.Close()
		form, err := io.ReadAll(io.LimitReader(body, maxFormBytes))
		if err != nil {
			return err
		}
		req.URL.RawQuery = strings.TrimPrefix(req.URL.RawQuery+"&"+string(form), "&")
		return nil
	}
}

// maxFormBytes bounds the form carried over a redirect: redline's own
// queries are far shorter.
const maxFormBytes = 1 << 20

// statusTransport turns non-2xx answers that client_golang would reduce to
// "server error: 503" into *httpx.StatusError with the backend's message.
// It leaves to client_golang 400/422 (Prometheus API errors, which it
// decodes) and a POST's 403/405/501 (which it retries as GET), as long as
// their body is no longer than an error message needs, and to the client
// the redirects it follows or refuses (httpx.FollowSameOrigin). Only the
// start of an error body is ever read.
type statusTransport struct{ next http.RoundTripper }

func (t statusTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if err != nil || resp.StatusCode/100 == 2 || isRedirect(resp) {
		return resp, err
	}
	body, whole := httpx.ErrorBody(resp.Body)
	resp.Body.Close()
	if whole && passThrough(req.Method, resp.StatusCode) {
		resp.Body = io.NopCloser(bytes.NewReader(body))
		return resp, nil
	}
	return nil, httpx.NewStatusError(backend, resp, body)
}

func passThrough(method string, code int) bool {
	switch code {
	case http.StatusBadRequest, http.StatusUnprocessableEntity:
		return true
	case http.StatusForbidden, http.StatusMethodNotAllowed, http.StatusNotImplemented:
		return method == http.MethodPost
	}
	return false
}

// isRedirect reports a redirect net/http acts on: one of these codes with
// a Location.
func isRedirect(resp *http.Response) bool {
	switch resp.StatusCode {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return resp.Header.Get("Location") != ""
	}
	return false
}

// describe turns any error of a call into one naming prometheus, what the
// call was for, and the cause in words.
func describe(purpose string, err error) error {
	var (
		status  *httpx.StatusError
		apiErr  *v1.Error
		notSent *step.NotSentError
	)
	switch {
	case errors.As(err, &notSent):
		return notSent
	case errors.As(err, &status):
		return fmt.Errorf("%s (%s)", status.Error(), purpose)
	case errors.As(err, &apiErr) && apiErr.Type == v1.ErrBadResponse:
		return fmt.Errorf("prometheus: malformed answer to %s: %s", purpose, apiErr.Msg)
	case errors.As(err, &apiErr):
		return fmt.Errorf("prometheus: %s: %s (%s)", apiErr.Type, apiErr.Msg, purpose)
	}
	described := httpx.Describe(backend, err)
	return fmt.Errorf("%w (%s)", described, purpose)
}

// addWarnings appends backend warnings not already present.
func addWarnings(dst []string, src ...string) []string {
	for _, w := range src {
		if w != "" && !slices.Contains(dst, w) {
			dst = append(dst, w)
		}
	}
	return dst
}

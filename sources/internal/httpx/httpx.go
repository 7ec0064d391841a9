// Package httpx is the HTTP plumbing every backend client shares: joining a
// base URL (kept path prefix, e.g. Mimir's /prometheus) with an API path,
// capping response bodies, and turning transport and HTTP failures into
// errors that name the backend and the cause in words.
package httpx

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DefaultMaxBody caps a response body when no limit is configured.
const DefaultMaxBody = 64 << 20

// Client sends requests to one backend.
type Client struct {
	Backend string       // "loki", "tempo", … used in every error
	Base    *url.URL     // base URL; its path is kept as a prefix
	HTTP    *http.Client // carries auth, TLS, proxy and extra headers
	MaxBody int64        // response body cap in bytes
	Tenant  string       // sent as TenantHeader when set
}

// TenantHeader names the tenant of a multi-tenant backend (Mimir, Cortex,
// Tempo, Loki, and Jaeger behind a tenancy proxy); gRPC sends it lower-case.
const TenantHeader = "X-Scope-OrgID"

// SetTenant sets the tenant header on h unless tenant is empty or h already
// names one. Every backend sends its tenant through here.
func SetTenant(h http.Header, tenant string) {
	if tenant != "" && h.Get(TenantHeader) == "" {
		h.Set(TenantHeader, tenant)
	}
}

// TenantTransport sends Tenant on every request through Next, for clients
// (client_golang's) that build their own requests.
type TenantTransport struct {
	Next   http.RoundTripper
	Tenant string
}

// RoundTrip sets the tenant header on a copy of req.
func (t TenantTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.Tenant != "" && req.Header.Get(TenantHeader) == "" {
		req = req.Clone(req.Context())
		SetTenant(req.Header, t.Tenant)
	}
	return t.Next.RoundTrip(req)
}

// New parses baseURL and returns a client for backend. A nil hc uses
// http.DefaultClient; maxBody ≤ 0 uses DefaultMaxBody.
func New(backend, baseURL string, hc *http.Client, maxBody int64) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%s: %q is not a URL: want e.g. http://127.0.0.1:3100", backend, baseURL)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s: URL scheme %q is not supported: use http or https", backend, u.Scheme)
	}
	if hc == nil {
		hc = http.DefaultClient
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	return &Client{Backend: backend, Base: u, HTTP: hc, MaxBody: maxBody}, nil
}

// URL joins the base URL with path and query.
func (c *Client) URL(path string, q url.Values) string {
	u := *c.Base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(path, "/")
	u.RawQuery = q.Encode()
	return u.String()
}

// Get sends a GET and returns the body of a 2xx answer, read up to MaxBody.
// Any other status becomes a *StatusError.
func (c *Client) Get(ctx context.Context, path string, q url.Values, header http.Header) ([]byte, error) {
	body, err := c.Open(ctx, path, q, header)
	if err != nil {
		return nil, err
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		return nil, Describe(c.Backend, err)
	}
	return b, nil
}

// Open sends a GET and returns the body of a 2xx answer for streaming: a
// read past MaxBody fails with a *TooLargeError, as Get does. Any other
// status becomes a *StatusError. The caller closes the body.
func (c *Client) Open(ctx context.Context, path string, q url.Values, header http.Header) (io.ReadCloser, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.URL(path, q), nil)
	if err != nil {
		return nil, fmt.Errorf("%s: building request: %w", c.Backend, err)
	}
	for k, vs := range header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	SetTenant(req.Header, c.Tenant)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, Describe(c.Backend, err)
	}
	if resp.StatusCode/100 != 2 {
		defer resp.Body.Close()
		body, err := ReadCapped(resp.Body, c.MaxBody)
		if err != nil {
			return nil, Describe(c.Backend, err)
		}
		return nil, NewStatusError(c.Backend, resp, body)
	}
	if resp.ContentLength > c.MaxBody {
		resp.Body.Close()
		return nil, Describe(c.Backend, &TooLargeError{Limit: c.MaxBody})
	}
	return &cappedBody{rc: resp.Body, left: c.MaxBody, limit: c.MaxBody}, nil
}

// GetJSON is Get followed by decoding the JSON body into out.
func (c *Client) GetJSON(ctx context.Context, path string, q url.Values, header http.Header, out any) error {
	body, err := c.Get(ctx, path, q, header)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: malformed JSON answer from %s: %w", c.Backend, path, err)
	}
	return nil
}

// ErrTooLarge is returned when a body exceeds its cap.
var ErrTooLarge = errors.New("response body too large")

// TooLargeError says how large the cap was.
type TooLargeError struct{ Limit int64 }

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("response body larger than %s (raise max_response_bytes to load it)", humanBytes(e.Limit))
}

// Unwrap makes errors.Is(err, ErrTooLarge) hold.
func (e *TooLargeError) Unwrap() error { return ErrTooLarge }

// ReadCapped reads r to the end, failing with a *TooLargeError once more than
// limit bytes arrive; it never buffers more than limit+1 bytes.
func ReadCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &TooLargeError{Limit: limit}
	}
	return b, nil
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

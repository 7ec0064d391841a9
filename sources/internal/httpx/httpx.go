// Package httpx is the HTTP plumbing every backend client shares: joining a
// base URL (kept path prefix, e.g. Mimir's /prometheus) with an API path,
// metering response bodies (their cap and the process's shared budget, for
// HTTP bodies and Jaeger's gRPC streams alike), and turning transport and
// HTTP failures into errors that name the backend and the cause in words.
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

	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/internal/step"
)

// Client sends requests to one backend.
type Client struct {
	Backend string       // "loki", "tempo", … used in every error
	Base    *url.URL     // base URL; its path is kept as a prefix
	HTTP    *http.Client // carries auth, TLS, proxy and extra headers; see FollowSameOrigin
	MaxBody int64        // response body cap in bytes
	Tenant  string       // sent as TenantHeader when set
	// Budget is shared by every answer in flight in the process; nil
	// bounds answers by MaxBody alone.
	Budget *budget.Budget
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
// http.DefaultClient; maxBody ≤ 0 uses DefaultMaxBody; b (nil: none) is
// the budget shared by every answer in flight. Redirects are followed only
// within the base URL's origin (FollowSameOrigin).
func New(backend, baseURL string, hc *http.Client, maxBody int64, b *budget.Budget) (*Client, error) {
	u, err := url.Parse(strings.TrimSpace(baseURL))
	if err != nil || u.Scheme == "" || u.Host == "" {
		return nil, fmt.Errorf("%s: %q is not a URL: want e.g. http://127.0.0.1:3100", backend, baseURL)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%s: URL scheme %q is not supported: use http or https", backend, u.Scheme)
	}
	if maxBody <= 0 {
		maxBody = DefaultMaxBody
	}
	return &Client{Backend: backend, Base: u, HTTP: FollowSameOrigin(backend, hc), MaxBody: maxBody, Budget: b}, nil
}

// URL joins the base URL with path and query.
func (c *Client) URL(path string, q url.Values) string {
	u := *c.Base
	u.Path = strings.TrimSuffix(u.Path, "/") + "/" + strings.TrimPrefix(path, "/")
	u.RawQuery = q.Encode()
	return u.String()
}

// Get sends a GET and returns the body of a 2xx answer, read up to MaxBody
// (its bytes are given back to the budget on return: for small answers;
// read large ones with GetWith or Open). Any other status becomes a
// *StatusError.
func (c *Client) Get(ctx context.Context, path string, q url.Values, header http.Header) ([]byte, error) {
	var out []byte
	err := c.GetWith(ctx, path, q, header, func(b []byte) error {
		out = b
		return nil
	})
	return out, err
}

// GetWith sends a GET and hands the whole body of a 2xx answer, read up to
// MaxBody, to decode, holding its bytes from the budget until decode
// returns: for formats that cannot be decoded as they are read. Any other
// status becomes a *StatusError; decode's error is returned as it is.
func (c *Client) GetWith(ctx context.Context, path string, q url.Values, header http.Header, decode func([]byte) error) error {
	body, err := c.Open(ctx, path, q, header)
	if err != nil {
		return err
	}
	defer body.Close()
	b, err := io.ReadAll(body)
	if err != nil {
		return Describe(c.Backend, err)
	}
	return decode(b)
}

// Open sends a GET and returns the body of a 2xx answer for streaming,
// metered: an answer declaring more than MaxBody is refused unread, a read
// past MaxBody fails with a *TooLargeError, and the bytes read are held
// from Budget until the body is closed (a read that cannot have them fails
// with a *budget.ExhaustedError). Any other status becomes a *StatusError,
// of which only the start of the body is read. The caller closes the body.
//
// The request is a query of the step ctx carries (package step): it ends
// at the backend's deadline in the step (the HTTP client's Timeout counted
// from the step's first query), and is not sent, failing with a
// *step.NotSentError, once the backend has timed out in the step.
func (c *Client) Open(ctx context.Context, path string, q url.Values, header http.Header) (io.ReadCloser, error) {
	ctx, finish, err := step.Start(ctx, step.Backend{Name: c.Backend, Timeout: c.HTTP.Timeout}, "GET "+path)
	if err != nil {
		return nil, err
	}
	body, err := c.open(ctx, path, q, header)
	if err != nil {
		finish(err)
		return nil, err
	}
	return &stepBody{ReadCloser: body, finish: finish}, nil
}

// stepBody ends its query in the step when closed, with the first error
// reading it met.
type stepBody struct {
	io.ReadCloser
	finish func(error)
	err    error
}

func (b *stepBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err != nil && err != io.EOF && b.err == nil {
		b.err = err
	}
	return n, err
}

func (b *stepBody) Close() error {
	err := b.ReadCloser.Close()
	b.finish(b.err)
	return err
}

// open is Open without the step.
func (c *Client) open(ctx context.Context, path string, q url.Values, header http.Header) (io.ReadCloser, error) {
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
		body, _ := ErrorBody(resp.Body)
		return nil, NewStatusError(c.Backend, resp, body)
	}
	body, err := meterBody(ctx, resp, NewMeter(c.Budget, c.MaxBody))
	if err != nil {
		return nil, Describe(c.Backend, err)
	}
	return body, nil
}

// GetJSON sends a GET and decodes the JSON body of a 2xx answer into out
// as it is read (see Open).
func (c *Client) GetJSON(ctx context.Context, path string, q url.Values, header http.Header, out any) error {
	body, err := c.Open(ctx, path, q, header)
	if err != nil {
		return err
	}
	defer body.Close()
	err = DecodeJSON(c.Backend, body, out)
	if me, ok := errors.AsType[*MalformedError](err); ok {
		return fmt.Errorf("%s: malformed JSON answer from %s: %w", c.Backend, path, me.Err)
	}
	return err
}

// DecodeJSON decodes one JSON value, and nothing after it, from an
// answer's body as it is read. A failure to read the body (refused over
// its cap or the budget, cut short) comes back described as Describe does
// for backend; an answer that is not the JSON wanted, as *MalformedError.
func DecodeJSON(backend string, body io.Reader, out any) error {
	rr := NewErrReader(body)
	dec := json.NewDecoder(rr)
	err := dec.Decode(out)
	if err == nil {
		if _, err = dec.Token(); err == io.EOF {
			return nil
		}
		if err == nil {
			err = errors.New("more data after the JSON value")
		}
	}
	if rr.Err() != nil {
		return Describe(backend, rr.Err())
	}
	return &MalformedError{Err: err}
}

// MalformedError is an answer that is not the JSON wanted.
type MalformedError struct{ Err error }

func (e *MalformedError) Error() string { return "malformed JSON: " + e.Err.Error() }
func (e *MalformedError) Unwrap() error { return e.Err }

// ErrReader remembers the first error of its reader other than the end of
// input, so that a decoder's failure can be told apart: a fault of the
// transport or a refused answer (Err is set), or malformed content.
type ErrReader struct {
	r   io.Reader
	err error
}

// NewErrReader watches the reads of r.
func NewErrReader(r io.Reader) *ErrReader { return &ErrReader{r: r} }

func (r *ErrReader) Read(p []byte) (int, error) {
	n, err := r.r.Read(p)
	if err != nil && err != io.EOF && r.err == nil {
		r.err = err
	}
	return n, err
}

// Err is the first error reading, nil if none (or only the end of input).
func (r *ErrReader) Err() error { return r.err }

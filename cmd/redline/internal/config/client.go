package config

import (
	"fmt"
	"net/http"
	"time"

	pc "github.com/prometheus/common/config"
)

// DefaultTimeout bounds one request when the endpoint sets no timeout.
const DefaultTimeout = 30 * time.Second

// RequestTimeout is the endpoint's timeout, or DefaultTimeout.
func (e *Endpoint) RequestTimeout() time.Duration {
	if e.Timeout > 0 {
		return time.Duration(e.Timeout)
	}
	return DefaultTimeout
}

// HTTPClient builds the endpoint's HTTP client: auth, TLS and proxy from
// the Prometheus-style settings, the extra headers, and RequestTimeout. The
// tenant is not added here: sources send it themselves as X-Scope-OrgID.
func (e *Endpoint) HTTPClient(backend string) (*http.Client, error) {
	hc, err := pc.NewClientFromConfig(e.HTTP, "redline-"+backend)
	if err != nil {
		return nil, fmt.Errorf("%s: building the HTTP client: %w", backend, err)
	}
	hc.Timeout = e.RequestTimeout()
	if len(e.Headers) > 0 {
		hc.Transport = headerTransport{headers: e.Headers, next: hc.Transport}
	}
	return hc, nil
}

// headerTransport sets fixed headers on every request.
type headerTransport struct {
	headers map[string]string
	next    http.RoundTripper
}

func (t headerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	for k, v := range t.headers {
		req.Header.Set(k, v)
	}
	return t.next.RoundTrip(req)
}

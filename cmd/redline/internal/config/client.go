package config

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"os"
	"strings"
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
// After AddSecrets, the client adds the credentials it sends to the
// secrets (see harvest).
func (e *Endpoint) HTTPClient(backend string) (*http.Client, error) {
	hc, err := pc.NewClientFromConfig(e.HTTP, "redline-"+backend)
	if err != nil {
		return nil, fmt.Errorf("%s: building the HTTP client: %w", backend, err)
	}
	hc.Timeout = e.RequestTimeout()
	if len(e.Headers) > 0 {
		hc.Transport = headerTransport{headers: e.Headers, next: hc.Transport}
	}
	if e.secrets != nil {
		hc.Transport = harvest{secrets: e.secrets, next: hc.Transport}
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

// GRPCAuth reads the TLS settings and bearer token of a gRPC endpoint
// (Jaeger's query service) from the same tls_config and authorization keys
// as an HTTP endpoint. TLS is nil, plaintext, when tls_config is not set.
// Validation has refused what has no gRPC form (basic_auth, oauth2, other
// authorization types: see Jaeger.refused).
func (e *Endpoint) GRPCAuth(backend string) (*tls.Config, string, error) {
	h := &e.HTTP
	var tlsConfig *tls.Config
	if h.TLSConfig != (pc.TLSConfig{}) {
		var err error
		if tlsConfig, err = pc.NewTLSConfig(&h.TLSConfig); err != nil {
			return nil, "", fmt.Errorf("%s: tls_config: %w", backend, err)
		}
	}
	token, err := bearerToken(h.Authorization)
	if err != nil {
		return nil, "", fmt.Errorf("%s: authorization: %w", backend, err)
	}
	return tlsConfig, token, nil
}

// bearerToken is the credential of a Bearer authorization, read from its
// file when credentials_file is set; "" without authorization.
func bearerToken(a *pc.Authorization) (string, error) {
	if a == nil {
		return "", nil
	}
	if a.CredentialsFile == "" {
		return string(a.Credentials), nil
	}
	b, err := os.ReadFile(a.CredentialsFile)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

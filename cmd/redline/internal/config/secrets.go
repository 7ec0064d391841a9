package config

import (
	"io"
	"maps"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/redline-tui/redline/funnel/sanitize"
)

// SafeHeaders are the headers whose values in `headers:` and
// `http_headers:` are not credentials: tenant and organisation IDs and
// content negotiation. Every other header value is scrubbed.
var SafeHeaders = []string{
	"X-Scope-OrgID", "AccountID", "ProjectID", "X-Grafana-Org-Id",
	"Accept", "Accept-Encoding", "Accept-Language", "Content-Type", "Cache-Control", "User-Agent",
}

// maxCredentialsFile bounds what is read of a credentials file.
const maxCredentialsFile = 64 << 10

func isSafeHeader(name string) bool {
	return slices.ContainsFunc(SafeHeaders, func(h string) bool { return strings.EqualFold(h, name) })
}

// AddSecrets adds every credential of the context to s (see
// Endpoint.AddSecrets), and the userinfo of its Grafana and Jaeger UI URLs.
func (c *Context) AddSecrets(s *sanitize.Secrets) {
	for _, sec := range c.Sections() {
		sec.Endpoint.AddSecrets(s)
	}
	if c.Grafana != nil {
		addUserinfo(s, c.Grafana.URL)
	}
	addUserinfo(s, c.JaegerUI)
}

// AddSecrets adds every credential of the endpoint to s: the basic_auth
// password (and its "user:password" header form), authorization and bearer
// credentials, OAuth2 client secrets and keys, the values of headers that
// are not SafeHeaders, the userinfo of its URLs, and the contents of the
// files holding any of those. The endpoint's HTTP clients then add the
// credentials they send but were not configured: tokens obtained with
// OAuth2.
func (e *Endpoint) AddSecrets(s *sanitize.Secrets) {
	e.secrets = s
	h := &e.HTTP
	addUserinfo(s, e.URL)
	if h.ProxyURL.URL != nil {
		addUserinfo(s, h.ProxyURL.String())
	}
	for name, v := range e.Headers {
		if !isSafeHeader(name) {
			s.Add(v)
		}
	}
	if a := h.BasicAuth; a != nil {
		user := firstNonEmpty(a.Username, readSecretFile(a.UsernameFile))
		s.AddBasic(user, string(a.Password))
		s.AddBasic(user, readSecretFile(a.PasswordFile))
	}
	if a := h.Authorization; a != nil {
		s.Add(string(a.Credentials), readSecretFile(a.CredentialsFile))
	}
	s.Add(string(h.BearerToken), readSecretFile(h.BearerTokenFile))
	if o := h.OAuth2; o != nil {
		s.Add(string(o.ClientSecret), readSecretFile(o.ClientSecretFile), string(o.ClientCertificateKey), readSecretFile(o.ClientCertificateKeyFile))
		if o.ProxyURL.URL != nil {
			addUserinfo(s, o.ProxyURL.String())
		}
	}
	for name, values := range h.ProxyConnectHeader {
		if !isSafeHeader(name) {
			for _, v := range values {
				s.Add(string(v))
			}
		}
	}
	if h.HTTPHeaders != nil {
		for name, hv := range h.HTTPHeaders.Headers {
			if isSafeHeader(name) {
				continue
			}
			s.Add(hv.Values...)
			for _, v := range hv.Secrets {
				s.Add(string(v))
			}
			for _, f := range hv.Files {
				s.Add(readSecretFile(f))
			}
		}
	}
}

// addUserinfo adds the password of a URL's userinfo, with its header form,
// or its user name when it has no password (a token written as the user).
func addUserinfo(s *sanitize.Secrets, raw string) {
	u, err := url.Parse(raw)
	if err != nil || u.User == nil {
		return
	}
	if pw, ok := u.User.Password(); ok {
		s.AddBasic(u.User.Username(), pw)
		return
	}
	s.Add(u.User.Username())
}

// readSecretFile is the content of a credentials file, trimmed as the
// HTTP client trims it; "" when path is empty or the file cannot be read
// (the client reports that).
func readSecretFile(path string) string {
	if path == "" {
		return ""
	}
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, maxCredentialsFile))
	return strings.TrimSpace(string(b))
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// CredentialFile is a file an endpoint's client reads.
type CredentialFile struct {
	Key    string // e.g. "basic_auth.password_file"
	Path   string
	Secret bool // it holds a credential or a private key, so only its owner should read it
}

// CredentialFiles lists the files the endpoint's client reads: those
// holding credentials and keys (Secret), and TLS certificates. Validation
// checks that each exists; `config check` that each is readable, and that
// secret ones are not readable by others.
func (e *Endpoint) CredentialFiles() []CredentialFile {
	h := &e.HTTP
	var out []CredentialFile
	add := func(key, path string, secret bool) {
		if path != "" {
			out = append(out, CredentialFile{key, path, secret})
		}
	}
	if a := h.BasicAuth; a != nil {
		add("basic_auth.username_file", a.UsernameFile, true)
		add("basic_auth.password_file", a.PasswordFile, true)
	}
	if a := h.Authorization; a != nil {
		add("authorization.credentials_file", a.CredentialsFile, true)
	}
	add("bearer_token_file", h.BearerTokenFile, true)
	if o := h.OAuth2; o != nil {
		add("oauth2.client_secret_file", o.ClientSecretFile, true)
		add("oauth2.client_certificate_key_file", o.ClientCertificateKeyFile, true)
	}
	add("tls_config.ca_file", h.TLSConfig.CAFile, false)
	add("tls_config.cert_file", h.TLSConfig.CertFile, false)
	add("tls_config.key_file", h.TLSConfig.KeyFile, true)
	if h.HTTPHeaders != nil {
		for _, name := range slices.Sorted(maps.Keys(h.HTTPHeaders.Headers)) {
			for _, f := range h.HTTPHeaders.Headers[name].Files {
				add("http_headers."+name+".files", f, !isSafeHeader(name))
			}
		}
	}
	return out
}

// harvest adds to secrets the credentials a request was sent with that
// the configuration did not hold: the Authorization header set by an inner
// round tripper (an OAuth2 token), read from the request of the answer.
type harvest struct {
	secrets *sanitize.Secrets
	next    http.RoundTripper
}

func (t harvest) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := t.next.RoundTrip(req)
	if resp != nil && resp.Request != nil {
		for _, name := range []string{"Authorization", "Proxy-Authorization"} {
			if v := resp.Request.Header.Get(name); v != "" {
				_, cred, _ := strings.Cut(v, " ")
				t.secrets.Add(cred)
			}
		}
	}
	return resp, err
}

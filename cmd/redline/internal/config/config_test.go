package config

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const good = `
current-context: prod
contexts:
  prod:
    window: 2h
    refresh: 15s
    assume:
      availability: 99.5
      latency: off
      latency_thresholds: {checkout: 2s}
    prometheus:
      url: https://mimir.example/prometheus
      tenant: team-a
      timeout: 20s
      basic_auth:
        username: oncall
        password_file: secret.txt
      slos:
        - service: checkout
          name: availability
          objective: 99.9
          period: 28d
          error_query: http_requests_total{job="checkout",code=~"5.."}
          total_query: http_requests_total{job="checkout"}
    tempo:
      url: http://tempo:3200
      headers:
        X-Extra: yes
    loki:
      url: http://loki:3100
      tenant: team-a
      shift: 1m
  local:
    assume: off
    prometheus: {url: "http://127.0.0.1:9090"}
    jaeger: {grpc: "127.0.0.1:16685"}
    loki: {url: "http://127.0.0.1:3100"}
serve:
  listen: 0.0.0.0:2222
  authorized_keys: keys
  idle_timeout: 10m
  max_sessions: 5
`

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("pw\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestLoadGoodFile(t *testing.T) {
	f, err := Load(writeConfig(t, good))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Context("")
	if err != nil {
		t.Fatal(err)
	}
	if c.Name != "prod" || time.Duration(c.Window) != 2*time.Hour || time.Duration(c.Refresh) != 15*time.Second {
		t.Errorf("context = %+v", c)
	}
	p := c.Prometheus
	if p.Tenant != "team-a" || time.Duration(p.Timeout) != 20*time.Second || p.HTTP.BasicAuth.Username != "oncall" {
		t.Errorf("prometheus = %+v", p)
	}
	if !filepath.IsAbs(p.HTTP.BasicAuth.PasswordFile) {
		t.Errorf("password_file %q not resolved against the config dir", p.HTTP.BasicAuth.PasswordFile)
	}
	if !p.HTTP.FollowRedirects || !p.HTTP.EnableHTTP2 {
		t.Error("Prometheus HTTP defaults not applied")
	}
	if s := p.SLOs[0]; s.Ratio() != 0.999 || time.Duration(s.Period) != 28*24*time.Hour {
		t.Errorf("slo = %+v", s)
	}
	if sv := f.Serve; sv.Listen != "0.0.0.0:2222" || sv.AuthorizedKeys != filepath.Join(filepath.Dir(f.Path()), "keys") ||
		time.Duration(sv.IdleTimeout) != 10*time.Minute || sv.MaxSessions != 5 || sv.HostKey != "" {
		t.Errorf("serve = %+v", sv)
	}
	if a := c.Assume; a.Off || a.Availability.Ratio() != 0.995 || !a.Latency.Off || time.Duration(a.Thresholds["checkout"]) != 2*time.Second {
		t.Errorf("assume = %+v", a)
	}
	local, err := f.Context("local")
	if err != nil || local.Jaeger.GRPC != "127.0.0.1:16685" || !local.Assume.Off {
		t.Fatalf("local = %+v, %v", local, err)
	}
}

func TestErrorsNameFileKeyAndFix(t *testing.T) {
	tests := []struct {
		name string
		body string
		want []string
	}{
		{"unknown key with suggestion", "contexts:\n  a:\n    loki:\n      url: http://x\n      tenent: t\n",
			[]string{"config.yaml:5", "contexts.a.loki.tenent", "unknown key", `did you mean "tenant"`}},
		{"unknown nested http key", "contexts:\n  a:\n    prometheus:\n      url: http://x\n      basic_auth:\n        user: u\n",
			[]string{"contexts.a.prometheus.basic_auth.user", "unknown key"}},
		{"missing credentials file", "contexts:\n  a:\n    loki:\n      url: http://x\n      authorization:\n        credentials_file: /nonexistent/token\n",
			[]string{"contexts.a.loki.authorization.credentials_file", "no such file", "create the file"}},
		{"bad url", "contexts:\n  a:\n    tempo:\n      url: tempo:3200\n",
			[]string{"contexts.a.tempo.url", "not an http(s) URL", "http://host:port"}},
		{"missing url", "contexts:\n  a:\n    loki:\n      tenant: x\n",
			[]string{"contexts.a.loki.url", "missing"}},
		{"tempo and jaeger", "contexts:\n  a:\n    tempo: {url: http://t}\n    jaeger: {grpc: 'j:16685'}\n",
			[]string{"contexts.a", "both tempo and jaeger"}},
		{"loki and victorialogs", "contexts:\n  a:\n    loki: {url: http://l}\n    victorialogs: {url: http://v}\n",
			[]string{"contexts.a", "both loki and victorialogs"}},
		{"victorialogs key with suggestion", "contexts:\n  a:\n    victorialogs:\n      url: http://v\n      service_feld: app\n",
			[]string{"contexts.a.victorialogs.service_feld", "unknown key", `did you mean "service_field"`}},
		{"bad duration", "contexts:\n  a:\n    window: soon\n", []string{`"soon" is not a duration`}},
		{"jaeger grpc headers", "contexts:\n  a:\n    jaeger: {grpc: 'j:16685', headers: {X-A: b}}\n",
			[]string{"contexts.a.jaeger.headers", "not supported", "sends no HTTP headers"}},
		{"jaeger grpc proxy", "contexts:\n  a:\n    jaeger: {grpc: 'j:16685', proxy_url: 'http://proxy:3128'}\n",
			[]string{"contexts.a.jaeger.proxy_url", "HTTP proxy"}},
		{"jaeger grpc http2 off", "contexts:\n  a:\n    jaeger: {grpc: 'j:16685', enable_http2: false}\n",
			[]string{"contexts.a.jaeger.enable_http2", "HTTP/2"}},
		{"jaeger grpc basic auth", "contexts:\n  a:\n    jaeger: {grpc: 'j:16685', basic_auth: {username: u, password: p}}\n",
			[]string{"contexts.a.jaeger.basic_auth", "bearer token"}},
		{"jaeger grpc non-bearer authorization", "contexts:\n  a:\n    jaeger: {grpc: 'j:16685', authorization: {type: Token, credentials: x}}\n",
			[]string{"contexts.a.jaeger.authorization", "bearer token"}},
		{"bad objective", "contexts:\n  a:\n    prometheus:\n      url: http://p\n      slos: [{service: s, objective: 7, error_query: a, total_query: b}]\n",
			[]string{"contexts.a.prometheus.slos[0].objective", "99.9"}},
		{"bad assumed objective", "contexts:\n  a:\n    assume: {latency: 7}\n", []string{"contexts.a.assume.latency", "not an objective", "off"}},
		{"unknown assume key", "contexts:\n  a:\n    assume: {latency_threshold: {a: 1s}}\n",
			[]string{"contexts.a.assume.latency_threshold", "unknown key", `did you mean "latency_thresholds"`}},
		{"assume neither off nor a mapping", "contexts:\n  a:\n    assume: no\n", []string{"write off"}},
		{"unknown current context", "current-context: prd\ncontexts:\n  prod: {}\n", []string{"current-context", `"prd"`, "[prod]"}},
		{"unknown serve key", "serve:\n  listen: ':2222'\n  max_session: 3\n",
			[]string{"config.yaml:3", "serve.max_session", "unknown key", `did you mean "max_sessions"`}},
		{"bad listen address", "serve:\n  listen: 2222\n", []string{"serve.listen", `"2222" is not host:port`, "127.0.0.1:2222"}},
		{"negative max sessions", "serve:\n  max_sessions: -1\n", []string{"serve.max_sessions", "negative"}},
		{"yaml syntax", "contexts: [\n", []string{"not valid YAML"}},
		{"tiny response budget", "response_budget_bytes: 1000\n", []string{"response_budget_bytes", "below 1 MiB", "leave it out for the default (192 MiB)"}},
		{"negative response budget", "response_budget_bytes: -1\n", []string{"response_budget_bytes", "below 1 MiB"}},
		{"answer cap over the budget", "response_budget_bytes: 33554432\ncontexts:\n  a:\n    loki: {url: http://l, max_response_bytes: 16777216}\n",
			[]string{"contexts.a.loki.max_response_bytes", "larger than a third of the response budget (33554432", "raise response_budget_bytes"}},
		{"answer cap over the default budget", "contexts:\n  a:\n    prometheus: {url: http://p, max_response_bytes: 200000000}\n",
			[]string{"contexts.a.prometheus.max_response_bytes", "larger than a third of the response budget (201326592"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(writeConfig(t, tt.body))
			if err == nil {
				t.Fatal("Load succeeded, want an error")
			}
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %T is not a *config.Error", err)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

// TestFirstErrorIsStable loads a file with a mistake in every context, in
// several keys of one endpoint and in two files of one endpoint: map order
// must not choose which one is reported.
func TestFirstErrorIsStable(t *testing.T) {
	var b strings.Builder
	b.WriteString("contexts:\n")
	for _, name := range []string{"m", "c", "x", "a", "k", "q", "e"} {
		b.WriteString("  " + name + ":\n    jaeger: {grpc: 'j:16685', headers: {X-A: b}, proxy_url: 'http://p:1', basic_auth: {username: u, password_file: /nonexistent/pw}, tls_config: {ca_file: /nonexistent/ca}}\n")
	}
	path := writeConfig(t, b.String())
	_, first := Load(path)
	if first == nil || !strings.Contains(first.Error(), "contexts.a.jaeger.basic_auth.password_file") {
		t.Fatalf("first error = %v, want the first context's first key in order", first)
	}
	for range 50 {
		if _, err := Load(path); err == nil || err.Error() != first.Error() {
			t.Fatalf("error changed between loads: %v, then %v", first, err)
		}
	}
}

func TestContextSelection(t *testing.T) {
	f, err := Parse("c.yaml", []byte("contexts:\n  a: {}\n  b: {}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Context(""); err == nil || !strings.Contains(err.Error(), "--context") {
		t.Errorf("ambiguous context error = %v", err)
	}
	if _, err := f.Context("zz"); err == nil || !strings.Contains(err.Error(), "[a b]") {
		t.Errorf("unknown context error = %v", err)
	}
	one, _ := Parse("c.yaml", []byte("contexts:\n  only: {}\n"))
	if c, err := one.Context(""); err != nil || c.Name != "only" {
		t.Errorf("single context = %v, %v", c, err)
	}
}

func TestLoadMissingFiles(t *testing.T) {
	t.Setenv("REDLINE_CONFIG", "")
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	if _, err := Load(""); !errors.Is(err, ErrNoFile) {
		t.Errorf("missing default file: %v, want ErrNoFile", err)
	}
	if _, err := Load("/nonexistent/redline.yaml"); err == nil || !strings.Contains(err.Error(), "/nonexistent/redline.yaml") {
		t.Errorf("missing named file: %v", err)
	}
}

func TestHTTPClientSendsAuthAndHeaders(t *testing.T) {
	var got http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() }))
	defer srv.Close()
	f, err := Load(writeConfig(t, "contexts:\n  a:\n    loki:\n      url: "+srv.URL+"\n      basic_auth: {username: u, password_file: secret.txt}\n      headers: {X-Extra: v}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.Context("a")
	hc, err := c.Loki.HTTPClient("loki")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if u, p, ok := (&http.Request{Header: got}).BasicAuth(); !ok || u != "u" || p != "pw" {
		t.Errorf("basic auth = %q %q %v", u, p, ok)
	}
	if got.Get("X-Extra") != "v" {
		t.Errorf("X-Extra = %q", got.Get("X-Extra"))
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(good))
	f.Add([]byte("contexts:\n  a:\n    loki: {url: 'http://x', tenant: t}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		cfg, err := Parse("fuzz.yaml", data)
		if err == nil && cfg == nil {
			t.Fatal("nil config without error")
		}
		if err != nil && !strings.HasPrefix(err.Error(), "fuzz.yaml") {
			t.Fatalf("error %q does not name the file", err)
		}
	})
}

func TestRequestTimeout(t *testing.T) {
	f, err := Parse("c.yaml", []byte("contexts:\n  a:\n    loki: {url: 'http://l', timeout: 5s}\n    tempo: {url: 'http://t'}\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, _ := f.Context("a")
	lc, _ := c.Loki.HTTPClient("loki")
	tc, _ := c.Tempo.HTTPClient("tempo")
	if lc.Timeout != 5*time.Second || tc.Timeout != DefaultTimeout {
		t.Errorf("timeouts = %v, %v; want 5s and %v", lc.Timeout, tc.Timeout, DefaultTimeout)
	}
}

func TestGRPCAuth(t *testing.T) {
	tests := []struct {
		name      string
		jaeger    string
		wantTLS   bool
		wantToken string
	}{
		{"plaintext", "{grpc: 'j:16685'}", false, ""},
		{"tls and token file", "{grpc: 'j:16685', tls_config: {server_name: jaeger.example}, authorization: {credentials_file: secret.txt}}", true, "pw"},
		{"inline bearer token", "{grpc: 'j:16685', bearer_token: tok}", false, "tok"},
		{"timeout honoured", "{grpc: 'j:16685', timeout: 5s}", false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Load(writeConfig(t, "contexts:\n  a:\n    jaeger: "+tt.jaeger+"\n"))
			if err != nil {
				t.Fatal(err)
			}
			c, _ := f.Context("a")
			tlsConfig, token, err := c.Jaeger.GRPCAuth("jaeger")
			if err != nil {
				t.Fatal(err)
			}
			if (tlsConfig != nil) != tt.wantTLS || token != tt.wantToken {
				t.Errorf("tls = %v, token = %q; want tls %v, token %q", tlsConfig != nil, token, tt.wantTLS, tt.wantToken)
			}
			if tt.wantTLS && tlsConfig.ServerName != "jaeger.example" {
				t.Errorf("server name = %q", tlsConfig.ServerName)
			}
		})
	}
}

func TestLoadVictoriaLogs(t *testing.T) {
	f, err := Load(writeConfig(t, "contexts:\n  a:\n    prometheus: {url: http://p}\n    victorialogs:\n      url: http://v:9428\n      tenant: \"12:3\"\n      service_field: service.name\n      trace_field: _msg\n      shift: 1m\n      limit: 200\n"))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Context("a")
	if err != nil {
		t.Fatal(err)
	}
	v := c.VictoriaLogs
	if v == nil || v.URL != "http://v:9428" || v.Tenant != "12:3" || v.ServiceField != "service.name" || v.TraceField != "_msg" ||
		time.Duration(v.Shift) != time.Minute || v.Limit != 200 {
		t.Fatalf("victorialogs = %+v", v)
	}
	if s, ok := c.Section("victorialogs"); !ok || s.Role != Logs {
		t.Errorf("section %+v, %v: want the logs role", s, ok)
	}
}

func TestResponseBudget(t *testing.T) {
	f, err := Load(writeConfig(t, "response_budget_bytes: 268435456\ncontexts:\n  a:\n    loki: {url: http://l, max_response_bytes: 89478485}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if f.Budget() != 256<<20 {
		t.Errorf("Budget() = %d, want 256 MiB", f.Budget())
	}
	var none *File
	if none.Budget() != 192<<20 {
		t.Errorf("Budget() without a file = %d, want the default 192 MiB", none.Budget())
	}
}

package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
)

// Every credential a redirect test configures, and the headers that carry
// them (basic auth as Authorization: Basic b25jYWxsOnB3LXJlZGlyZWN0).
const (
	redirectAPIKey   = "key-redirect"
	redirectPassword = "pw-redirect"
)

// redirectBackend is an HTTP backend as `config check` pings it: its
// config section and the answers its ping needs.
type redirectBackend struct {
	name    string
	tenant  string   // the tenant of its section
	tenants []string // the headers carrying it
	pinged  string   // what its ping says once the answers were read
	answers func() http.Handler
}

var redirectBackends = []redirectBackend{
	{name: "prometheus", tenant: "team-a", tenants: []string{"X-Scope-OrgID"}, answers: healthyPrometheus,
		pinged: "service label job): shop"}, // the detection query's parameters arrived
	{name: "tempo", tenant: "team-a", tenants: []string{"X-Scope-OrgID"}, pinged: "version 2.8.0", answers: func() http.Handler {
		return answerPaths(map[string]string{"/ready": "ready", "/api/status/buildinfo": `{"version":"2.8.0"}`})
	}},
	{name: "jaeger", tenant: "team-a", tenants: []string{"X-Scope-OrgID"}, pinged: "0 services", answers: healthyJaegerHTTP},
	{name: "loki", tenant: "team-a", tenants: []string{"X-Scope-OrgID"}, pinged: "service labels: service_name", answers: func() http.Handler {
		return answerPaths(map[string]string{"/ready": "ready", "/loki/api/v1/status/buildinfo": `{"version":"3.5.0"}`,
			"/loki/api/v1/labels": `{"status":"success","data":["service_name"]}`})
	}},
	{name: "alertmanager", tenant: "team-a", tenants: []string{"X-Scope-OrgID"}, pinged: "0.28.1", answers: func() http.Handler {
		return answerPaths(map[string]string{"/api/v2/status": `{"cluster":{"status":"ready"},"versionInfo":{"version":"0.28.1"}}`, "/api/v2/alerts": "[]"})
	}},
	{name: "victorialogs", tenant: "12:3", tenants: []string{"AccountID", "ProjectID"}, pinged: "service fields: service_name", answers: func() http.Handler {
		values := `{"values":[{"value":"service_name","hits":1}]}`
		return answerPaths(map[string]string{"/health": "OK", "/select/logsql/field_names": values, "/select/logsql/stream_field_names": values})
	}},
}

// answerPaths answers each path with its body, JSON unless it is a word.
func answerPaths(bodies map[string]string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, ok := bodies[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(body, "{") {
			w.Header().Set("Content-Type", "application/json")
		}
		fmt.Fprint(w, body)
	})
}

// openForRedirects opens b's section pointed at url with an extra header,
// basic auth and a tenant, parsed from YAML as a config file is.
func openForRedirects(t *testing.T, b redirectBackend, url string) opened {
	t.Helper()
	yaml := fmt.Sprintf(`contexts:
  redirects:
    %s:
      url: %q
      tenant: %q
      headers: {X-Api-Key: %s}
      basic_auth: {username: oncall, password: %s}
      timeout: 5s
`, b.name, url, b.tenant, redirectAPIKey, redirectPassword)
	f, err := config.Parse("config.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Context("redirects")
	if err != nil {
		t.Fatal(err)
	}
	for _, spec := range backendSpecs {
		if spec.name == b.name {
			o, err := spec.open(c, deps{})
			if err != nil {
				t.Fatal(err)
			}
			if o.close != nil {
				t.Cleanup(o.close)
			}
			return o
		}
	}
	t.Fatalf("no backend %s", b.name)
	return opened{}
}

// headerLog records the configured headers of every request a server got.
type headerLog struct {
	mu       sync.Mutex
	requests []http.Header
}

func (l *headerLog) record(r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.requests = append(l.requests, r.Header.Clone())
}

func (l *headerLog) all() []http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.requests
}

// credentialHeaders are the headers a redirect test's section sets.
func (b redirectBackend) credentialHeaders() []string {
	return append([]string{"X-Api-Key", "Authorization"}, b.tenants...)
}

// TestRedirectWithinTheHostKeepsWorking: a backend that moved under
// another path of the same host and port (307 or 302) answers the ping
// there, and every request there carries the section's header, credentials
// and tenant.
func TestRedirectWithinTheHostKeepsWorking(t *testing.T) {
	for _, b := range redirectBackends {
		for _, code := range []int{http.StatusTemporaryRedirect, http.StatusFound} {
			t.Run(fmt.Sprintf("%s/%d", b.name, code), func(t *testing.T) {
				var moved headerLog
				answers := b.answers()
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					rest, ok := strings.CutPrefix(r.URL.Path, "/moved")
					if !ok {
						http.Redirect(w, r, "/moved"+r.URL.RequestURI(), code)
						return
					}
					moved.record(r)
					r.URL.Path = rest
					answers.ServeHTTP(w, r)
				}))
				t.Cleanup(srv.Close)
				o := openForRedirects(t, b, srv.URL)
				lines, err := o.ping(context.Background())
				if err != nil || !strings.Contains(strings.Join(lines, "\n"), b.pinged) {
					t.Fatalf("ping through a same-host redirect: %v, %q; want it to say %q", err, lines, b.pinged)
				}
				requests := moved.all()
				if len(requests) == 0 {
					t.Fatal("no request reached the moved path")
				}
				for _, h := range requests {
					for _, name := range b.credentialHeaders() {
						if h.Get(name) == "" {
							t.Errorf("a request after the redirect lacks %s: %v", name, h)
						}
					}
				}
			})
		}
	}
}

// TestRedirectToAnotherHostIsRefused: a backend redirecting to another host
// (localhost rather than 127.0.0.1, on another port) is not followed, so no
// request, and none of the section's headers, credentials or tenant, reaches
// it; the error names the backend, the target and the key to change.
func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	for _, b := range redirectBackends {
		t.Run(b.name, func(t *testing.T) {
			var reached headerLog
			other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				reached.record(r)
				b.answers().ServeHTTP(w, r)
			}))
			t.Cleanup(other.Close)
			target := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target+r.URL.RequestURI(), http.StatusTemporaryRedirect)
			}))
			t.Cleanup(srv.Close)
			o := openForRedirects(t, b, srv.URL)
			_, err := o.ping(context.Background())
			if err == nil {
				t.Fatal("the ping succeeded through a redirect to another host")
			}
			for _, want := range []string{b.name + ": redirect to " + target + " not followed", "another host than " + b.name + ".url (" + srv.URL + ")"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q lacks %q", err, want)
				}
			}
			if requests := reached.all(); len(requests) > 0 {
				t.Errorf("the other host got %d requests, want none; the first carried %v", len(requests), requests[0])
			}
		})
	}
}

package jaeger

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
)

func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// serveHTTP runs h and returns an HTTP-API client for it.
func serveHTTP(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{HTTPURL: srv.URL, HTTPClient: srv.Client(), Tenant: "team-a", Token: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestHTTPFindTraces(t *testing.T) {
	var search url.Values
	var header http.Header
	c := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/api/v3/operations":
			if r.URL.Query().Get("service") != "shop" || r.URL.Query().Get("span_kind") != "server" {
				t.Errorf("operations query = %v", r.URL.Query())
			}
			io.WriteString(w, `{"operations":[{"name":"GET /api/cart","spanKind":"server"},{"name":"POST /api/checkout","spanKind":"server"}]}`)
		case "/api/v3/traces":
			search, header = r.URL.Query(), r.Header
			w.Write(fixture(t, "apiv3_find_traces_checkout.json"))
		default:
			http.NotFound(w, r)
		}
	})
	r := funnel.TimeRange{Start: time.Date(2025, 11, 21, 19, 0, 0, 0, time.UTC), End: time.Date(2025, 11, 21, 21, 0, 0, 500, time.UTC)}
	res, err := c.FindTraces(context.Background(), trace.Query{Service: "shop", Route: "/api/checkout", MinDuration: 500 * time.Millisecond, Range: r, Limit: 5})
	if err != nil {
		t.Fatal(err)
	}
	wantParams := map[string]string{
		"query.service_name":   "shop",
		"query.operation_name": "POST /api/checkout",
		"query.start_time_min": "2025-11-21T19:00:00Z",
		"query.start_time_max": "2025-11-21T21:00:00.0000005Z",
		"query.duration_min":   "500ms",
		"query.num_traces":     "5",
	}
	for k, v := range wantParams {
		if search.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, search.Get(k), v)
		}
	}
	if header.Get("X-Scope-OrgID") != "team-a" || header.Get("Authorization") != "Bearer s3cret" {
		t.Errorf("headers = %v", header)
	}
	want := []struct {
		id      string
		matched time.Duration
		spans   int
		errors  int
	}{
		{"4bf92f3577b34da6a3ce929d0e0e4736", 1210 * time.Millisecond, 3, 0},
		{"00f067aa0ba902b7a3ce929d0e0e4736", 980 * time.Millisecond, 2, 0},
		{"0af7651916cd43dd8448eb211c80319c", 640 * time.Millisecond, 3, 3},
	}
	if len(res.Traces) != len(want) {
		t.Fatalf("got %d traces: %+v", len(res.Traces), res.Traces)
	}
	for i, w := range want {
		got := res.Traces[i]
		if got.TraceID != w.id || got.MatchedDuration != w.matched || got.SpanCount != w.spans || got.ErrorCount != w.errors ||
			strings.Join(got.Services, ",") != "payments,shop" || got.RootName != "POST /api/checkout" {
			t.Errorf("trace %d = %+v, want %+v", i, got, w)
		}
	}
}

func TestHTTPEmptySearchIsNotAnError(t *testing.T) {
	c := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, string(fixture(t, "apiv3_no_traces.json")), http.StatusNotFound)
	})
	res, err := c.FindTraces(context.Background(), trace.Query{Service: "shop"})
	if err != nil || len(res.Traces) != 0 || len(res.Queries) != 1 {
		t.Fatalf("FindTraces = %+v, %v; want no traces and no error", res, err)
	}
}

func TestHTTPTraceSnapshot(t *testing.T) {
	var got *http.Request
	c := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		w.Write(fixture(t, "apiv3_get_trace_snapshot.json"))
	})
	r := funnel.TimeRange{Start: time.Unix(1763755200, 0), End: time.Unix(1763758800, 0)}
	tr, err := c.Trace(context.Background(), "1", r)
	if err != nil {
		t.Fatal(err)
	}
	if got.URL.Path != "/api/v3/traces/00000000000000000000000000000001" ||
		got.URL.Query().Get("start_time") != "2025-11-21T20:00:00Z" || got.URL.Query().Get("end_time") != "2025-11-21T21:00:00Z" {
		t.Errorf("request = %s", got.URL)
	}
	if len(tr.Spans) != 1 {
		t.Fatalf("spans = %+v", tr.Spans)
	}
	s := tr.Spans[0]
	if s.TraceID != "00000000000000000000000000000001" || s.SpanID != "0000000000000002" || s.Name != "foobar" ||
		s.Kind != trace.KindServer || s.Status != trace.StatusError || s.Service != "unknown_service" {
		t.Errorf("span = %+v", s)
	}
}

func TestHTTPErrors(t *testing.T) {
	tests := []struct {
		name string
		code int
		body string
		call func(*Client) error
		want string
	}{
		{"trace not found", 404, `{"error":{"httpCode":404,"message":"No traces found"}}`, func(c *Client) error {
			_, err := c.Trace(context.Background(), "4bf92f3577b34da6a3ce929d0e0e4736", funnel.TimeRange{})
			return err
		}, "jaeger: trace 4bf92f3577b34da6a3ce929d0e0e4736 not found"},
		{"wrong path", 404, "404 page not found", func(c *Client) error {
			_, err := c.FindTraces(context.Background(), trace.Query{Service: "shop"})
			return err
		}, "jaeger: HTTP 404 Not Found: 404 page not found (check the URL and path prefix)"},
		{"bad parameter", 400, `{"error":{"httpCode":400,"message":"malformed parameter query.duration_min"}}`, func(c *Client) error {
			_, err := c.FindTraces(context.Background(), trace.Query{Service: "shop"})
			return err
		}, "jaeger: HTTP 400 Bad Request"},
		{"malformed JSON", 200, `{"result":{"resourceSpans":[{"scopeSpans":[{"spans":[{"kind":"sideways"}]}]}`, func(c *Client) error {
			_, err := c.Trace(context.Background(), "1", funnel.TimeRange{})
			return err
		}, "jaeger: malformed JSON answer from /api/v3/traces/"},
		{"unauthorized", 401, "missing token", func(c *Client) error {
			_, err := c.Ping(context.Background())
			return err
		}, "jaeger: HTTP 401 Unauthorized: missing token"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.code)
				io.WriteString(w, tt.body)
			})
			err := tt.call(c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if missing := tt.name == "trace not found"; errors.Is(err, trace.ErrNotFound) != missing {
				t.Errorf("errors.Is(%v, trace.ErrNotFound) = %t, want %t", err, !missing, missing)
			}
		})
	}
}

func TestHTTPPing(t *testing.T) {
	c := serveHTTP(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v3/services" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, `{"services":["shop","payments"]}`)
	})
	info, err := c.Ping(context.Background())
	if err != nil || len(info.Notes) != 1 || info.Notes[0] != "2 services: payments, shop" {
		t.Fatalf("Ping = %+v, %v", info, err)
	}
}

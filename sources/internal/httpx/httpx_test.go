package httpx

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/redline-tui/redline/sources/budget"
)

func TestURLKeepsPathPrefix(t *testing.T) {
	c, err := New("prometheus", "http://mimir:8080/prometheus/", nil, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := c.URL("/api/v1/query", map[string][]string{"query": {"up"}})
	if want := "http://mimir:8080/prometheus/api/v1/query?query=up"; got != want {
		t.Fatalf("URL = %q, want %q", got, want)
	}
}

func TestNewRejectsBadURLs(t *testing.T) {
	for _, raw := range []string{"", "127.0.0.1:3100", "ftp://host/", "http://"} {
		if _, err := New("loki", raw, nil, 0, nil); err == nil || !strings.HasPrefix(err.Error(), "loki: ") {
			t.Errorf("New(%q) error = %v, want one naming loki", raw, err)
		}
	}
}

func TestGetErrors(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    []string
	}{
		{"json error body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"error","error":"too many outstanding requests"}`)
		}, []string{"tempo: HTTP 503 Service Unavailable: too many outstanding requests"}},
		{"retry after", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "7")
			w.WriteHeader(http.StatusTooManyRequests)
		}, []string{"HTTP 429", "rate limited", "retry after 7s"}},
		{"unauthorized hint", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no org id", http.StatusUnauthorized)
		}, []string{"HTTP 401 Unauthorized: no org id", "X-Scope-OrgID"}},
		{"too large", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, strings.Repeat("x", 2048))
		}, []string{"tempo: answer too large", "1 KiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			defer srv.Close()
			c, err := New("tempo", srv.URL, srv.Client(), 1024, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, err = c.Get(context.Background(), "/api/search", nil, nil)
			if err == nil {
				t.Fatal("Get succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestDescribeTransportFailures(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there any more
	c, _ := New("loki", "http://"+addr, &http.Client{}, 0, nil)
	_, err = c.Get(context.Background(), "/ready", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "loki: connection refused") {
		t.Fatalf("error = %v, want connection refused", err)
	}

	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-r.Context().Done()
	}))
	defer slow.Close()
	c, _ = New("loki", slow.URL, slow.Client(), 0, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.Get(ctx, "/", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "loki: timed out") {
		t.Fatalf("error = %v, want timed out", err)
	}
}

func TestLimitBodies(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.(http.Flusher).Flush() // chunked: no Content-Length
		io.WriteString(w, strings.Repeat("y", 4096))
	}))
	defer srv.Close()
	hc := &http.Client{Transport: LimitBodies(srv.Client().Transport, 100, nil)}
	resp, err := hc.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	_, err = io.ReadAll(resp.Body)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadAll error = %v, want ErrTooLarge", err)
	}
}

func TestDescribeLeavesOutTheURL(t *testing.T) {
	err := Describe("prometheus", &url.Error{Op: "Get", URL: "http://p/api?query=very+long", Err: syscall.ECONNREFUSED})
	if strings.Contains(err.Error(), "very+long") || !strings.Contains(err.Error(), "prometheus: connection refused") {
		t.Errorf("error = %q", err)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Error("the cause is no longer in the chain")
	}
}

func TestTruncatedAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		io.WriteString(w, `{"status":"succ`)
	}))
	defer srv.Close()
	c, _ := New("loki", srv.URL, srv.Client(), 0, nil)
	_, err := c.Get(context.Background(), "/loki/api/v1/query_range", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "loki: answer cut short") {
		t.Fatalf("error = %v, want answer cut short", err)
	}
}

// TestTenant: Client.Get and TenantTransport send the tenant once, never
// over a tenant the caller set, and nothing without one.
func TestTenant(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, strings.Join(r.Header.Values(TenantHeader), ","))
	}))
	defer srv.Close()
	c, err := New("tempo", srv.URL, nil, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	c.Get(ctx, "/a", nil, nil)
	c.Tenant = "team-a"
	c.Get(ctx, "/b", nil, nil)
	c.Get(ctx, "/c", nil, http.Header{TenantHeader: {"team-b"}})
	rt := TenantTransport{Next: http.DefaultTransport, Tenant: "team-c"}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL, nil)
	if resp, err := rt.RoundTrip(req); err == nil {
		resp.Body.Close()
	}
	if req.Header.Get(TenantHeader) != "" {
		t.Error("TenantTransport changed the caller's request")
	}
	if want := []string{"", "team-a", "team-b", "team-c"}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("tenants sent %q, want %q", got, want)
	}
}

// TestDeclaredLengthRefusedUnread: an answer declaring more than the cap is
// refused before any of its body is read: the server sends a little and
// then waits for the client to go away, so reading would hang.
func TestDeclaredLengthRefusedUnread(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "209715200") // 200 MiB
		io.WriteString(w, `{"status":"success",`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	defer srv.Close()
	c, _ := New("loki", srv.URL, srv.Client(), 1<<20, budget.New(0))
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out any
	err := c.GetJSON(ctx, "/loki/api/v1/query_range", nil, nil, &out)
	if err == nil || !strings.Contains(err.Error(), "loki: answer too large: response body larger than 1 MiB (raise max_response_bytes") {
		t.Fatalf("error = %v, want the answer refused as too large", err)
	}
}

// endless is a body that never ends, counting what is read of it.
type endless struct{ read int }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'x'
	}
	e.read += len(p)
	return len(p), nil
}

func (e *endless) Close() error { return nil }

// answering is a transport answering every request with code and body.
type answering struct {
	code int
	body io.ReadCloser
}

func (a answering) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{StatusCode: a.code, Header: http.Header{}, Body: a.body, ContentLength: -1, Request: req}, nil
}

// TestErrorBodyReadOnlyForItsExcerpt: of an endless error body no more is
// read than the excerpt needs, and the error reports the status.
func TestErrorBodyReadOnlyForItsExcerpt(t *testing.T) {
	body := &endless{}
	c, _ := New("tempo", "http://tempo", &http.Client{Transport: answering{http.StatusInternalServerError, body}}, 0, nil)
	_, err := c.Get(context.Background(), "/api/search", nil, nil)
	if err == nil || !strings.Contains(err.Error(), "tempo: HTTP 500 Internal Server Error: xxx") {
		t.Fatalf("error = %v, want the status with the body's start", err)
	}
	if body.read > maxErrorBody+512 {
		t.Errorf("read %d bytes of the error body, want at most about %d", body.read, maxErrorBody)
	}
}

// TestBudgetSharedByAnswers: two answers read at once within a budget that
// holds only one of them (each is charged budget.Charge times its size): the
// second waits, and gets the budget once the first is closed; the budget
// is whole again after both.
func TestBudgetSharedByAnswers(t *testing.T) {
	const size = 3 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, strings.Repeat("z", size))
	}))
	defer srv.Close()
	shared := budget.New(12 << 20)
	c, _ := New("victorialogs", srv.URL, srv.Client(), 4<<20, shared)
	ctx := context.Background()
	first, err := c.Open(ctx, "/a", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(io.Discard, first); err != nil {
		t.Fatal(err)
	}
	if held := shared.InUse(); held < size*budget.Charge {
		t.Fatalf("the budget holds %d bytes for a %d-byte answer still open", held, size)
	}
	second := make(chan error)
	go func() {
		b, err := c.Get(ctx, "/b", nil, nil)
		if err == nil && len(b) != size {
			err = errors.New("short answer")
		}
		second <- err
	}()
	first.Close()
	if err := <-second; err != nil {
		t.Fatalf("second answer: %v", err)
	}
	if held := shared.InUse(); held != 0 {
		t.Errorf("the budget holds %d bytes after both answers", held)
	}
}

// TestBudgetTimeoutNamesIt: an answer that cannot have the budget before
// its context ends says so, naming the backend and the budget. (The answer
// comes from memory, so only the wait for the budget sees the context.)
func TestBudgetTimeoutNamesIt(t *testing.T) {
	shared := budget.New(3 << 20)
	hog := shared.Lease()
	if err := hog.Grow(context.Background(), 3<<20); err != nil {
		t.Fatal(err)
	}
	defer hog.Release()
	body := io.NopCloser(strings.NewReader(strings.Repeat("z", 1<<20)))
	c, _ := New("loki", "http://loki", &http.Client{Transport: answering{http.StatusOK, body}}, 0, shared)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Get(ctx, "/", nil, nil)
	for _, want := range []string{"loki: answer refused", "waiting for the response budget (3 MiB", "response_budget_bytes"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error = %v, want %q", err, want)
		}
	}
}

func TestDecodeJSON(t *testing.T) {
	tests := []struct {
		name, body string
		want       string
	}{
		{"one value", `{"a":1}` + "\n", ""},
		{"trailing data", `{"a":1}{"a":2}`, "malformed JSON answer from /x: more data after the JSON value"},
		{"truncated", `{"a":`, "malformed JSON answer from /x"},
		{"wrong type", `{"a":"s"}`, "malformed JSON answer from /x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				io.WriteString(w, tt.body)
			}))
			defer srv.Close()
			c, _ := New("tempo", srv.URL, srv.Client(), 0, nil)
			var out struct{ A int }
			err := c.GetJSON(context.Background(), "/x", nil, nil, &out)
			if tt.want == "" && err != nil || tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Errorf("error = %v, want %q", err, tt.want)
			}
		})
	}
}

// TestDeclaredLengthTakesItsShareFirst: an answer of known length takes its
// whole share of the budget before its body is read, so it never waits
// halfway holding part of it.
func TestDeclaredLengthTakesItsShareFirst(t *testing.T) {
	const size = 100 << 10
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.Itoa(size))
		io.WriteString(w, strings.Repeat("z", size))
	}))
	defer srv.Close()
	shared := budget.New(1 << 20)
	c, _ := New("tempo", srv.URL, srv.Client(), 0, shared)
	body, err := c.Open(context.Background(), "/", nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if held := shared.InUse(); held != size*budget.Charge {
		t.Errorf("before reading, the budget holds %d bytes, want %d", held, size*budget.Charge)
	}
	if _, err := io.Copy(io.Discard, body); err != nil {
		t.Fatal(err)
	}
	body.Close()
	if held := shared.InUse(); held != 0 {
		t.Errorf("after closing, the budget holds %d bytes", held)
	}
}

func TestExcerpt(t *testing.T) {
	long := "line one\n\tline two " + strings.Repeat("é", 400)
	got := Excerpt(long)
	if strings.ContainsAny(got, "\n\t") || !strings.HasPrefix(got, "line one line two é") || !strings.HasSuffix(got, "…") {
		t.Errorf("Excerpt = %q", got)
	}
	if n := len(strings.TrimSuffix(got, "…")); n > maxMessage || !utf8.ValidString(got) {
		t.Errorf("Excerpt keeps %d bytes (valid UTF-8: %v), want at most %d", n, utf8.ValidString(got), maxMessage)
	}
	if got := Excerpt(" short  answer "); got != "short answer" {
		t.Errorf("Excerpt of a short answer = %q", got)
	}
}

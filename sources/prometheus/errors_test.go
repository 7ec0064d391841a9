package prometheus

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
)

func TestErrorsNameBackendAndCause(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		cfg     Config
		want    []string
	}{
		{"400 bad_data", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadRequest)
			io.WriteString(w, `{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unexpected \"}\""}`)
		}, Config{}, []string{"prometheus: bad_data: invalid parameter", "parse error", "(requests per second by route over the last 5m)"}},
		{"422 execution", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnprocessableEntity)
			io.WriteString(w, `{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}`)
		}, Config{}, []string{"prometheus: execution: query processing would load too many samples"}},
		{"503 with body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusServiceUnavailable)
			io.WriteString(w, `{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}`)
		}, Config{}, []string{"prometheus: HTTP 503 Service Unavailable: query timed out in expression evaluation"}},
		{"401 tenant hint", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "no org id", http.StatusUnauthorized)
		}, Config{}, []string{"prometheus: HTTP 401 Unauthorized: no org id", "X-Scope-OrgID"}},
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":`)
		}, Config{}, []string{"prometheus: malformed answer to requests per second by route"}},
		{"body too large", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"status":"success","data":{"resultType":"vector","result":[`+strings.Repeat(" ", 4096)+`]}}`)
		}, Config{MaxBody: 1024}, []string{"prometheus: answer too large", "1 KiB"}},
		{"timeout", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // lets the server notice the client hanging up
			<-r.Context().Done()
		}, Config{Timeout: 50 * time.Millisecond}, []string{"prometheus: timed out"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path == "/api/v1/query" {
					tt.handler(w, r)
					return
				}
				io.WriteString(w, `{"status":"success","data":[]}`)
			}))
			defer srv.Close()
			tt.cfg.URL = srv.URL
			c, err := New(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			c.detected = &Detection{At: time.Now(), Conventions: []Convention{{
				ID: "otel", Title: "OTel semconv", Requests: "http_server_request_duration_seconds_count",
				ServiceLabel: "job", RouteLabel: "http_route", Services: []string{"shop"},
			}}}
			_, err = c.Routes(context.Background(), red.Query{Service: "shop", Range: funnel.Last(time.Hour, time.Now())})
			if err == nil {
				t.Fatal("Routes succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}

func TestConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(Config{URL: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Ping(context.Background())
	if err == nil || !strings.Contains(err.Error(), "prometheus: connection refused") {
		t.Fatalf("Ping error = %v, want connection refused", err)
	}
	_, err = c.SLOs(context.Background(), funnel.Last(time.Hour, time.Now()))
	if err == nil || !strings.Contains(err.Error(), "prometheus: connection refused") {
		t.Fatalf("SLOs error = %v, want connection refused", err)
	}
}

func TestTenantHeader(t *testing.T) {
	f := newFakeProm(t, loadFixture(t, "otel.json"))
	c := f.client(t, Config{Tenant: "team-a"})
	if _, err := c.Detect(context.Background()); err != nil {
		t.Fatal(err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, h := range f.headers {
		if got := h.Values("X-Scope-OrgID"); len(got) != 1 || got[0] != "team-a" {
			t.Fatalf("X-Scope-OrgID = %q, want exactly [team-a]", got)
		}
	}
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		cfg  Config
		want string
	}{
		{Config{URL: "127.0.0.1:9090"}, "prometheus: url"},
		{Config{URL: "http://x", Convention: "statsd"}, `prometheus: convention "statsd" is unknown: use one of otel, otel-ms, classic, spanmetrics, tempo-spanmetrics`},
		{Config{URL: "http://x", ServiceLabel: "service\xff"}, "prometheus: service_label"},
		{Config{URL: "http://x", SLOs: []SLOSpec{{Service: "shop", Name: "avail", Objective: 99.9, ErrorQuery: "a", TotalQuery: "b"}}}, "slos[0] (shop/avail): objective 99.9 must be a ratio"},
		{Config{URL: "http://x", SLOs: []SLOSpec{{Service: "shop", Name: "avail", Objective: 0.999, ErrorQuery: "a + b", TotalQuery: "c"}}}, `error_query "a + b" is neither a selector nor an expression using $window`},
		{Config{URL: "http://x", SLOs: []SLOSpec{{Service: "shop", Name: "avail", Objective: 0.999, ErrorQuery: "a"}}}, "total_query is empty"},
	}
	for _, tt := range tests {
		_, err := New(tt.cfg)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("New(%+v) error = %v, want %q", tt.cfg, err, tt.want)
		}
	}
}

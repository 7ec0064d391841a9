//go:build integration

package main

// Smoke tests of the integration stack started by .ci/stack.sh up: each
// backend serves what the brief promises the source engineers.

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"
)

func stackEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("REDLINE_INTEGRATION") == "1" {
			t.Fatalf("%s is not set: run eval \"$(bash .ci/stack.sh up)\"", name)
		}
		t.Skipf("%s is not set", name)
	}
	return v
}

// getJSON GETs base+path?query, checks the status and decodes the body into out.
func getJSON(t *testing.T, base, path string, query url.Values, header http.Header, wantStatus int, out any) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path+"?"+query.Encode(), nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s%s: %s, want %d: %s", base, path, resp.Status, wantStatus, body)
	}
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("GET %s%s: %v: %s", base, path, err, body)
		}
	}
}

type promResponse struct {
	Data struct {
		Result []struct {
			Metric map[string]string `json:"metric"`
		} `json:"result"`
	} `json:"data"`
}

func TestStackPrometheusHasRouteAndSpanMetrics(t *testing.T) {
	base := stackEnv(t, "REDLINE_IT_PROMETHEUS")
	tests := []struct {
		query     string
		wantLabel string
		wantValue string
	}{
		{`sum by (http_route) (rate(http_server_request_duration_seconds_count{job="shop",http_route="/api/cart"}[1m])) > 0`, "http_route", "/api/cart"},
		{`sum by (http_route) (rate(http_server_request_duration_seconds_bucket{job="shop",http_route="/api/checkout"}[1m])) > 0`, "http_route", "/api/checkout"},
		{`sum by (http_response_status_code) (http_server_request_duration_seconds_count{job="shop",http_route="/api/items/{id}",http_request_method="GET",http_response_status_code="500"})`, "http_response_status_code", "500"},
		{`sum by (handler) (http_requests_total{job="shop",handler="/api/items/{id}",method="GET",code="500"})`, "handler", "/api/items/{id}"},
		{`sum by (handler) (http_request_duration_seconds_bucket{job="shop",handler="/api/checkout",code="200"})`, "handler", "/api/checkout"},
		{`sum by (span_name) (traces_span_metrics_calls_total{service_name="shop",span_name="charge-card",span_kind="SPAN_KIND_CLIENT"})`, "span_name", "charge-card"},
		{`sum by (service_name) (traces_span_metrics_duration_milliseconds_bucket{service_name="payments"})`, "service_name", "payments"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got promResponse
			getJSON(t, base, "/api/v1/query", url.Values{"query": {tt.query}}, nil, http.StatusOK, &got)
			if len(got.Data.Result) == 0 {
				t.Fatalf("no series")
			}
			if v := got.Data.Result[0].Metric[tt.wantLabel]; v != tt.wantValue {
				t.Errorf("%s = %q, want %q", tt.wantLabel, v, tt.wantValue)
			}
		})
	}
}

type jaegerTraces struct {
	Data []struct {
		TraceID string `json:"traceID"`
		Spans   []struct {
			OperationName string `json:"operationName"`
			ProcessID     string `json:"processID"`
		} `json:"spans"`
		Processes map[string]struct {
			ServiceName string `json:"serviceName"`
		} `json:"processes"`
	} `json:"data"`
}

// checkoutTrace returns recent checkout traces of service shop.
func checkoutTrace(t *testing.T) jaegerTraces {
	t.Helper()
	base := stackEnv(t, "REDLINE_IT_JAEGER_HTTP")
	var got jaegerTraces
	getJSON(t, base, "/api/traces", url.Values{
		"service": {"shop"}, "operation": {"POST /api/checkout"}, "limit": {"5"}, "lookback": {"1h"},
	}, nil, http.StatusOK, &got)
	if len(got.Data) == 0 {
		t.Fatal("no checkout traces for service shop")
	}
	return got
}

func TestStackJaegerCheckoutSpansTwoServices(t *testing.T) {
	tr := checkoutTrace(t).Data[0]
	byOperation := map[string]string{}
	for _, s := range tr.Spans {
		byOperation[s.OperationName] = tr.Processes[s.ProcessID].ServiceName
	}
	for op, service := range map[string]string{"POST /api/checkout": "shop", "charge-card": "shop", "POST /charge": "payments"} {
		if byOperation[op] != service {
			t.Errorf("trace %s: span %q has service %q, want %q (spans: %v)", tr.TraceID, op, byOperation[op], service, byOperation)
		}
	}
}

func TestStackJaegerAPIv3(t *testing.T) {
	base := stackEnv(t, "REDLINE_IT_JAEGER_HTTP")
	now := time.Now().UTC()
	var got struct {
		Result struct {
			ResourceSpans []json.RawMessage `json:"resourceSpans"`
		} `json:"result"`
	}
	getJSON(t, base, "/api/v3/traces", url.Values{
		"query.service_name":   {"shop"},
		"query.start_time_min": {now.Add(-time.Hour).Format(time.RFC3339Nano)},
		"query.start_time_max": {now.Format(time.RFC3339Nano)},
		// This Jaeger (module v1.76.0) needs query.num_traces; later ones
		// call it query.search_depth. Both are sent.
		"query.num_traces":   {"5"},
		"query.search_depth": {"5"},
	}, nil, http.StatusOK, &got)
	if len(got.Result.ResourceSpans) == 0 {
		t.Fatal("api/v3/traces returned no resource spans for service shop")
	}
}

type lokiResponse struct {
	Data struct {
		Result []struct {
			Stream map[string]string `json:"stream"`
			Values [][]string        `json:"values"`
		} `json:"result"`
	} `json:"data"`
}

func lokiQuery(query string) url.Values {
	return url.Values{
		"query": {query},
		"start": {strconv.FormatInt(time.Now().Add(-time.Hour).UnixNano(), 10)},
		"limit": {"10"},
	}
}

func TestStackLokiFindsLinesByStructuredMetadata(t *testing.T) {
	base := stackEnv(t, "REDLINE_IT_LOKI")
	var errorsGot lokiResponse
	getJSON(t, base, "/loki/api/v1/query_range", lokiQuery(`{service_name="shop", level=~"error|warn"}`), nil, http.StatusOK, &errorsGot)
	if len(errorsGot.Data.Result) == 0 {
		t.Fatal("no error/warn lines of service shop")
	}
	traceID := errorsGot.Data.Result[0].Stream["trace_id"]
	if len(traceID) != 32 {
		t.Fatalf("stream %v: want structured metadata trace_id (32 hex)", errorsGot.Data.Result[0].Stream)
	}
	var byMetadata lokiResponse
	getJSON(t, base, "/loki/api/v1/query_range", lokiQuery(fmt.Sprintf(`{service_name="shop"} | trace_id=%q`, traceID)), nil, http.StatusOK, &byMetadata)
	if len(byMetadata.Data.Result) == 0 {
		t.Fatalf("no lines with structured metadata trace_id=%s", traceID)
	}
}

func TestStackLokiAuthNeedsTenant(t *testing.T) {
	base := stackEnv(t, "REDLINE_IT_LOKI_AUTH")
	query := lokiQuery(`{service_name="shop"}`)
	getJSON(t, base, "/loki/api/v1/query_range", query, nil, http.StatusUnauthorized, nil)
	var got lokiResponse
	getJSON(t, base, "/loki/api/v1/query_range", query, http.Header{"X-Scope-Orgid": {"redline-it"}}, http.StatusOK, &got)
	if len(got.Data.Result) == 0 {
		t.Fatal("no lines of service shop for tenant redline-it")
	}
}

func TestStackPrometheusStoresExemplars(t *testing.T) {
	base := stackEnv(t, "REDLINE_IT_PROMETHEUS")
	now := time.Now()
	for _, query := range []string{
		`http_server_request_duration_seconds_bucket{job="shop",http_route="/api/checkout"}`,
		`http_request_duration_seconds_bucket{job="shop",handler="/api/checkout"}`,
		`traces_span_metrics_duration_milliseconds_bucket{service_name="shop"}`,
	} {
		t.Run(query, func(t *testing.T) {
			var got struct {
				Data []struct {
					Exemplars []struct {
						Labels map[string]string `json:"labels"`
					} `json:"exemplars"`
				} `json:"data"`
			}
			getJSON(t, base, "/api/v1/query_exemplars", url.Values{
				"query": {query},
				"start": {strconv.FormatInt(now.Add(-10*time.Minute).Unix(), 10)},
				"end":   {strconv.FormatInt(now.Unix(), 10)},
			}, nil, http.StatusOK, &got)
			if len(got.Data) == 0 || len(got.Data[0].Exemplars) == 0 {
				t.Fatal("no exemplars")
			}
			if id := got.Data[0].Exemplars[0].Labels["trace_id"]; len(id) != 32 {
				t.Errorf("exemplar trace_id = %q, want 32 hex digits", id)
			}
		})
	}
}

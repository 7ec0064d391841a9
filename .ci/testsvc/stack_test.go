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
	"strings"
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

// TestStackPrometheus3Strategies checks what each OTLP translation strategy
// made of the test service's duration histogram and Jaeger's span metrics:
// UTF-8 names selected with the {"name"} syntax, native histograms where the
// test service pushes exponential ones (no _bucket series there).
func TestStackPrometheus3Strategies(t *testing.T) {
	servers := map[string]string{}
	for _, entry := range strings.Split(stackEnv(t, "REDLINE_IT_PROMETHEUS3"), ",") {
		strategy, url, _ := strings.Cut(entry, "=")
		servers[strategy] = url
	}
	tests := []struct {
		strategy string
		queries  []string // each must answer a series
	}{
		{"UnderscoreEscapingWithSuffixes", []string{
			`http_server_request_duration_seconds_bucket{job="shop",http_route="/api/checkout"}`,
			`traces_span_metrics_calls_total{service_name="payments",span_kind="SPAN_KIND_SERVER"}`,
		}},
		{"NoUTF8EscapingWithSuffixes", []string{
			`{"http.server.request.duration_seconds_bucket",job="shop","http.route"="/api/checkout"}`,
			`sum by ("span.name") ({"traces.span.metrics.calls_total","service.name"="payments","span.kind"="SPAN_KIND_SERVER"})`,
		}},
		{"UnderscoreEscapingWithoutSuffixes", []string{
			`histogram_count(http_server_request_duration{job="shop",http_route="/api/checkout"})`,
			`traces_span_metrics_calls{service_name="payments"}`,
			`traces_span_metrics_duration_bucket{service_name="payments"}`,
		}},
		{"NoTranslation", []string{
			`histogram_quantile(0.99, sum by ("http.route") (rate({"http.server.request.duration",job="shop"}[1m])))`,
			`{"traces.span.metrics.calls","service.name"="payments"}`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.strategy, func(t *testing.T) {
			base, ok := servers[tt.strategy]
			if !ok {
				t.Fatalf("no Prometheus 3 for %s in REDLINE_IT_PROMETHEUS3", tt.strategy)
			}
			for _, query := range tt.queries {
				var got promResponse
				getJSON(t, base, "/api/v1/query", url.Values{"query": {query}}, nil, http.StatusOK, &got)
				if len(got.Data.Result) == 0 {
					t.Errorf("%s: no series", query)
				}
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
		// This Jaeger (module v1.75.0) needs query.num_traces; later ones
		// call it query.search_depth. Both are sent.
		"query.num_traces":   {"5"},
		"query.search_depth": {"5"},
	}, nil, http.StatusOK, &got)
	if len(got.Result.ResourceSpans) == 0 {
		t.Fatal("api/v3/traces returned no resource spans for service shop")
	}
}

// logsQuery runs a LogsQL query over the last hour on the VictoriaLogs at
// base as tenant (AccountID, ProjectID) and returns its JSON-lines entries.
func logsQuery(t *testing.T, base, query, accountID, projectID string) []map[string]string {
	t.Helper()
	form := url.Values{"query": {query + " | limit 10"}, "start": {time.Now().Add(-time.Hour).UTC().Format(time.RFC3339)}}
	req, err := http.NewRequest(http.MethodPost, base+"/select/logsql/query", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("AccountID", accountID)
	req.Header.Set("ProjectID", projectID)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("LogsQL %q: %s: %s", query, resp.Status, body)
	}
	var entries []map[string]string
	for _, line := range strings.Split(strings.TrimSpace(string(body)), "\n") {
		if line == "" {
			continue
		}
		var e map[string]string
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("LogsQL %q: %v: %s", query, err, line)
		}
		entries = append(entries, e)
	}
	return entries
}

func TestStackVictoriaLogsFindsLinesByTraceField(t *testing.T) {
	base := stackEnv(t, "REDLINE_IT_VICTORIALOGS")
	// Slow checkouts are JSON lines, which VictoriaLogs splits into fields.
	slow := logsQuery(t, base, `_stream:{service_name="shop"} level:warn route:="/api/checkout"`, "0", "0")
	if len(slow) == 0 {
		t.Fatal("no slow checkout lines of service shop")
	}
	traceID := slow[0]["trace_id"]
	if len(traceID) != 32 || len(slow[0]["span_id"]) != 16 || slow[0]["_msg"] != "slow request" || slow[0]["service"] != "shop" {
		t.Fatalf("entry %v: want _msg slow request, service shop, trace_id (32 hex), span_id (16 hex)", slow[0])
	}
	if byField := logsQuery(t, base, fmt.Sprintf("trace_id:=%q", traceID), "0", "0"); len(byField) == 0 {
		t.Fatalf("no lines with field trace_id=%s", traceID)
	}
	// Failed items are logfmt lines: the trace ID is in _msg and, from the
	// structured metadata, a field.
	failed := logsQuery(t, base, `_stream:{service_name="shop"} level:error _msg:~"trace_id="`, "0", "0")
	if len(failed) == 0 || len(failed[0]["trace_id"]) != 32 {
		t.Fatalf("no error line holding its trace ID in _msg with a trace_id field: %v", failed)
	}
	if phrase := logsQuery(t, base, strconv.Quote(failed[0]["trace_id"]), "0", "0"); len(phrase) == 0 {
		t.Fatalf("no lines holding %s in _msg", failed[0]["trace_id"])
	}
}

func TestStackVictoriaLogsTenantsAreApart(t *testing.T) {
	base := stackEnv(t, "REDLINE_IT_VICTORIALOGS")
	account := stackEnv(t, "REDLINE_IT_VICTORIALOGS_ACCOUNT_ID")
	project := stackEnv(t, "REDLINE_IT_VICTORIALOGS_PROJECT_ID")
	query := `_stream:{service_name="shop"}`
	if got := logsQuery(t, base, query, account, project); len(got) == 0 {
		t.Fatalf("no lines of service shop for tenant %s:%s", account, project)
	}
	if got := logsQuery(t, base, query, account, project+"1"); len(got) != 0 {
		t.Fatalf("tenant %s:%s1 holds nothing, got %v", account, project, got[0])
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

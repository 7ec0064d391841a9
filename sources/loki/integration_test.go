//go:build integration

package loki

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/trace"
)

// itEnv returns an integration endpoint; missing, it fails the test under
// REDLINE_INTEGRATION=1 and skips it otherwise.
func itEnv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("REDLINE_INTEGRATION") == "1" {
			t.Fatalf("%s is not set (start the stack with bash .ci/stack.sh up)", name)
		}
		t.Skipf("%s is not set", name)
	}
	return v
}

// itClient is an HTTP client whose idle connections are closed when the
// test ends, so the package's leak check stays meaningful.
func itClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// settle keeps traces younger than this out of the search, so that all
// their log lines have been pushed (the test service flushes every 500ms).
const settle = 5 * time.Second

// itTrace is a trace of the test service: its ID and time range.
type itTrace struct {
	id string
	r  funnel.TimeRange
}

// findTrace picks a recent trace of the shop's operation (failed in
// payments when failed is set), from Jaeger when REDLINE_IT_JAEGER_HTTP is
// set, else from a log line of route in Loki.
func findTrace(t *testing.T, hc *http.Client, lokiURL, tenant, operation, route string, failed bool) itTrace {
	t.Helper()
	var (
		tr  itTrace
		err error
	)
	jaeger := os.Getenv("REDLINE_IT_JAEGER_HTTP")
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if jaeger != "" {
			tr, err = jaegerTrace(hc, jaeger, operation, failed)
		} else {
			tr, err = lokiTrace(hc, lokiURL, tenant, route)
		}
		if err == nil {
			return tr
		}
	}
	t.Fatalf("no trace of %s found: %v", operation, err)
	return itTrace{}
}

// jaegerTrace asks Jaeger's /api/v3/traces for the last 10 minutes of the
// operation and returns the first trace (with a failed payments span when
// failed is set) with its span time range.
func jaegerTrace(hc *http.Client, base, operation string, failed bool) (itTrace, error) {
	now := time.Now().UTC().Add(-settle)
	q := url.Values{
		"query.service_name":   {"shop"},
		"query.operation_name": {operation},
		"query.start_time_min": {now.Add(-10 * time.Minute).Format(time.RFC3339Nano)},
		"query.start_time_max": {now.Format(time.RFC3339Nano)},
		// Jaeger v1.76 calls the limit num_traces, later ones search_depth.
		"query.num_traces":   {"100"},
		"query.search_depth": {"100"},
	}
	var resp struct {
		Result struct {
			ResourceSpans []jaegerResourceSpans `json:"resourceSpans"`
		} `json:"result"`
	}
	if err := getJSON(hc, base+"/api/v3/traces?"+q.Encode(), "", &resp); err != nil {
		return itTrace{}, err
	}
	tr := itTrace{id: pickTrace(resp.Result.ResourceSpans, failed)}
	if tr.id == "" {
		return itTrace{}, fmt.Errorf("jaeger has no %s trace (failed: %v) yet", operation, failed)
	}
	for _, rs := range resp.Result.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				if trace.NormalizeTraceID(s.TraceID) == tr.id {
					tr.r = widenTo(tr.r, nsTime(s.Start), nsTime(s.End))
				}
			}
		}
	}
	return tr, nil
}

// jaegerResourceSpans is the part of OTLP/JSON the tests read.
type jaegerResourceSpans struct {
	Resource struct {
		Attributes []struct {
			Key   string `json:"key"`
			Value struct {
				String string `json:"stringValue"`
			} `json:"value"`
		} `json:"attributes"`
	} `json:"resource"`
	ScopeSpans []struct {
		Spans []struct {
			TraceID string `json:"traceId"`
			Start   string `json:"startTimeUnixNano"`
			End     string `json:"endTimeUnixNano"`
			Status  struct {
				Code int `json:"code"`
			} `json:"status"`
		} `json:"spans"`
	} `json:"scopeSpans"`
}

// pickTrace returns the first trace ID, or with failed the first with an
// erroring span (status code 2) of service payments.
func pickTrace(all []jaegerResourceSpans, failed bool) string {
	for _, rs := range all {
		service := ""
		for _, a := range rs.Resource.Attributes {
			if a.Key == "service.name" {
				service = a.Value.String
			}
		}
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				if !failed || (service == "payments" && s.Status.Code == 2) {
					return trace.NormalizeTraceID(s.TraceID)
				}
			}
		}
	}
	return ""
}

// lokiTrace takes the trace ID of the newest shop line of route.
func lokiTrace(hc *http.Client, base, tenant, route string) (itTrace, error) {
	now := time.Now().Add(-settle)
	q := url.Values{
		"query":     {`{service_name=~"shop|payments"} |= ` + strconv.Quote(route)},
		"start":     {strconv.FormatInt(now.Add(-10*time.Minute).UnixNano(), 10)},
		"end":       {strconv.FormatInt(now.UnixNano(), 10)},
		"limit":     {"1"},
		"direction": {"backward"},
	}
	var resp struct {
		Data struct {
			Result []struct {
				Values [][]string `json:"values"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := getJSON(hc, base+pathQueryRange+"?"+q.Encode(), tenant, &resp); err != nil {
		return itTrace{}, err
	}
	for _, s := range resp.Data.Result {
		for _, v := range s.Values {
			if m := regexp.MustCompile(`trace_id[=":]+([0-9a-f]{32})`).FindStringSubmatch(v[1]); m != nil {
				at := nsTime(v[0])
				return itTrace{id: m[1], r: funnel.TimeRange{Start: at.Add(-2 * time.Second), End: at}}, nil
			}
		}
	}
	return itTrace{}, fmt.Errorf("loki has no shop line of %s with a trace ID yet", route)
}

func getJSON(hc *http.Client, u, tenant string, out any) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if tenant != "" {
		req.Header.Set(headerTenant, tenant)
	}
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

func nsTime(s string) time.Time {
	ns, _ := strconv.ParseInt(s, 10, 64)
	return time.Unix(0, ns)
}

func widenTo(r funnel.TimeRange, start, end time.Time) funnel.TimeRange {
	if r.Start.IsZero() || start.Before(r.Start) {
		r.Start = start
	}
	if end.After(r.End) {
		r.End = end
	}
	return r
}

// traceLogsEventually retries until Loki has ingested the trace's lines.
func traceLogsEventually(t *testing.T, c *Client, q logs.Query) logs.Result {
	t.Helper()
	var (
		res logs.Result
		err error
	)
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		res, err = c.TraceLogs(ctx, q)
		cancel()
		if err == nil && len(res.Lines) > 0 {
			return res
		}
	}
	t.Fatalf("no lines of trace %s: err %v, strategy %q, warnings %q", q.TraceID, err, res.Strategy, res.Warnings)
	return res
}

func assertTraceLines(t *testing.T, res logs.Result, tr itTrace, wantServices []string, wantHeld string) {
	t.Helper()
	services := map[string]bool{}
	for i, l := range res.Lines {
		if l.TraceID != tr.id {
			t.Errorf("line %d has trace %q, want %s: %q", i, l.TraceID, tr.id, l.Body)
		}
		if i > 0 && l.Time.Before(res.Lines[i-1].Time) {
			t.Errorf("line %d is older than line %d", i, i-1)
		}
		services[l.Service] = true
	}
	for _, want := range wantServices {
		if !services[want] {
			t.Errorf("no %s line among services %v", want, services)
		}
	}
	if !strings.Contains(res.Strategy, `on {service_name=`) || !strings.Contains(res.Strategy, wantHeld) {
		t.Errorf("strategy %q, want a service_name selector and %q", res.Strategy, wantHeld)
	}
	if len(res.Queries) == 0 || res.Queries[0].Language != funnel.LogQL {
		t.Errorf("queries %v", res.Queries)
	}
	t.Logf("%d lines; strategy: %s", len(res.Lines), res.Strategy)
}

func TestIntegrationTraceLogs(t *testing.T) {
	lokiURL := itEnv(t, "REDLINE_IT_LOKI")
	tests := []struct {
		operation, route string
		wantServices     []string
		wantHeld         string
		failed           bool
	}{
		// Shop logs checkout as JSON, payments only its failures; failed
		// and slow lines also carry structured metadata.
		{"POST /api/checkout", "/charge", []string{"shop", "payments"}, "structured metadata trace_id (2)", true},
		// Cart logs plain text with trace_id=… and no metadata.
		{"GET /api/cart", "/api/cart", []string{"shop"}, "plain text (1)", false},
	}
	for _, tt := range tests {
		t.Run(tt.operation, func(t *testing.T) {
			hc := itClient(t)
			tr := findTrace(t, hc, lokiURL, "", tt.operation, tt.route, tt.failed)
			c, err := New(Config{URL: lokiURL, HTTPClient: hc})
			if err != nil {
				t.Fatal(err)
			}
			q := logs.Query{TraceID: tr.id, Services: []string{"shop", "payments"}, Range: tr.r}
			res := traceLogsEventually(t, c, q)
			assertTraceLines(t, res, tr, tt.wantServices, tt.wantHeld)
			// The discovery is cached: the next look-up sends one query.
			again, err := c.TraceLogs(context.Background(), q)
			if err != nil || len(again.Queries) != 1 || len(again.Lines) != len(res.Lines) {
				t.Errorf("cached look-up: %d queries, %d lines, %v; want 1 query and %d lines", len(again.Queries), len(again.Lines), err, len(res.Lines))
			}
		})
	}
}

func TestIntegrationTenant(t *testing.T) {
	authURL := itEnv(t, "REDLINE_IT_LOKI_AUTH")
	tenant := cmpOr(os.Getenv("REDLINE_IT_LOKI_TENANT"), "redline-it")
	hc := itClient(t)
	tr := findTrace(t, hc, authURL, tenant, "POST /api/checkout", "/charge", true)
	q := logs.Query{TraceID: tr.id, Services: []string{"shop", "payments"}, Range: tr.r}

	anonymous, err := New(Config{URL: authURL, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	_, err = anonymous.TraceLogs(context.Background(), q)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "tenant") {
		t.Errorf("without a tenant: error %v, want a 401 that mentions the tenant", err)
	}
	if _, err := anonymous.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "tenant") {
		t.Errorf("Ping without a tenant: error %v, want one that mentions the tenant", err)
	}

	withTenant, err := New(Config{URL: authURL, HTTPClient: hc, Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	assertTraceLines(t, traceLogsEventually(t, withTenant, q), tr, []string{"shop", "payments"}, "structured metadata trace_id (2)")
}

func TestIntegrationPing(t *testing.T) {
	c, err := New(Config{URL: itEnv(t, "REDLINE_IT_LOKI"), HTTPClient: itClient(t)})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	// A Loki built with go build (as the CI stack does) reports no version.
	if !slices.Contains(info.ServiceLabels, "service_name") || !slices.Contains(info.Labels, "level") {
		t.Errorf("info = %+v, want service_name among the service labels and level among the labels", info)
	}
	t.Logf("loki %s; service labels %v", info.Version, info.ServiceLabels)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

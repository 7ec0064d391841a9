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

// itTrace is a trace of the test service: its ID and time range.
type itTrace struct {
	id string
	r  funnel.TimeRange
}

// findTrace picks a recent trace of the shop's operation, from Jaeger when
// REDLINE_IT_JAEGER_HTTP is set, else from a shop log line in Loki.
func findTrace(t *testing.T, lokiURL, tenant, operation, route string) itTrace {
	t.Helper()
	var (
		tr  itTrace
		err error
	)
	jaeger := os.Getenv("REDLINE_IT_JAEGER_HTTP")
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		if jaeger != "" {
			tr, err = jaegerTrace(jaeger, operation)
		} else {
			tr, err = lokiTrace(lokiURL, tenant, route)
		}
		if err == nil {
			return tr
		}
	}
	t.Fatalf("no trace of %s found: %v", operation, err)
	return itTrace{}
}

// jaegerTrace asks Jaeger's /api/v3/traces for the last 10 minutes of the
// operation and returns the first trace with its span time range.
func jaegerTrace(base, operation string) (itTrace, error) {
	now := time.Now().UTC()
	q := url.Values{
		"query.service_name":   {"shop"},
		"query.operation_name": {operation},
		"query.start_time_min": {now.Add(-10 * time.Minute).Format(time.RFC3339Nano)},
		"query.start_time_max": {now.Format(time.RFC3339Nano)},
		"query.search_depth":   {"20"},
	}
	var resp struct {
		Result struct {
			ResourceSpans []struct {
				ScopeSpans []struct {
					Spans []struct {
						TraceID string `json:"traceId"`
						Start   string `json:"startTimeUnixNano"`
						End     string `json:"endTimeUnixNano"`
					} `json:"spans"`
				} `json:"scopeSpans"`
			} `json:"resourceSpans"`
		} `json:"result"`
	}
	if err := getJSON(base+"/api/v3/traces?"+q.Encode(), "", &resp); err != nil {
		return itTrace{}, err
	}
	var tr itTrace
	for _, rs := range resp.Result.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				id := trace.NormalizeTraceID(s.TraceID)
				if tr.id == "" {
					tr.id = id
				}
				if id == tr.id {
					tr.r = widenTo(tr.r, nsTime(s.Start), nsTime(s.End))
				}
			}
		}
	}
	if tr.id == "" {
		return itTrace{}, fmt.Errorf("jaeger has no %s trace yet", operation)
	}
	return tr, nil
}

// lokiTrace takes the trace ID of the newest shop line of route.
func lokiTrace(base, tenant, route string) (itTrace, error) {
	now := time.Now()
	q := url.Values{
		"query":     {`{service_name="shop"} |= ` + strconv.Quote(route)},
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
	if err := getJSON(base+pathQueryRange+"?"+q.Encode(), tenant, &resp); err != nil {
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

func getJSON(u, tenant string, out any) error {
	req, err := http.NewRequest(http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	if tenant != "" {
		req.Header.Set(headerTenant, tenant)
	}
	resp, err := http.DefaultClient.Do(req)
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

func assertTraceLines(t *testing.T, res logs.Result, tr itTrace, wantHeld string) {
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
	if !services["shop"] {
		t.Errorf("no shop line among services %v", services)
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
		wantHeld         string
	}{
		// Checkout logs JSON; its slow lines also carry structured metadata.
		{"POST /api/checkout", "/api/checkout", "trace_id ("},
		// Cart logs plain text with trace_id=… and no metadata.
		{"GET /api/cart", "/api/cart", "plain text ("},
	}
	for _, tt := range tests {
		t.Run(tt.operation, func(t *testing.T) {
			tr := findTrace(t, lokiURL, "", tt.operation, tt.route)
			c, err := New(Config{URL: lokiURL})
			if err != nil {
				t.Fatal(err)
			}
			q := logs.Query{TraceID: tr.id, Services: []string{"shop", "payments"}, Range: tr.r}
			res := traceLogsEventually(t, c, q)
			assertTraceLines(t, res, tr, tt.wantHeld)
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
	tr := findTrace(t, authURL, tenant, "POST /api/checkout", "/api/checkout")
	q := logs.Query{TraceID: tr.id, Services: []string{"shop", "payments"}, Range: tr.r}

	anonymous, err := New(Config{URL: authURL})
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

	withTenant, err := New(Config{URL: authURL, Tenant: tenant})
	if err != nil {
		t.Fatal(err)
	}
	assertTraceLines(t, traceLogsEventually(t, withTenant, q), tr, "trace_id (")
}

func TestIntegrationPing(t *testing.T) {
	c, err := New(Config{URL: itEnv(t, "REDLINE_IT_LOKI")})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Version == "" || !slices.Contains(info.ServiceLabels, "service_name") {
		t.Errorf("info = %+v, want a version and service_name among the service labels", info)
	}
	t.Logf("loki %s; service labels %v", info.Version, info.ServiceLabels)
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

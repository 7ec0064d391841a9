//go:build integration

package victorialogs

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
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

// itTenant is the second tenant the stack fills, "ACCOUNT:PROJECT".
func itTenant(t *testing.T) string {
	return itEnv(t, "REDLINE_IT_VICTORIALOGS_ACCOUNT_ID") + ":" + itEnv(t, "REDLINE_IT_VICTORIALOGS_PROJECT_ID")
}

// itClient is an HTTP client whose idle connections are closed when the
// test ends, so the package's leak check stays meaningful.
func itClient(t *testing.T) *http.Client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, Timeout: 10 * time.Second}
}

// settle keeps traces younger than this out of the search, so that all
// their log lines have been pushed.
const settle = 5 * time.Second

// slowTrace is the slowest checkout of the last ten minutes, as the funnel
// reaches it: from Jaeger when
// REDLINE_IT_JAEGER_HTTP is set, else the newest shop line with a trace ID.
func slowTrace(t *testing.T, hc *http.Client, base string) (string, funnel.TimeRange) {
	t.Helper()
	jaeger := os.Getenv("REDLINE_IT_JAEGER_HTTP")
	var err error
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(time.Second) {
		var (
			id string
			r  funnel.TimeRange
		)
		if jaeger != "" {
			id, r, err = jaegerSlowest(hc, jaeger)
		} else {
			id, r, err = newestShopTrace(hc, base)
		}
		if err == nil {
			return id, r
		}
	}
	t.Fatalf("no slow checkout trace found: %v", err)
	return "", funnel.TimeRange{}
}

// jaegerSlowest asks Jaeger's HTTP API for recent checkouts and returns the
// longest, as the trace step opens it.
func jaegerSlowest(hc *http.Client, base string) (string, funnel.TimeRange, error) {
	end := time.Now().Add(-settle)
	q := url.Values{
		"service": {"shop"}, "operation": {"POST /api/checkout"}, "limit": {"50"},
		"start": {strconv.FormatInt(end.Add(-10*time.Minute).UnixMicro(), 10)}, "end": {strconv.FormatInt(end.UnixMicro(), 10)},
	}
	var resp struct {
		Data []struct {
			TraceID string `json:"traceID"`
			Spans   []struct {
				Start    int64 `json:"startTime"`
				Duration int64 `json:"duration"`
			} `json:"spans"`
		} `json:"data"`
	}
	if err := getJSON(hc, base+"/api/traces?"+q.Encode(), &resp); err != nil {
		return "", funnel.TimeRange{}, err
	}
	var (
		best string
		r    funnel.TimeRange
	)
	for _, tr := range resp.Data {
		var span funnel.TimeRange
		for _, s := range tr.Spans {
			start, stop := time.UnixMicro(s.Start), time.UnixMicro(s.Start+s.Duration)
			if span.Start.IsZero() || start.Before(span.Start) {
				span.Start = start
			}
			if stop.After(span.End) {
				span.End = stop
			}
		}
		if best == "" || span.End.Sub(span.Start) > r.End.Sub(r.Start) {
			best, r = trace.NormalizeTraceID(tr.TraceID), span
		}
	}
	if best == "" {
		return "", funnel.TimeRange{}, fmt.Errorf("jaeger has no checkout yet")
	}
	return best, r, nil
}

// newestShopTrace takes the trace ID of the newest shop line that has one.
func newestShopTrace(hc *http.Client, base string) (string, funnel.TimeRange, error) {
	q := url.Values{"query": {`_time:10m service_name:=shop trace_id:* | sort by (_time desc) | limit 1`}}
	req, err := http.NewRequest(http.MethodGet, base+pathQuery+"?"+q.Encode(), nil)
	if err != nil {
		return "", funnel.TimeRange{}, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return "", funnel.TimeRange{}, err
	}
	defer resp.Body.Close()
	entries, err := decodeLines(resp.Body, 1)
	if err != nil || len(entries) == 0 {
		return "", funnel.TimeRange{}, fmt.Errorf("no shop line with a trace ID yet (%v)", err)
	}
	e := entries[0]
	return trace.NormalizeTraceID(e.fields["trace_id"]), funnel.TimeRange{Start: e.time.Add(-2 * time.Second), End: e.time}, nil
}

func getJSON(hc *http.Client, u string, out any) error {
	resp, err := hc.Get(u)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(out)
}

// traceLogsEventually retries until VictoriaLogs has ingested the trace's
// lines.
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

func assertTraceLines(t *testing.T, res logs.Result, id string) {
	t.Helper()
	for i, l := range res.Lines {
		if l.TraceID != id {
			t.Errorf("line %d has trace %q, want %s: %q", i, l.TraceID, id, l.Body)
		}
		if i > 0 && l.Time.Before(res.Lines[i-1].Time) {
			t.Errorf("line %d is older than line %d", i, i-1)
		}
		if l.Service == "" || l.Level == logs.LevelUnknown {
			t.Errorf("line %d lacks its service or level: %+v", i, l)
		}
	}
	if !strings.Contains(res.Strategy, `on _stream:{"service_name"`) {
		t.Errorf("strategy %q, want a service_name stream filter", res.Strategy)
	}
	if len(res.Queries) == 0 || res.Queries[0].Language != funnel.LogsQL {
		t.Errorf("queries %v", res.Queries)
	}
	t.Logf("%d lines; strategy: %s", len(res.Lines), res.Strategy)
}

// TestIntegrationTraceLogs walks to the slow trace's log lines in the
// default tenant, and checks that the discovery is cached.
func TestIntegrationTraceLogs(t *testing.T) {
	base := itEnv(t, "REDLINE_IT_VICTORIALOGS")
	hc := itClient(t)
	id, r := slowTrace(t, hc, base)
	c, err := New(Config{URL: base, HTTPClient: hc})
	if err != nil {
		t.Fatal(err)
	}
	q := logs.Query{TraceID: id, Services: []string{"shop", "payments"}, Range: r}
	res := traceLogsEventually(t, c, q)
	assertTraceLines(t, res, id)
	again, err := c.TraceLogs(context.Background(), q)
	if err != nil || len(again.Queries) != 1 || len(again.Lines) != len(res.Lines) {
		t.Errorf("cached look-up: %d queries, %d lines, %v; want 1 query and %d lines", len(again.Queries), len(again.Lines), err, len(res.Lines))
	}
}

// TestIntegrationTenants proves the AccountID and ProjectID headers: the
// stack's second tenant holds the same lines, a third one none.
func TestIntegrationTenants(t *testing.T) {
	base := itEnv(t, "REDLINE_IT_VICTORIALOGS")
	tenant := itTenant(t)
	hc := itClient(t)
	id, r := slowTrace(t, hc, base)
	q := logs.Query{TraceID: id, Services: []string{"shop", "payments"}, Range: r}
	open := func(tenant string) *Client {
		c, err := New(Config{URL: base, HTTPClient: hc, Tenant: tenant})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	dflt := traceLogsEventually(t, open(""), q)
	second := traceLogsEventually(t, open(tenant), q)
	assertTraceLines(t, second, id)
	if len(second.Lines) != len(dflt.Lines) {
		t.Errorf("tenant %s holds %d lines of the trace, the default tenant %d: the stack sends both the same", tenant, len(second.Lines), len(dflt.Lines))
	}
	account, _, _ := strings.Cut(tenant, ":")
	n, _ := strconv.Atoi(account)
	empty, err := open(strconv.Itoa(n+1)+":0").TraceLogs(context.Background(), q)
	if err != nil || len(empty.Lines) != 0 || empty.Strategy != "no logs in the window" {
		t.Errorf("an unused tenant: %d lines, strategy %q, %v; want none", len(empty.Lines), empty.Strategy, err)
	}
}

func TestIntegrationPing(t *testing.T) {
	c, err := New(Config{URL: itEnv(t, "REDLINE_IT_VICTORIALOGS"), HTTPClient: itClient(t), Tenant: itTenant(t)})
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(info.ServiceFields, "service_name") || !slices.Contains(info.TraceFields, "trace_id") || !slices.Contains(info.StreamFields, "service_name") {
		t.Errorf("info = %+v, want service_name a service and stream field and trace_id a trace field", info)
	}
}

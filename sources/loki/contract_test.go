package loki

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/redline-tui/redline/funnel/logs"
)

// The contract tests answer with Loki 3's wire format as its HTTP API
// documentation gives it (loki-http-api.md: labels, label values,
// query_range streams with the categorize-labels encoding flag), written
// out verbatim rather than built, and hold the scenarios the removed
// integration runs against a real Loki checked: a failed checkout whose
// shop lines are JSON with OTLP structured metadata and whose payments line
// has its trace ID in metadata only, a cart line with the ID in plain
// text, a multi-tenant query, and the cached plan.

// docsAnswers maps what a request asks for to Loki's documented answer.
type docsAnswers struct {
	mu       sync.Mutex
	requests []*http.Request
}

func ns(ms int) string { return strconv.FormatInt(base.UnixMilli()*1e6+int64(ms)*1e6, 10) }

// metadataAnswer is query_range's answer to {sel} | trace_id="…": the
// lines whose structured metadata holds the ID, with detected_level (Loki
// 3's level detection) and severity_text (OTLP) among it.
var metadataAnswer = `{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],"result":[
 {"stream":{"service_name":"shop"},"values":[
  ["` + ns(100) + `","{\"msg\":\"checkout slow\",\"trace_id\":\"` + tid + `\"}",{"structuredMetadata":{"trace_id":"` + tid + `","span_id":"` + sid + `","detected_level":"warn"}}]]},
 {"stream":{"service_name":"payments"},"values":[
  ["` + ns(900) + `","card declined",{"structuredMetadata":{"trace_id":"` + tid + `","severity_text":"ERROR","detected_level":"error"}}]]}],
 "stats":{"summary":{"bytesProcessedPerSecond":0,"linesProcessedPerSecond":0,"totalBytesProcessed":0,"totalLinesProcessed":0,"execTime":0.001}}}}`

// lineFilterAnswer is the answer to {sel} |~ "(?i)…": the lines whose body
// holds the ID (the shop JSON line again, and a plain-text cart line).
var lineFilterAnswer = `{"status":"success","data":{"resultType":"streams","encodingFlags":["categorize-labels"],"result":[
 {"stream":{"service_name":"shop"},"values":[
  ["` + ns(1500) + `","INFO cart loaded trace_id=` + strings.ToUpper(tid) + ` items=3",{}],
  ["` + ns(100) + `","{\"msg\":\"checkout slow\",\"trace_id\":\"` + tid + `\"}",{"structuredMetadata":{"trace_id":"` + tid + `","span_id":"` + sid + `","detected_level":"warn"}}]]}],
 "stats":{}}}`

func (d *docsAnswers) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.mu.Lock()
	d.requests = append(d.requests, r.Clone(context.Background()))
	d.mu.Unlock()
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch q := r.FormValue("query"); {
	case r.URL.Path == pathLabels:
		w.Write([]byte(`{"status":"success","data":["detected_level","service_name"]}`))
	case r.URL.Path == "/loki/api/v1/label/service_name/values":
		w.Write([]byte(`{"status":"success","data":["cart","payments","shop"]}`))
	case r.URL.Path == pathQueryRange && strings.Contains(q, "| trace_id="):
		w.Write([]byte(metadataAnswer))
	case r.URL.Path == pathQueryRange && strings.Contains(q, "|~"):
		w.Write([]byte(lineFilterAnswer))
	default:
		http.Error(w, "unexpected request", http.StatusBadRequest)
	}
}

func (d *docsAnswers) take() []*http.Request {
	d.mu.Lock()
	defer d.mu.Unlock()
	out := d.requests
	d.requests = nil
	return out
}

func TestContractFailedCheckout(t *testing.T) {
	d := &docsAnswers{}
	srv := httptest.NewServer(d)
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, Tenant: "team-a|team-b"})
	if err != nil {
		t.Fatal(err)
	}
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range res.Lines {
		got = append(got, l.Service+" "+strings.TrimSpace(l.Level.String())+" "+l.Message)
	}
	want := []string{"shop WARN checkout slow", "payments ERROR card declined", "shop INFO cart loaded trace_id=" + strings.ToUpper(tid) + " items=3"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	for _, w := range []string{"structured metadata trace_id (2)", "plain text (1)", `on {service_name=~"shop|payments"}`} {
		if !strings.Contains(res.Strategy, w) {
			t.Errorf("strategy %q lacks %q", res.Strategy, w)
		}
	}
	for _, r := range d.take() {
		if got := r.Header.Get("X-Scope-OrgID"); got != "team-a|team-b" {
			t.Errorf("%s sent X-Scope-OrgID %q, want the multi-tenant team-a|team-b", r.URL.Path, got)
		}
		if r.URL.Path == pathQueryRange && r.Header.Get("X-Loki-Response-Encoding-Flags") != "categorize-labels" {
			t.Errorf("query_range without the categorize-labels flag")
		}
	}

	// Both probes found lines the other did not: the cached plan sends both
	// again, without listing labels.
	again, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil || len(again.Lines) != len(res.Lines) {
		t.Fatalf("cached look-up: %d lines, %v", len(again.Lines), err)
	}
	reqs := d.take()
	if len(reqs) != 2 || reqs[0].URL.Path != pathQueryRange || reqs[1].URL.Path != pathQueryRange {
		t.Errorf("cached look-up sent %d requests, want the two query_range probes only", len(reqs))
	}
}

// TestContractDetectedLevel: a line whose body says nothing of its level
// takes Loki's detected_level.
func TestContractDetectedLevel(t *testing.T) {
	dec, err := decodeStreams(strings.NewReader(metadataAnswer))
	if err != nil {
		t.Fatal(err)
	}
	l := logs.Parse(dec.lines[0].line)
	if l.Level != logs.LevelWarn || l.Metadata["detected_level"] != "warn" || l.Labels["service_name"] != "shop" {
		t.Errorf("line %+v, want WARN from detected_level", l)
	}
}

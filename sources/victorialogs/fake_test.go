package victorialogs

import (
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	tid = "4bf92f3577b34da6a3ce929d0e0e4736"
	sid = "00f067aa0ba902b7"
)

// traceRange is the trace's range; look-ups widen it by the shift.
var traceRange = funnel.TimeRange{
	Start: time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC),
	End:   time.Date(2026, 11, 21, 20, 0, 2, 0, time.UTC),
}

func shopQuery() logs.Query {
	return logs.Query{TraceID: tid, Services: []string{"shop", "payments"}, Range: traceRange}
}

// request is what the fake saw of one request.
type request struct {
	path, query, field string
	header             http.Header
}

// fakeVL answers VictoriaLogs' select API as its documentation and a real
// v1.52.2 server do: {"values":[{"value","hits"}]} for the discovery
// endpoints, JSON lines for queries, "OK" for /health.
type fakeVL struct {
	mu           sync.Mutex
	requests     []request
	fields       string            // field_names answer
	streamFields string            // stream_field_names answer
	values       map[string]string // field → field_values answer
	lines        string            // query answer
	status       map[string]int    // path → failure status
	errBody      string
}

func newFakeVL() *fakeVL {
	return &fakeVL{
		fields: `{"values":[{"value":"_msg","hits":5},{"value":"_stream","hits":5},{"value":"_time","hits":5},` +
			`{"value":"level","hits":3},{"value":"service_name","hits":5},{"value":"span_id","hits":3},{"value":"trace_id","hits":3}]}`,
		streamFields: `{"values":[{"value":"job","hits":5},{"value":"service_name","hits":5}]}`,
		values: map[string]string{
			"service_name": `{"values":[{"value":"inventory","hits":1},{"value":"payments","hits":2},{"value":"shop","hits":3}]}`,
		},
		lines:  shopLines,
		status: map[string]int{},
	}
}

// shopLines is a query answer as v1.52.2 writes it: one object per line,
// every value a string, _stream in LogsQL's stream syntax.
const shopLines = `{"_msg":"charging card","_stream":"{job=\"shop\",service_name=\"payments\"}","_stream_id":"0000000000000000f485ec8c1f8bcb7ffc5e2235b7d3ebf2","_time":"2026-11-21T20:00:01.5Z","job":"shop","severity":"WARN","service_name":"payments","span_id":"b7ad6b7169203331","trace_id":"` + tid + `"}
{"_msg":"checkout start","_stream":"{job=\"shop\",service_name=\"shop\"}","_stream_id":"00000000000000001f8bcb7ffc5e2235b7d3ebf2f485ec8c","_time":"2026-11-21T20:00:00.100Z","job":"shop","level":"info","service_name":"shop","span_id":"` + sid + `","trace_id":"` + tid + `"}
{"_msg":"ERROR card declined trace_id=` + tid + `","_stream":"{job=\"shop\",service_name=\"payments\"}","_stream_id":"0000000000000000f485ec8c1f8bcb7ffc5e2235b7d3ebf2","_time":"2026-11-21T20:00:01.9Z","job":"shop","service_name":"payments"}
`

func (f *fakeVL) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.requests = append(f.requests, request{path: r.URL.Path, query: r.FormValue("query"), field: r.FormValue("field"), header: r.Header.Clone()})
	code, ok := f.status[r.URL.Path]
	f.mu.Unlock()
	if ok {
		http.Error(w, f.errBody, code)
		return
	}
	switch r.URL.Path {
	case pathHealth:
		_, _ = w.Write([]byte("OK"))
	case pathFieldNames:
		_, _ = w.Write([]byte(f.fields))
	case pathStreamFieldNames:
		_, _ = w.Write([]byte(f.streamFields))
	case pathFieldValues:
		v := f.values[r.FormValue("field")]
		if v == "" {
			v = `{"values":[]}`
		}
		_, _ = w.Write([]byte(v))
	case pathQuery:
		w.Header().Set("Content-Type", "application/stream+json")
		_, _ = w.Write([]byte(f.lines))
	default:
		http.NotFound(w, r)
	}
}

// start serves the fake and returns a client of it, now at the trace's end.
func (f *fakeVL) start(t *testing.T, cfg Config) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg.URL = srv.URL
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return traceRange.End }
	return c
}

// paths lists the paths requested so far and forgets them.
func (f *fakeVL) take() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := f.requests
	f.requests = nil
	return out
}

func paths(rs []request) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.path
	}
	return out
}

package loki

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// base is the fixtures' trace start.
var base = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

type fixtureEntry struct {
	ns     int64
	body   string
	sm     map[string]string
	parsed map[string]string
}

type fixtureStream struct {
	labels  map[string]string
	entries []fixtureEntry
}

// entriesOf makes entries one millisecond apart from base.
func entriesOf(bodies ...string) []fixtureEntry {
	out := make([]fixtureEntry, len(bodies))
	for i, b := range bodies {
		out[i] = fixtureEntry{ns: base.Add(time.Duration(i) * time.Millisecond).UnixNano(), body: b}
	}
	return out
}

// streamsJSON renders a query_range answer as Loki does: with the
// categorize-labels flag, 3-element values and data.encodingFlags; without,
// 2-element values with metadata merged into the stream labels.
func streamsJSON(categorized bool, warnings []string, streams ...fixtureStream) []byte {
	type cat struct {
		SM     map[string]string `json:"structuredMetadata,omitempty"`
		Parsed map[string]string `json:"parsed,omitempty"`
	}
	type out struct {
		Stream map[string]string `json:"stream"`
		Values [][]any           `json:"values"`
	}
	var result []out
	for _, s := range streams {
		if categorized {
			o := out{Stream: s.labels}
			for _, e := range s.entries {
				o.Values = append(o.Values, []any{itoa(e.ns), e.body, cat{e.sm, e.parsed}})
			}
			result = append(result, o)
			continue
		}
		for _, e := range s.entries { // an old Loki splits streams by metadata
			labels := map[string]string{}
			for _, m := range []map[string]string{s.labels, e.sm, e.parsed} {
				for k, v := range m {
					labels[k] = v
				}
			}
			result = append(result, out{Stream: labels, Values: [][]any{{itoa(e.ns), e.body}}})
		}
	}
	data := map[string]any{"resultType": "streams", "result": result, "stats": map[string]any{}}
	if categorized {
		data["encodingFlags"] = []string{flagCategorize}
	}
	resp := map[string]any{"status": "success", "data": data}
	if len(warnings) > 0 {
		resp["warnings"] = warnings
	}
	b, err := json.Marshal(resp)
	if err != nil {
		panic(err)
	}
	return b
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// request is what the fake Loki saw.
type request struct {
	path   string
	params url.Values
	header http.Header
}

// fakeLoki answers labels, label values and query_range from tables and
// records every request.
type fakeLoki struct {
	labels      []string
	values      map[string][]string
	answers     map[string][]byte // LogQL → body; others get no streams
	categorized bool
	status      map[string]int // path → status code with body errBody
	errBody     string

	mu   sync.Mutex
	seen []request
}

func newFakeLoki() *fakeLoki {
	return &fakeLoki{
		labels:      []string{"level", "service_name"},
		values:      map[string][]string{"service_name": {"payments", "shop"}},
		answers:     map[string][]byte{},
		categorized: true,
		status:      map[string]int{},
	}
}

func (f *fakeLoki) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	f.seen = append(f.seen, request{path: r.URL.Path, params: r.URL.Query(), header: r.Header.Clone()})
	f.mu.Unlock()
	if code := f.status[r.URL.Path]; code != 0 {
		http.Error(w, f.errBody, code)
		return
	}
	switch {
	case r.URL.Path == pathLabels:
		writeJSON(w, map[string]any{"status": "success", "data": f.labels})
	case strings.HasPrefix(r.URL.Path, "/loki/api/v1/label/"):
		name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/loki/api/v1/label/"), "/values")
		writeJSON(w, map[string]any{"status": "success", "data": f.values[name]})
	case r.URL.Path == pathQueryRange:
		body, ok := f.answers[r.URL.Query().Get("query")]
		if !ok {
			body = streamsJSON(f.categorized, nil)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

// requests returns the requests seen so far, oldest first.
func (f *fakeLoki) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.seen...)
}

// queries returns the LogQL of the query_range requests seen, sorted by
// arrival (parallel probes may arrive in any order).
func (f *fakeLoki) queries() []string {
	var out []string
	for _, r := range f.requests() {
		if r.path == pathQueryRange {
			out = append(out, r.params.Get("query"))
		}
	}
	return out
}

// start serves f and returns a client for it with cfg's settings.
func (f *fakeLoki) start(t *testing.T, cfg Config) *Client {
	t.Helper()
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	cfg.URL = srv.URL
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

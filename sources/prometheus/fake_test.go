package prometheus

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
)

// fixture is a recorded Prometheus: answers keyed by what was asked.
// Queries not in the fixture get an empty result and are listed in
// fakeProm.unknown, so tests can insist every query sent was expected.
type fixture struct {
	// LabelValues maps "label match[]" (space-separated) to values.
	LabelValues map[string][]string `json:"label_values"`
	// Query and QueryRange map PromQL text to the "data" of the answer.
	Query      map[string]json.RawMessage `json:"query"`
	QueryRange map[string]json.RawMessage `json:"query_range"`
	// Exemplars maps PromQL text to the "data" of query_exemplars.
	Exemplars map[string]json.RawMessage `json:"exemplars"`
	Rules     json.RawMessage            `json:"rules"`
	Alerts    json.RawMessage            `json:"alerts"` // none active when absent
	Buildinfo json.RawMessage            `json:"buildinfo"`
}

type fakeProm struct {
	t   testing.TB
	fx  fixture
	srv *httptest.Server

	mu      sync.Mutex
	asked   []string // "path query" of every request, in arrival order
	unknown []string
	headers []http.Header
}

func loadFixture(t testing.TB, name string) fixture {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var fx fixture
	if err := json.Unmarshal(raw, &fx); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return fx
}

func newFakeProm(t testing.TB, fx fixture) *fakeProm {
	f := &fakeProm{t: t, fx: fx}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeProm) client(t *testing.T, cfg Config) *Client {
	t.Helper()
	cfg.URL = f.srv.URL
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantMethod is what client_golang sends per endpoint (POST with GET
// fallback for queries, GET for metadata).
var wantMethod = map[string]string{
	"/api/v1/query": http.MethodPost, "/api/v1/query_range": http.MethodPost, "/api/v1/query_exemplars": http.MethodPost,
	"/api/v1/rules": http.MethodGet, "/api/v1/status/buildinfo": http.MethodGet, "/api/v1/alerts": http.MethodGet,
}

func (f *fakeProm) serve(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		f.t.Errorf("bad form: %v", err)
	}
	path := r.URL.Path
	want, known := wantMethod[path]
	if strings.HasPrefix(path, "/api/v1/label/") {
		want, known = http.MethodGet, true
	}
	if !known || r.Method != want {
		f.t.Errorf("%s %s: want %s on a known endpoint", r.Method, path, want)
	}
	data, found := f.answer(path, r)
	f.mu.Lock()
	f.asked = append(f.asked, path+" "+r.Form.Get("query"))
	f.headers = append(f.headers, r.Header.Clone())
	if !found {
		f.unknown = append(f.unknown, path+" "+r.Form.Get("query")+strings.Join(r.Form["match[]"], " "))
	}
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": data})
}

func (f *fakeProm) answer(path string, r *http.Request) (any, bool) {
	q := r.Form.Get("query")
	match := strings.Join(r.Form["match[]"], " ")
	switch {
	case path == "/api/v1/query":
		return orEmpty(f.fx.Query[q], `{"resultType":"vector","result":[]}`)
	case path == "/api/v1/query_range":
		return orEmpty(f.fx.QueryRange[q], `{"resultType":"matrix","result":[]}`)
	case path == "/api/v1/query_exemplars":
		return orEmpty(f.fx.Exemplars[q], `[]`)
	case strings.HasPrefix(path, "/api/v1/label/"):
		label := strings.TrimSuffix(strings.TrimPrefix(path, "/api/v1/label/"), "/values")
		v, ok := f.fx.LabelValues[label+" "+match]
		return nonNil(v), ok
	case path == "/api/v1/rules":
		if f.fx.Rules == nil {
			return json.RawMessage(`{"groups":[]}`), true
		}
		return f.fx.Rules, true
	case path == "/api/v1/alerts":
		if f.fx.Alerts == nil {
			return json.RawMessage(`{"alerts":[]}`), true
		}
		return f.fx.Alerts, true
	case path == "/api/v1/status/buildinfo":
		return orEmpty(f.fx.Buildinfo, `{}`)
	}
	return nil, false
}

func orEmpty(raw json.RawMessage, empty string) (any, bool) {
	if raw == nil {
		return json.RawMessage(empty), false
	}
	return raw, true
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

// unknownQueries lists PromQL sent that the fixture did not expect.
func (f *fakeProm) unknownQueries() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.unknown)
}

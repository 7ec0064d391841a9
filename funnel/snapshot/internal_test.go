package snapshot

import (
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel/trace"
)

var t0 = time.Date(2026, 11, 21, 19, 0, 0, 0, time.UTC)

// chainTrace is a root with n children one after the other; the last
// `slow` of them are slow and so on the critical path, child errIdx fails.
func chainTrace(n int, name func(i int) string, errIdx int) *trace.Tree {
	id := func(i int) string { return fmt.Sprintf("%016x", i+1) }
	spans := []trace.Span{{SpanID: id(0), Service: "api", Name: "root", Start: t0, Duration: time.Duration(n+1) * time.Millisecond}}
	for i := 1; i <= n; i++ {
		s := trace.Span{SpanID: id(i), ParentID: id(0), Service: "api", Name: name(i), Start: t0.Add(time.Duration(i-1) * time.Millisecond), Duration: time.Millisecond / 2}
		if i == errIdx {
			s.Status = trace.StatusError
		}
		spans = append(spans, s)
	}
	return trace.Build(&trace.Trace{ID: "1", Spans: spans})
}

func TestCutTrace(t *testing.T) {
	same := func(int) string { return "GET x" }
	distinct := func(i int) string { return fmt.Sprintf("step %d", i) }
	tests := []struct {
		name      string
		tree      *trace.Tree
		rows      int
		selection string
		grouped   int // count of the largest row
	}{
		{"small trace: every span", chainTrace(5, distinct, 0), 6, SelectAll, 1},
		{"many distinct spans: cut to the limit", chainTrace(100, distinct, 50), MaxSpanRows, SelectCritical + fmt.Sprintf(selectGrouped, minGroup) + fmt.Sprintf(selectCut, MaxSpanRows), 1},
		{"repeated spans: grouped", chainTrace(100, same, 0), 2, SelectCritical + fmt.Sprintf(selectGrouped, minGroup), 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rows, selection := cutTrace(tt.tree)
			if len(rows) != tt.rows || selection != tt.selection {
				t.Fatalf("%d rows, %q; want %d, %q", len(rows), selection, tt.rows, tt.selection)
			}
			largest := 0
			for _, r := range rows {
				largest = max(largest, r.Count)
			}
			if largest != tt.grouped {
				t.Errorf("largest row holds %d spans, want %d", largest, tt.grouped)
			}
		})
	}
}

func TestKeptNodesKeepErrorsAndAncestors(t *testing.T) {
	// a covers the root and is the critical path; b overlaps it, and its
	// child c fails; d overlaps a too and is fine.
	spans := []trace.Span{
		{SpanID: "01", Service: "s", Name: "root", Start: t0, Duration: 10 * time.Millisecond},
		{SpanID: "02", ParentID: "01", Service: "s", Name: "a", Start: t0, Duration: 10 * time.Millisecond},
		{SpanID: "03", ParentID: "01", Service: "s", Name: "b", Start: t0.Add(time.Millisecond), Duration: 2 * time.Millisecond},
		{SpanID: "04", ParentID: "03", Service: "s", Name: "c", Start: t0.Add(time.Millisecond), Duration: time.Millisecond, Status: trace.StatusError},
		{SpanID: "05", ParentID: "01", Service: "s", Name: "d", Start: t0.Add(4 * time.Millisecond), Duration: time.Millisecond},
	}
	tree := trace.Build(&trace.Trace{Spans: spans})
	var names []string
	for _, i := range keptNodes(tree) {
		names = append(names, tree.Nodes[i].Span.Name)
	}
	if got := strings.Join(names, ","); got != "root,a,b,c" {
		t.Errorf("kept %s, want root,a,b,c (d is neither critical nor failing)", got)
	}
}

func TestWaterfallLines(t *testing.T) {
	tree := chainTrace(3, func(i int) string { return strings.Repeat("very long span name ", i) }, 2)
	part := &Trace{Duration: Duration(tree.Duration())}
	part.Spans, _ = cutTrace(tree)
	for _, width := range []int{40, 80, 132} {
		for _, line := range waterfall(part, part.Spans, width) {
			if cells(line) > width {
				t.Errorf("width %d: %d cells: %q", width, cells(line), line)
			}
		}
	}
	lines := waterfall(part, part.Spans, 80)
	if !strings.HasPrefix(lines[1], "* api: root") || !strings.HasPrefix(lines[3], "*!  api: very long") {
		t.Errorf("marks or indentation wrong:\n%s", strings.Join(lines, "\n"))
	}
}

func TestCellsAndWrap(t *testing.T) {
	tests := []struct {
		s    string
		want int
	}{
		{"abc", 3}, {"日本語", 6}, {"e\u0301", 1}, {"▁▂█✖", 4}, {"🔥x", 3}, {"", 0},
	}
	for _, tt := range tests {
		if got := cells(tt.s); got != tt.want {
			t.Errorf("cells(%q) = %d, want %d", tt.s, got, tt.want)
		}
	}
	for _, s := range []string{"日本語のテキストはとても長いです", "a b c d e f g h", strings.Repeat("x", 50), "word " + strings.Repeat("y", 30)} {
		for _, line := range wrap(s, 9, "  ") {
			if cells(line) > 9 {
				t.Errorf("wrap(%q) gave a %d-cell line %q", s, cells(line), line)
			}
		}
		if got := truncate(s, 7); cells(got) > 7 {
			t.Errorf("truncate(%q, 7) = %q", s, got)
		}
	}
}

func TestGrafanaExploreURL(t *testing.T) {
	loki := Datasource{Type: "loki", UID: "L1", Language: "LogQL", Query: map[string]any{"queryType": "range"}}
	cfg := Links{GrafanaURL: "https://user:pw@grafana.example.com/sub/", GrafanaOrgID: 2, Datasources: []Datasource{loki}}
	r := Range{Start: time.UnixMilli(1700000000000), End: time.UnixMilli(1700000900000)}
	clean := cleaner{deny: newDenyList(nil)}
	logQL := []Query{{Language: "PromQL", Text: "up"}, {Language: "LogQL", Text: `{service_name="shop"} |= "a&b<c>"`}}
	raw := cfg.explore(clean, logQL, r)
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if u.User != nil || u.Host != "grafana.example.com" || u.Path != "/sub/explore" {
		t.Errorf("URL %s: credentials kept or wrong path", raw)
	}
	q := u.Query()
	if q.Get("schemaVersion") != "1" || q.Get("orgId") != "2" {
		t.Errorf("query %v", q)
	}
	if strings.Contains(q.Get("panes"), `\u0026`) {
		t.Error("panes JSON is HTML-escaped")
	}
	var panes map[string]struct {
		Datasource string           `json:"datasource"`
		Queries    []map[string]any `json:"queries"`
		Range      map[string]any   `json:"range"`
	}
	if err := json.Unmarshal([]byte(q.Get("panes")), &panes); err != nil {
		t.Fatal(err)
	}
	p, ok := panes[explorePaneID]
	if !ok || p.Datasource != "L1" || p.Range["from"] != "1700000000000" || p.Range["to"] != "1700000900000" {
		t.Errorf("pane %+v", panes)
	}
	if p.Queries[0]["expr"] != `{service_name="shop"} |= "a&b<c>"` || p.Queries[0]["queryType"] != "range" {
		t.Errorf("query %+v", p.Queries[0])
	}
	if cfg.explore(clean, logQL[:1], r) != "" {
		t.Error("a link was built for a language no datasource runs")
	}
	if (Links{Datasources: cfg.Datasources}).explore(clean, logQL, r) != "" {
		t.Error("a link was built without a Grafana URL")
	}
}

func TestExploreTracePrefersTheBackendThatFoundIt(t *testing.T) {
	tempo := Datasource{Type: "tempo", UID: "T", Language: "TraceQL", Traces: true}
	jaeger := Datasource{Type: "jaeger", UID: "J", Language: "Jaeger", Traces: true}
	cfg := Links{GrafanaURL: "https://grafana.example.com", Datasources: []Datasource{tempo, jaeger}}
	r := Range{Start: time.UnixMilli(1700000000000), End: time.UnixMilli(1700000900000)}
	tests := []struct {
		qs   []Query
		want string
	}{
		{[]Query{{Language: "Jaeger"}}, `"uid":"J"`},
		{[]Query{{Language: "TraceQL"}}, `"uid":"T"`},
		{nil, `"uid":"T"`},
	}
	for _, tt := range tests {
		u, err := url.Parse(cfg.exploreTrace("abc", tt.qs, r))
		if err != nil || !strings.Contains(u.Query().Get("panes"), tt.want) {
			t.Errorf("queries %v: link %v, want datasource %s", tt.qs, u, tt.want)
		}
	}
	if (Links{GrafanaURL: cfg.GrafanaURL}).exploreTrace("abc", nil, r) != "" {
		t.Error("a trace link was built without a trace datasource")
	}
}

func TestJaegerTraceURL(t *testing.T) {
	tests := []struct{ base, want string }{
		{"https://jaeger.example.com", "https://jaeger.example.com/trace/abc"},
		{"https://u:p@jaeger.example.com/jaeger/?x=1", "https://jaeger.example.com/jaeger/trace/abc"},
		{"javascript:alert(1)", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := (Links{JaegerUI: tt.base}).jaegerTrace("abc"); got != tt.want {
			t.Errorf("jaegerTrace(%q) = %q, want %q", tt.base, got, tt.want)
		}
	}
}

func TestDenies(t *testing.T) {
	d := newDenyList([]string{"Customer-ID"})
	for key, want := range map[string]bool{
		"Authorization": true, "http.request.header.x-api-key": true, "SET_COOKIE": true,
		"db.password": true, "customer_id": true, "session.id": true,
		"http.route": false, "service.name": false, "user": false,
	} {
		if got := d.denies(key); got != want {
			t.Errorf("denies(%q) = %v, want %v", key, got, want)
		}
	}
}

func TestMarkdownEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain text", "plain text"},
		{"# not a heading", `\# not a heading`},
		{"- not a list", `\- not a list`},
		{"a|b", `a\|b`},
		{"trace_id=1", "trace_id=1"},
		{"_emphasis_ and __init__", `\_emphasis\_ and \_\_init\_\_`},
		{"*bold* `code` [link](x) <b>", "\\*bold\\* \\`code\\` \\[link\\](x) \\<b\\>"},
		{"a&amp;b", "a&amp;amp;b"},
		{`back\slash`, `back\\slash`},
	}
	for _, tt := range tests {
		if got := mdEscape(tt.in); got != tt.want {
			t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := codeSpan("a`b"); got != "``a`b``" {
		t.Errorf("codeSpan = %q", got)
	}
}

func TestSnapshotService(t *testing.T) {
	tests := []struct {
		s    Snapshot
		want string
	}{
		{Snapshot{SLO: &SLO{Service: "a"}, RED: &RED{Service: "b"}}, "a"},
		{Snapshot{RED: &RED{Service: "b"}, Trace: &Trace{RootService: "c"}}, "b"},
		{Snapshot{Trace: &Trace{RootService: "c"}}, "c"},
		{Snapshot{}, ""},
	}
	for _, tt := range tests {
		if got := tt.s.Service(); got != tt.want {
			t.Errorf("Service() = %q, want %q", got, tt.want)
		}
	}
}

// TestAlertsTextSaysMuted: a silenced or inhibited alert says so, since it
// pages no one.
func TestAlertsTextSaysMuted(t *testing.T) {
	got := alertsText([]Alert{
		{Name: "ShopBurn", Severity: "page", ActiveFor: Duration(12 * time.Minute)},
		{Name: "ShopSlow", ActiveFor: Duration(time.Hour), Muted: "silenced"},
	})
	if want := "● ShopBurn (page, 12m); ● ShopSlow (1h, silenced)"; got != want {
		t.Errorf("alertsText = %q, want %q", got, want)
	}
}

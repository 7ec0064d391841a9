package loki

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/sources/internal/logmatch"
)

const (
	otherTrace = "0af7651916cd43dd8448eb211c80319c"
	otherSpan  = "b7ad6b7169203331"
	selShopPay = `{service_name=~"shop|payments"}`
	qMetadata  = selShopPay + ` | trace_id="` + tid + `"`
	qText      = selShopPay + ` |~ "(?i)` + tid + `"`
)

var traceRange = funnel.TimeRange{Start: base, End: base.Add(2 * time.Second)}

func at(ms int) int64 { return base.Add(time.Duration(ms) * time.Millisecond).UnixNano() }

func shopQuery() logs.Query {
	return logs.Query{TraceID: strings.ToUpper(tid), Services: []string{"shop", "", "payments", "shop", "inventory", "\xff"}, Range: traceRange}
}

// A shop that logs checkout as JSON (slow lines also carry OTLP structured
// metadata), items as logfmt and cart as plain text, plus payments.
var (
	shopLabels     = map[string]string{"service_name": "shop", "level": "info"}
	shopErrLabels  = map[string]string{"service_name": "shop", "level": "error"}
	paymentsLabels = map[string]string{"service_name": "payments", "level": "info"}

	slowJSON = fixtureEntry{ns: at(1500), sm: map[string]string{"trace_id": tid, "span_id": sid},
		body: `{"level":"error","msg":"checkout slow","trace_id":"` + tid + `","span_id":"` + sid + `"}`}
	startJSON = fixtureEntry{ns: at(10),
		body: `{"level":"info","msg":"checkout start","trace_id":"` + tid + `","span_id":"` + sid + `"}`}
	chargeLogfmt = fixtureEntry{ns: at(700),
		body: `level=info msg="charging card" trace_id=` + tid + ` span_id=` + otherSpan}
	cartText = fixtureEntry{ns: at(5),
		body: `INFO cart loaded trace_id=` + tid + ` items=3`}
	linked = fixtureEntry{ns: at(20),
		body: `{"level":"warn","msg":"retry of ` + tid + `","trace_id":"` + otherTrace + `"}`}
)

func TestTraceLogsDiscoversMergesAndCaches(t *testing.T) {
	f := newFakeLoki()
	f.answers[qMetadata] = streamsJSON(true, nil, fixtureStream{labels: shopErrLabels, entries: []fixtureEntry{slowJSON}})
	f.answers[qText] = streamsJSON(true, []string{"query was split"},
		fixtureStream{labels: shopErrLabels, entries: []fixtureEntry{slowJSON}},
		fixtureStream{labels: shopLabels, entries: []fixtureEntry{cartText, startJSON, linked}},
		fixtureStream{labels: paymentsLabels, entries: []fixtureEntry{chargeLogfmt}},
	)
	c := f.start(t, Config{Tenant: "team-a"})

	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, res.Lines, []string{cartText.body, startJSON.body, chargeLogfmt.body, slowJSON.body})
	wantServices := []string{"shop", "shop", "payments", "shop"}
	for i, l := range res.Lines {
		if l.Service != wantServices[i] || l.TraceID != tid {
			t.Errorf("line %d service %q trace %q, want %q %q", i, l.Service, l.TraceID, wantServices[i], tid)
		}
	}
	if want := "structured metadata trace_id + line filter on " + selShopPay +
		"; trace ID in plain text (1), JSON field trace_id (1), logfmt field trace_id (1), structured metadata trace_id (1)"; res.Strategy != want {
		t.Errorf("strategy =\n%s\nwant\n%s", res.Strategy, want)
	}
	if !slices.Contains(res.Warnings, "query was split") {
		t.Errorf("warnings %q lack Loki's warning", res.Warnings)
	}
	assertQueries(t, res.Queries, qMetadata, qText)

	reqs := f.requests()
	if len(reqs) != 4 || reqs[0].path != pathLabels || reqs[1].path != "/loki/api/v1/label/service_name/values" {
		t.Fatalf("requests %v: want labels, service_name values, then two queries", paths(reqs))
	}
	window := traceRange.Widen(DefaultShift)
	for _, r := range reqs {
		assertParam(t, r, "start", strconv.FormatInt(window.Start.UnixNano(), 10))
		assertParam(t, r, "end", strconv.FormatInt(window.End.UnixNano(), 10))
		if got := r.header.Get("X-Scope-OrgID"); got != "team-a" {
			t.Errorf("%s: X-Scope-OrgID %q, want team-a", r.path, got)
		}
	}
	for _, r := range reqs[2:] {
		assertParam(t, r, "limit", "1000")
		assertParam(t, r, "direction", "forward")
		if got := r.header.Get("X-Loki-Response-Encoding-Flags"); got != "categorize-labels" {
			t.Errorf("encoding flags header %q, want categorize-labels", got)
		}
	}

	// The line filter found every line: the next look-up is one request.
	before := len(f.requests())
	res2, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	if after := f.requests()[before:]; len(after) != 1 || after[0].params.Get("query") != qText {
		t.Errorf("cached look-up sent %v, want only %s", paths(after), qText)
	}
	if len(res2.Lines) != 4 || !strings.HasPrefix(res2.Strategy, "line filter on "+selShopPay+"; ") {
		t.Errorf("cached look-up: %d lines, strategy %q", len(res2.Lines), res2.Strategy)
	}
}

// Where the store holds trace IDs decides which probes are cached.
func TestTraceLogsCachesTheProbesThatFoundLines(t *testing.T) {
	otlpOnly := fixtureEntry{ns: at(1), body: "charged card", sm: map[string]string{"trace_id": tid, "span_id": sid}}
	tests := []struct {
		name       string
		metadata   []fixtureEntry
		text       []fixtureEntry
		wantNext   []string
		wantPrefix string
	}{
		{"OTLP: IDs only in structured metadata", []fixtureEntry{otlpOnly}, nil,
			[]string{qMetadata}, "structured metadata trace_id on "},
		{"bodies only", nil, []fixtureEntry{cartText},
			[]string{qText}, "line filter on "},
		{"some lines each way", []fixtureEntry{otlpOnly}, []fixtureEntry{cartText},
			[]string{qMetadata, qText}, "structured metadata trace_id + line filter on "},
		{"every line both ways", []fixtureEntry{slowJSON}, []fixtureEntry{slowJSON},
			[]string{qText}, "structured metadata trace_id + line filter on "},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLoki()
			f.answers[qMetadata] = streamsJSON(true, nil, fixtureStream{labels: shopLabels, entries: tt.metadata})
			f.answers[qText] = streamsJSON(true, nil, fixtureStream{labels: shopLabels, entries: tt.text})
			c := f.start(t, Config{})
			res, err := c.TraceLogs(context.Background(), shopQuery())
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(res.Strategy, tt.wantPrefix) {
				t.Errorf("strategy %q, want prefix %q", res.Strategy, tt.wantPrefix)
			}
			before := len(f.queries())
			if _, err := c.TraceLogs(context.Background(), shopQuery()); err != nil {
				t.Fatal(err)
			}
			next := f.queries()[before:]
			slices.Sort(next)
			if !slices.Equal(next, tt.wantNext) {
				t.Errorf("next look-up sent %q, want %q", next, tt.wantNext)
			}
		})
	}
}

// A cached plan that finds nothing for a new trace is dropped and
// discovery runs again.
func TestTraceLogsRediscoversWhenTheCacheFindsNothing(t *testing.T) {
	f := newFakeLoki()
	f.answers[qText] = streamsJSON(true, nil, fixtureStream{labels: shopLabels, entries: []fixtureEntry{cartText}})
	c := f.start(t, Config{})
	if _, err := c.TraceLogs(context.Background(), shopQuery()); err != nil {
		t.Fatal(err)
	}
	// This Loki now holds the trace only in structured metadata.
	otlp := fixtureEntry{ns: at(1), body: "charged", sm: map[string]string{"trace_id": tid}}
	f.answers[qMetadata] = streamsJSON(true, nil, fixtureStream{labels: shopLabels, entries: []fixtureEntry{otlp}})
	delete(f.answers, qText)
	before := len(f.requests())
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, res.Lines, []string{"charged"})
	if got := paths(f.requests()[before:]); len(got) != 5 || got[1] != pathLabels {
		t.Errorf("requests %v: want the cached query, then labels, values and both probes", got)
	}
	if len(res.Queries) != 3 || res.Queries[0].Text != qText {
		t.Errorf("queries %v: want the cached one first, then the two probes", res.Queries)
	}
}

func TestTraceLogsPinned(t *testing.T) {
	q := `{app=~"shop|payments|inventory"} |~ "(?i)` + tid + `" | json | traceId=~"(?i)^` + tid + `$" or traceId_extracted=~"(?i)^` + tid + `$"`
	f := newFakeLoki()
	body := `{"traceId":"` + tid + `","msg":"pinned"}`
	f.answers[q] = streamsJSON(true, nil, fixtureStream{labels: map[string]string{"app": "shop"},
		entries: []fixtureEntry{{ns: at(3), body: body, parsed: map[string]string{"traceId": tid, "msg": "pinned"}}}})
	c := f.start(t, Config{ServiceLabel: "app", TraceField: "json:traceId"})
	for range 2 {
		res, err := c.TraceLogs(context.Background(), shopQuery())
		if err != nil {
			t.Fatal(err)
		}
		assertLines(t, res.Lines, []string{body})
		if want := "JSON field traceId/traceId_extracted on {app=~\"shop|payments|inventory\"}; trace ID in JSON field traceId (1)"; res.Strategy != want {
			t.Errorf("strategy %q, want %q", res.Strategy, want)
		}
		if res.Lines[0].Service != "shop" {
			t.Errorf("service %q, want shop", res.Lines[0].Service)
		}
	}
	if got := paths(f.requests()); !slices.Equal(got, []string{pathQueryRange, pathQueryRange}) {
		t.Errorf("requests %v: a pin needs no discovery", got)
	}
}

func TestTraceLogsServiceSelector(t *testing.T) {
	tests := []struct {
		name        string
		labels      []string
		values      map[string][]string
		services    []string
		want        string
		wantWarning string
	}{
		{"first service label with a matching value wins",
			[]string{"app", "job", "service_name"},
			map[string][]string{"service_name": {"unknown_service"}, "app": {"Shop", "web"}, "job": {"shop"}},
			[]string{"shop"}, `{app="Shop"}`, ""},
		{"no value matches: every stream of the first service label",
			[]string{"job", "service_name"},
			map[string][]string{"service_name": {"web"}, "job": {"web"}},
			[]string{"shop"}, `{service_name=~".+"}`, "no value of service_name, job names shop"},
		{"no service label at all",
			[]string{"filename", "host"}, nil,
			[]string{"shop"}, `{filename=~".+"}`, "no stream label names a service"},
		{"no services in the query",
			[]string{"service_name"}, map[string][]string{"service_name": {"shop"}},
			nil, `{service_name=~".+"}`, "the trace names no service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLoki()
			f.labels, f.values = tt.labels, tt.values
			c := f.start(t, Config{})
			q := shopQuery()
			q.Services = tt.services
			res, err := c.TraceLogs(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			for _, lq := range f.queries() {
				if !strings.HasPrefix(lq, tt.want+" ") {
					t.Errorf("query %s does not start with selector %s", lq, tt.want)
				}
			}
			if tt.wantWarning != "" && !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, tt.wantWarning) }) {
				t.Errorf("warnings %q lack %q", res.Warnings, tt.wantWarning)
			}
			if !strings.HasPrefix(res.Strategy, "no lines of trace "+tid+": tried structured metadata trace_id + line filter on "+tt.want) {
				t.Errorf("strategy %q", res.Strategy)
			}
		})
	}
}

func TestTraceLogsNoStreams(t *testing.T) {
	f := newFakeLoki()
	f.labels = nil
	c := f.start(t, Config{})
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) != 0 || len(f.queries()) != 0 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "no log streams") {
		t.Errorf("lines %d queries %d warnings %q: want none, none, one about no streams", len(res.Lines), len(f.queries()), res.Warnings)
	}
}

func TestTraceLogsSpan(t *testing.T) {
	qm := qMetadata + ` | span_id="` + sid + `"`
	qt := qText + ` |~ "(?i)` + sid + `"`
	f := newFakeLoki()
	f.answers[qt] = streamsJSON(true, nil,
		fixtureStream{labels: shopLabels, entries: []fixtureEntry{startJSON, {ns: at(30), body: "mentions " + sid + " and trace_id=" + tid + " span_id=" + otherSpan}}})
	f.answers[qm] = streamsJSON(true, nil, fixtureStream{labels: shopErrLabels, entries: []fixtureEntry{slowJSON}})
	c := f.start(t, Config{})
	q := shopQuery()
	q.SpanID = "0x" + strings.ToUpper(sid[2:])
	res, err := c.TraceLogs(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	assertQueries(t, res.Queries, qm, qt)
	assertLines(t, res.Lines, []string{startJSON.body, slowJSON.body})
}

func TestTraceLogsLimit(t *testing.T) {
	three := []fixtureEntry{cartText, {ns: at(6), body: "b trace_id=" + tid}, {ns: at(7), body: "c trace_id=" + tid}}
	tests := []struct {
		direction string
		want      []string
		warning   string
	}{
		{"forward", []string{cartText.body, "b trace_id=" + tid}, "showing the first 2 lines"},
		{"backward", []string{"b trace_id=" + tid, "c trace_id=" + tid}, "showing the last 2 lines"},
	}
	for _, tt := range tests {
		t.Run(tt.direction, func(t *testing.T) {
			f := newFakeLoki()
			// Loki honours the limit per query; the union of two may exceed it.
			f.answers[qMetadata] = streamsJSON(true, nil, fixtureStream{labels: shopLabels, entries: three[:1]})
			f.answers[qText] = streamsJSON(true, nil, fixtureStream{labels: shopLabels, entries: three[1:]})
			c := f.start(t, Config{Direction: tt.direction, Limit: 5})
			q := shopQuery()
			q.Limit = 2
			res, err := c.TraceLogs(context.Background(), q)
			if err != nil {
				t.Fatal(err)
			}
			assertLines(t, res.Lines, tt.want)
			if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.HasPrefix(w, tt.warning) }) {
				t.Errorf("warnings %q lack %q", res.Warnings, tt.warning)
			}
			for _, r := range f.requests()[2:] {
				assertParam(t, r, "limit", "2")
				assertParam(t, r, "direction", tt.direction)
			}
		})
	}
}

// An older Loki ignores the encoding flag: metadata arrives merged into the
// stream labels and one stream per line.
func TestTraceLogsOldLoki(t *testing.T) {
	f := newFakeLoki()
	f.categorized = false
	f.answers[qMetadata] = streamsJSON(false, nil, fixtureStream{labels: shopErrLabels, entries: []fixtureEntry{slowJSON}})
	f.answers[qText] = streamsJSON(false, nil, fixtureStream{labels: shopErrLabels, entries: []fixtureEntry{slowJSON}},
		fixtureStream{labels: shopLabels, entries: []fixtureEntry{startJSON}})
	c := f.start(t, Config{})
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, res.Lines, []string{startJSON.body, slowJSON.body})
	if !strings.HasSuffix(res.Strategy, "trace ID in JSON field trace_id (1), label trace_id (1)") {
		t.Errorf("strategy %q", res.Strategy)
	}
}

func TestTraceLogsRejectsBadIDs(t *testing.T) {
	c := newFakeLoki().start(t, Config{})
	for _, q := range []logs.Query{
		{TraceID: "", Range: traceRange},
		{TraceID: "xyz", Range: traceRange},
		{TraceID: tid + "00", Range: traceRange},
		{TraceID: tid, SpanID: "not-a-span", Range: traceRange},
		{TraceID: tid, Range: funnel.TimeRange{Start: base, End: base.Add(-time.Second)}},
	} {
		if _, err := c.TraceLogs(context.Background(), q); err == nil || !strings.HasPrefix(err.Error(), "loki: ") {
			t.Errorf("TraceLogs(%+v) error = %v, want a loki error", q, err)
		}
	}
}

func TestTraceLogsWithoutRangeSearchesTheLastHour(t *testing.T) {
	f := newFakeLoki()
	c := f.start(t, Config{Shift: time.Second})
	c.now = func() time.Time { return base }
	res, err := c.TraceLogs(context.Background(), logs.Query{TraceID: tid, Services: []string{"shop"}})
	if err != nil {
		t.Fatal(err)
	}
	assertParam(t, f.requests()[0], "start", strconv.FormatInt(base.Add(-time.Hour-time.Second).UnixNano(), 10))
	if !slices.ContainsFunc(res.Warnings, func(w string) bool { return strings.Contains(w, "last hour") }) {
		t.Errorf("warnings %q lack the last-hour notice", res.Warnings)
	}
}

func assertLines(t *testing.T, got []logs.Line, want []string) {
	t.Helper()
	bodies := make([]string, len(got))
	for i, l := range got {
		bodies[i] = l.Body
		if i > 0 && l.Time.Before(got[i-1].Time) {
			t.Errorf("line %d is older than line %d", i, i-1)
		}
	}
	if !slices.Equal(bodies, want) {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(bodies, "\n"), strings.Join(want, "\n"))
	}
}

func assertQueries(t *testing.T, got []funnel.Query, want ...string) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d queries recorded, want %d: %v", len(got), len(want), got)
	}
	for i, q := range got {
		if q.Text != want[i] || q.Backend != "loki" || q.Language != funnel.LogQL || q.Range != traceRange.Widen(DefaultShift) || q.Purpose == "" {
			t.Errorf("query %d = %+v, want loki LogQL %s over the widened range", i, q, want[i])
		}
	}
}

func assertParam(t *testing.T, r request, key, want string) {
	t.Helper()
	if got := r.params.Get(key); got != want {
		t.Errorf("%s %s=%q, want %q", r.path, key, got, want)
	}
}

func paths(reqs []request) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		out[i] = r.path
	}
	return out
}

// A service the cached label values do not name is looked up again; the
// cached plan still applies.
func TestTraceLogsNewServiceRefreshesLabelValues(t *testing.T) {
	f := newFakeLoki()
	f.answers[qText] = streamsJSON(true, nil, fixtureStream{labels: shopLabels, entries: []fixtureEntry{cartText}})
	c := f.start(t, Config{})
	if _, err := c.TraceLogs(context.Background(), shopQuery()); err != nil {
		t.Fatal(err)
	}
	f.values["service_name"] = []string{"inventory", "payments", "shop"}
	invQuery := `{service_name="inventory"} |~ "(?i)` + tid + `"`
	f.answers[invQuery] = streamsJSON(true, nil, fixtureStream{labels: map[string]string{"service_name": "inventory"}, entries: []fixtureEntry{cartText}})
	before := len(f.requests())
	res, err := c.TraceLogs(context.Background(), logs.Query{TraceID: tid, Services: []string{"inventory"}, Range: traceRange})
	if err != nil {
		t.Fatal(err)
	}
	got := f.requests()[before:]
	if want := []string{pathLabels, "/loki/api/v1/label/service_name/values", pathQueryRange}; !slices.Equal(paths(got), want) {
		t.Errorf("requests %v, want %v", paths(got), want)
	}
	if len(res.Lines) != 1 || res.Lines[0].Service != "inventory" {
		t.Errorf("lines %+v", res.Lines)
	}
}

// BenchmarkCollect5000 measures merging, de-duplicating, parsing, sorting
// and matching two probes' answers of 5,000 lines each (every line found by
// both, as when bodies and structured metadata both hold the ID).
func BenchmarkCollect5000(b *testing.B) {
	var streams []fixtureStream
	for s := range 4 {
		var es []fixtureEntry
		for i := range 1250 {
			es = append(es, fixtureEntry{
				ns:   base.Add(time.Duration(i*4+s) * time.Millisecond).UnixNano(),
				body: fmt.Sprintf(`{"level":"info","msg":"handled request %d","trace_id":"%s","span_id":"%s"}`, i, tid, sid),
				sm:   map[string]string{"trace_id": tid, "span_id": sid},
			})
		}
		streams = append(streams, fixtureStream{labels: map[string]string{"service_name": "shop", "instance": fmt.Sprint(s)}, entries: es})
	}
	dec, err := decodeStreams(bytes.NewReader(streamsJSON(true, nil, streams...)))
	if err != nil {
		b.Fatal(err)
	}
	lk := lookup{Lookup: logmatch.Lookup{TraceID: tid, Limit: MaxLimit, Window: traceRange}}
	results := []probeResult{{probe: discoveryPlan[0], dec: dec}, {probe: discoveryPlan[1], dec: dec}}
	b.ReportAllocs()
	for b.Loop() {
		out := outcome{sel: selection{label: "service_name"}}
		if err := out.collect(results, lk); err != nil || len(out.lines) != 5000 {
			b.Fatalf("%d lines, %v", len(out.lines), err)
		}
	}
}

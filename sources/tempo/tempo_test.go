package tempo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	commonv1 "go.opentelemetry.io/proto/otlp/common/v1"
	resourcev1 "go.opentelemetry.io/proto/otlp/resource/v1"
	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
)

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// newTestClient serves h and returns a client for it with tenant "team-a".
func newTestClient(t testing.TB, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, HTTPClient: srv.Client(), Tenant: "team-a"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// respond writes body with a status and content type.
func respond(w http.ResponseWriter, code int, contentType string, body []byte) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(code)
	w.Write(body)
}

// protobufBody encodes a tempopb.TraceByIDResponse the way Tempo does:
// field 1 the trace (OTLP TracesData wire format), 3 the status, 4 the
// message (pkg/tempopb/tempo.proto).
func protobufBody(t testing.TB, td *tracev1.TracesData, partial bool, message string) []byte {
	t.Helper()
	inner, err := proto.Marshal(td)
	if err != nil {
		t.Fatal(err)
	}
	var b []byte
	b = protowire.AppendTag(b, 1, protowire.BytesType)
	b = protowire.AppendBytes(b, inner)
	b = protowire.AppendTag(b, 2, protowire.BytesType) // metrics, skipped by the decoder
	b = protowire.AppendBytes(b, []byte{0x08, 0x2a})
	if partial {
		b = protowire.AppendTag(b, 3, protowire.VarintType)
		b = protowire.AppendVarint(b, 1)
	}
	if message != "" {
		b = protowire.AppendTag(b, 4, protowire.BytesType)
		b = protowire.AppendString(b, message)
	}
	return b
}

func str(s string) *commonv1.AnyValue {
	return &commonv1.AnyValue{Value: &commonv1.AnyValue_StringValue{StringValue: s}}
}

// shopTrace is a small checkout trace: a server span with two children.
func shopTrace() *tracev1.TracesData {
	tid := []byte{0, 0, 0, 0, 0, 0, 0, 0, 0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03}
	t0 := uint64(time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC).UnixNano())
	span := func(id, parent byte, name string, kind tracev1.Span_SpanKind, startMs, durMs uint64) *tracev1.Span {
		s := &tracev1.Span{
			TraceId: tid, SpanId: []byte{0, 0, 0, 0, 0, 0, 0, id}, Name: name, Kind: kind,
			StartTimeUnixNano: t0 + startMs*1e6, EndTimeUnixNano: t0 + (startMs+durMs)*1e6,
			Attributes: []*commonv1.KeyValue{{Key: "http.route", Value: str("/api/checkout")}},
		}
		if parent != 0 {
			s.ParentSpanId = []byte{0, 0, 0, 0, 0, 0, 0, parent}
		}
		return s
	}
	server := span(1, 0, "POST /api/checkout", tracev1.Span_SPAN_KIND_SERVER, 0, 1200)
	server.Status = &tracev1.Status{Code: tracev1.Status_STATUS_CODE_ERROR, Message: "charge declined"}
	return &tracev1.TracesData{ResourceSpans: []*tracev1.ResourceSpans{
		{
			Resource: &resourcev1.Resource{Attributes: []*commonv1.KeyValue{{Key: "service.name", Value: str("shop")}}},
			ScopeSpans: []*tracev1.ScopeSpans{{Spans: []*tracev1.Span{
				server,
				span(2, 1, "charge-card", tracev1.Span_SPAN_KIND_CLIENT, 100, 1050),
			}}},
		},
		{
			Resource:   &resourcev1.Resource{Attributes: []*commonv1.KeyValue{{Key: "service.name", Value: str("payments")}}},
			ScopeSpans: []*tracev1.ScopeSpans{{Spans: []*tracev1.Span{span(3, 2, "POST /charge", tracev1.Span_SPAN_KIND_SERVER, 110, 1020)}}},
		},
	}}
}

func TestTraceQL(t *testing.T) {
	tests := []struct {
		name  string
		q     trace.Query
		match routeMatch
		want  string
	}{
		{"route and threshold", trace.Query{Service: "shop", Route: "/api/checkout", MinDuration: 500 * time.Millisecond}, byHTTPRoute,
			`{ resource.service.name = "shop" && span.http.route = "/api/checkout" && kind = server && duration >= 500ms }`},
		{"errors only", trace.Query{Service: "shop", Route: "/api/items/{id}", ErrorsOnly: true}, byHTTPRoute,
			`{ resource.service.name = "shop" && span.http.route = "/api/items/{id}" && kind = server && status = error }`},
		{"no route", trace.Query{Service: "shop", MinDuration: 1500 * time.Microsecond}, byHTTPRoute,
			`{ resource.service.name = "shop" && kind = server && duration >= 1500us }`},
		{"by span name", trace.Query{Service: "shop", Route: "/api/items/{id}"}, bySpanName,
			`{ resource.service.name = "shop" && name =~ "^(?:[A-Z]+ )?/api/items/\\{id\\}$" && kind = server }`},
		{"escaping", trace.Query{Service: "a\"b\\c\nd", Route: "/x\"} || true"}, byHTTPRoute,
			`{ resource.service.name = "a\"b\\c\nd" && span.http.route = "/x\"} || true" && kind = server }`},
		{"nanoseconds", trace.Query{Service: "s", MinDuration: 1500 * time.Nanosecond}, byHTTPRoute,
			`{ resource.service.name = "s" && kind = server && duration >= 1500ns }`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := traceQL(tt.q, tt.match); got != tt.want {
				t.Errorf("traceQL =\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}

func TestAddRange(t *testing.T) {
	r := funnel.TimeRange{
		Start: time.Unix(1763755200, 900_000_000),
		End:   time.Unix(1763758800, 1),
	}
	p := url.Values{}
	addRange(p, r)
	if p.Get("start") != "1763755200" || p.Get("end") != "1763758801" {
		t.Errorf("start, end = %s, %s; want 1763755200, 1763758801 (seconds, widened)", p.Get("start"), p.Get("end"))
	}
	p = url.Values{}
	addRange(p, funnel.TimeRange{})
	if len(p) != 0 {
		t.Errorf("zero range set %v", p)
	}
}

func TestFindTracesSendsTheSearch(t *testing.T) {
	r := funnel.TimeRange{Start: time.Unix(1763755200, 0), End: time.Unix(1763758800, 0)}
	q := trace.Query{Service: "shop", Route: "/api/checkout", MinDuration: 500 * time.Millisecond, Range: r, Limit: 50}
	var got *http.Request
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		got = r
		respond(w, 200, "application/json", fixture(t, "search_docs_push.json"))
	})
	res, err := c.FindTraces(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	params := got.URL.Query()
	checks := []struct{ what, got, want string }{
		{"path", got.URL.Path, "/api/search"},
		{"q", params.Get("q"), traceQL(q, byHTTPRoute)},
		{"start", params.Get("start"), "1763755200"},
		{"end", params.Get("end"), "1763758800"},
		{"limit", params.Get("limit"), "50"},
		{"spss", params.Get("spss"), "3"},
		{"X-Scope-OrgID", got.Header.Get("X-Scope-OrgID"), "team-a"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.what, c.got, c.want)
		}
	}
	if len(res.Queries) != 1 || res.Queries[0].Text != params.Get("q") || res.Queries[0].Language != funnel.TraceQL ||
		res.Queries[0].Backend != "tempo" || res.Queries[0].Range != r {
		t.Errorf("recorded queries = %+v", res.Queries)
	}
}

func TestFindTracesDefaultLimit(t *testing.T) {
	var limit, spss string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, spss = r.URL.Query().Get("limit"), r.URL.Query().Get("spss")
		io.WriteString(w, `{"traces":[]}`)
	}))
	defer srv.Close()
	c, err := New(Config{URL: srv.URL, SpansPerSet: 7})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.FindTraces(context.Background(), trace.Query{Service: "shop"}); err != nil {
		t.Fatal(err)
	}
	if limit != "20" || spss != "7" {
		t.Errorf("limit, spss = %s, %s; want 20, 7", limit, spss)
	}
}

func TestFindTracesFixtures(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		fixture    string
		errorsOnly bool
		want       []trace.Summary
		warnings   []string
	}{
		{fixture: "search_docs_push.json", want: []trace.Summary{{
			TraceID: "5b8efff798038103d269b633813fc700", RootService: "my.service", RootName: "I am a span!",
			Start: time.Unix(0, 1694718625557000000), Duration: 10000 * ms, Services: []string{"my.service"},
			MatchedSpanID: "eee19b7ec3c1b100", MatchedDuration: 10 * time.Second,
		}}},
		{fixture: "search_docs_status_error.json", errorsOnly: true, want: []trace.Summary{{
			TraceID: "2f3e0cee77ae5dc9c17ade3689eb2e54", RootService: "shop-backend", RootName: "update-billing",
			Start: time.Unix(0, 1684778327699392724), Duration: 557 * ms, Services: []string{"shop-backend"}, ErrorCount: 1,
			MatchedSpanID: "563d623c76514f8e", MatchedDuration: 446979497,
		}}},
		{fixture: "search_docs_tags.json", want: []trace.Summary{
			{TraceID: "00000000000000001b1ba462b409200d", RootService: "frontend", RootName: "/cart",
				Start: time.Unix(0, 1634727775935000000), Duration: 611 * ms, Services: []string{"frontend"}},
			{TraceID: "0000000000000000d6e9329d67b6146a", RootService: "frontend", RootName: "/cart",
				Start: time.Unix(0, 1634727903545000000), Duration: 611 * ms, Services: []string{"frontend"}},
		}},
		{fixture: "search_edge_cases.json", want: []trace.Summary{
			{TraceID: "00000000000000001b1ba462b409200d", Start: time.Unix(0, 1763755210000000000), Duration: 2100 * ms,
				MatchedSpanID: "007d1f00aa000001", MatchedDuration: 2050 * ms, Completeness: trace.Completeness{Flagged: true}},
			{TraceID: "00a8f3e0cee77ae5dc9c17ade3689eb2", RootService: "shop", RootName: "POST /api/checkout",
				Start: time.Unix(0, 1763755200000000000), Duration: 1480 * ms, SpanCount: 6, ErrorCount: 1,
				Services: []string{"payments", "shop"}, MatchedSpanID: "563d623c76514f8e", MatchedDuration: 1470 * ms},
			{TraceID: "d6e9329d67b6146a5b8efff798038103", RootService: "shop", RootName: "POST /api/checkout",
				Start: time.Unix(0, 1763755220000000000), Duration: 850 * time.Microsecond, Services: []string{"shop"},
				MatchedSpanID: "eee19b7ec3c1b100", MatchedDuration: 850 * time.Microsecond},
		}, warnings: []string{"1 search result(s) had an unreadable trace ID", "1 trace(s) have no root span yet"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				respond(w, 200, "application/json", fixture(t, tt.fixture))
			})
			res, err := c.FindTraces(context.Background(), trace.Query{Service: "shop", ErrorsOnly: tt.errorsOnly})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Traces) != len(tt.want) {
				t.Fatalf("got %d traces, want %d: %+v", len(res.Traces), len(tt.want), res.Traces)
			}
			for i, want := range tt.want {
				got := res.Traces[i]
				if fmt.Sprint(got) != fmt.Sprint(want) || !got.Start.Equal(want.Start) {
					t.Errorf("trace %d =\n%+v\nwant\n%+v", i, got, want)
				}
			}
			if len(res.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings = %q, want %d", res.Warnings, len(tt.warnings))
			}
			for i, w := range tt.warnings {
				if !strings.Contains(res.Warnings[i], w) {
					t.Errorf("warning %q lacks %q", res.Warnings[i], w)
				}
			}
		})
	}
}

func TestFindTracesFallsBackToSpanName(t *testing.T) {
	var queries []string
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query().Get("q")
		queries = append(queries, q)
		if strings.Contains(q, "span.http.route") {
			io.WriteString(w, `{"traces":[],"metrics":{"completedJobs":1,"totalJobs":1}}`)
			return
		}
		respond(w, 200, "application/json", fixture(t, "search_docs_push.json"))
	})
	res, err := c.FindTraces(context.Background(), trace.Query{Service: "my.service", Route: "/span"})
	if err != nil {
		t.Fatal(err)
	}
	if len(queries) != 2 || !strings.Contains(queries[1], `name =~ "^(?:[A-Z]+ )?/span$"`) {
		t.Fatalf("queries sent = %q", queries)
	}
	if len(res.Queries) != 2 || res.Queries[1].Text != queries[1] {
		t.Errorf("recorded queries = %+v", res.Queries)
	}
	if len(res.Traces) != 1 || len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "matched server spans by name") {
		t.Errorf("traces = %+v, warnings = %q", res.Traces, res.Warnings)
	}
}

func TestFindTracesErrors(t *testing.T) {
	tests := []struct {
		name string
		code int
		body string
		want []string
	}{
		// Tempo answers a TraceQL syntax error with 400 and the parser's message.
		{"bad TraceQL", 400, "invalid TraceQL query: parse error at line 1, col 44: syntax error: unexpected IDENTIFIER",
			[]string{"tempo: HTTP 400 Bad Request", "invalid TraceQL query"}},
		{"missing tenant", 401, "no org id", []string{"tempo: HTTP 401 Unauthorized: no org id", "X-Scope-OrgID"}},
		{"malformed JSON", 200, string(fixture(t, "search_docs_status_error_malformed.json")),
			[]string{"tempo: malformed JSON answer from /api/search"}},
		{"overloaded", 503, `{"error":"too many outstanding requests"}`, []string{"tempo: HTTP 503", "too many outstanding requests"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				respond(w, tt.code, "", []byte(tt.body))
			})
			res, err := c.FindTraces(context.Background(), trace.Query{Service: "shop", Route: "/api/checkout"})
			if err == nil {
				t.Fatal("FindTraces succeeded, want an error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			if len(res.Queries) != 1 {
				t.Errorf("a failed search must still record its query, got %+v", res.Queries)
			}
		})
	}
}

// vultureV2 and vultureV1 wrap Tempo's vulture test trace as the v2 and v1
// routes answer it in JSON.
func vultureV2(t testing.TB) []byte {
	return []byte(`{"trace":` + string(fixture(t, "vulture_trace.json")) + `,"metrics":{"inspectedBytes":"19301"}}`)
}

func vultureV1(t testing.TB) []byte {
	return []byte(strings.Replace(string(fixture(t, "vulture_trace.json")), `"resourceSpans":`, `"batches":`, 1))
}

func TestTraceDecodesEveryEncoding(t *testing.T) {
	const vultureID = "3149195ffb0bec05347b48efe8ecc1b0"
	shopID := "00000000000000005b8efff798038103"
	tests := []struct {
		name     string
		id       string
		handler  func(t *testing.T) http.HandlerFunc
		spans    int
		partial  bool
		warnings []string
		accepts  []string
	}{
		{"v2 JSON from the docs", "5b8efff798038103d269b633813fc700", func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				respond(w, 200, "application/json", fixture(t, "v2_trace_docs.json"))
			}
		}, 1, false, nil, []string{acceptProtobuf}},
		{"v2 JSON vulture", vultureID, func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) { respond(w, 200, "application/json", vultureV2(t)) }
		}, 6, false, nil, []string{acceptProtobuf}},
		{"v1 fallback", vultureID, func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if strings.HasPrefix(r.URL.Path, "/api/v2/") {
					http.NotFound(w, r) // "404 page not found": an old Tempo without the route
					return
				}
				respond(w, 200, "application/json", vultureV1(t))
			}
		}, 6, false, nil, []string{acceptProtobuf, acceptProtobuf}},
		{"protobuf", shopID, func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				respond(w, 200, "application/protobuf", protobufBody(t, shopTrace(), false, ""))
			}
		}, 3, false, nil, []string{acceptProtobuf}},
		{"protobuf partial", shopID, func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				respond(w, 200, "application/protobuf", protobufBody(t, shopTrace(), true,
					"Trace exceeds maximum size of 5000000 bytes, a partial trace is returned"))
			}
		}, 3, true, []string{"Tempo returned a partial trace: Trace exceeds maximum size of 5000000 bytes"}, []string{acceptProtobuf}},
		{"JSON partial", "5b8efff798038103d269b633813fc700", func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				body := strings.TrimSuffix(strings.TrimSpace(string(fixture(t, "v2_trace_docs.json"))), "}") +
					`,"status":"PARTIAL","message":"Trace filtered, only a subset of spans matching the filter is returned"}`
				respond(w, 200, "application/json", []byte(body))
			}
		}, 1, true, []string{"partial trace: Trace filtered"}, []string{acceptProtobuf}},
		{"protobuf refused", "5b8efff798038103d269b633813fc700", func(t *testing.T) http.HandlerFunc {
			return func(w http.ResponseWriter, r *http.Request) {
				if r.Header.Get("Accept") == acceptProtobuf {
					respond(w, http.StatusNotAcceptable, "text/plain", []byte("not acceptable"))
					return
				}
				respond(w, 200, "application/json", fixture(t, "v2_trace_docs.json"))
			}
		}, 1, false, nil, []string{acceptProtobuf, acceptJSON}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var accepts []string
			h := tt.handler(t)
			c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
				accepts = append(accepts, r.Header.Get("Accept"))
				if r.Header.Get("X-Scope-OrgID") != "team-a" {
					t.Errorf("X-Scope-OrgID = %q", r.Header.Get("X-Scope-OrgID"))
				}
				h(w, r)
			})
			tr, err := c.Trace(context.Background(), tt.id, funnel.TimeRange{})
			if err != nil {
				t.Fatal(err)
			}
			if len(tr.Spans) != tt.spans || tr.Partial != tt.partial || tr.ID != trace.NormalizeTraceID(tt.id) {
				t.Errorf("got %d spans, partial %v, ID %s; want %d, %v", len(tr.Spans), tr.Partial, tr.ID, tt.spans, tt.partial)
			}
			for _, s := range tr.Spans {
				if len(s.TraceID) != 32 || len(s.SpanID) != 16 || s.TraceID != tr.ID {
					t.Errorf("span IDs not normalised: %q %q", s.TraceID, s.SpanID)
				}
			}
			if len(tr.Warnings) != len(tt.warnings) {
				t.Fatalf("warnings = %q, want %q", tr.Warnings, tt.warnings)
			}
			for i, w := range tt.warnings {
				if !strings.Contains(tr.Warnings[i], w) {
					t.Errorf("warning %q lacks %q", tr.Warnings[i], w)
				}
			}
			if !slices.Equal(accepts, tt.accepts) {
				t.Errorf("Accept headers sent = %q, want %q", accepts, tt.accepts)
			}
		})
	}
}

func TestTraceFromTheDocs(t *testing.T) {
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		respond(w, 200, "application/json", fixture(t, "v2_trace_docs.json"))
	})
	tr, err := c.Trace(context.Background(), "5B8EFFF798038103D269B633813FC700", funnel.TimeRange{})
	if err != nil {
		t.Fatal(err)
	}
	s := tr.Spans[0]
	want := trace.Span{
		TraceID: "5b8efff798038103d269b633813fc700", SpanID: "eee19b7ec3c1b100", Service: "my.service",
		Name: "I am a span!", Kind: trace.KindServer, Start: time.Unix(0, 1689969302000000000),
		Duration:   698 * time.Second,
		Attributes: []trace.Attr{{Key: "my.span.attr", Value: "some value"}, {Key: "otel.scope.name", Value: "my.library"}, {Key: "otel.scope.version", Value: "1.0.0"}},
		Resource:   []trace.Attr{{Key: "service.name", Value: "my.service"}},
	}
	if fmt.Sprint(s) != fmt.Sprint(want) || !s.Start.Equal(want.Start) {
		t.Errorf("span =\n%+v\nwant\n%+v", s, want)
	}
	if len(tr.Queries) != 1 || tr.Queries[0].Text != `{ trace:id = "5b8efff798038103d269b633813fc700" }` {
		t.Errorf("queries = %+v", tr.Queries)
	}
}

func TestTraceVultureTree(t *testing.T) {
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) { respond(w, 200, "application/json", vultureV2(t)) })
	tr, err := c.Trace(context.Background(), "3149195ffb0bec05347b48efe8ecc1b0", funnel.TimeRange{})
	if err != nil {
		t.Fatal(err)
	}
	tree := trace.Build(tr)
	if len(tree.Roots) != 2 {
		t.Errorf("roots = %d, want 2 (one per vulture batch)", len(tree.Roots))
	}
	for _, n := range tree.Nodes {
		if n.Orphan || n.Duplicate {
			t.Errorf("span %s orphan=%v duplicate=%v", n.Span.SpanID, n.Orphan, n.Duplicate)
		}
	}
	byID := map[string]trace.Span{}
	for _, s := range tr.Spans {
		byID[s.SpanID] = s
	}
	leaf := byID["04b1672edf34433d"] // leading zero kept
	if leaf.ParentID != "23483ddcaf958888" || leaf.Duration != 84*time.Microsecond || len(leaf.Events) != 3 {
		t.Errorf("span 04b1672edf34433d = %+v", leaf)
	}
	root := byID["4b23de25d1fb6641"]
	if v, _ := root.Attr("vulture-process-int-01"); v != "164005" {
		t.Errorf("resource int attribute = %q, want 164005", v)
	}
}

func TestTraceErrors(t *testing.T) {
	truncated := protobufBody(t, shopTrace(), false, "")
	truncated = truncated[:len(truncated)/2]
	r := funnel.TimeRange{Start: time.Unix(1763755200, 0), End: time.Unix(1763758800, 0)}
	tests := []struct {
		name    string
		id      string
		r       funnel.TimeRange
		handler http.HandlerFunc
		want    string
	}{
		{"not found", "5b8efff798038103d269b633813fc700", funnel.TimeRange{}, func(w http.ResponseWriter, r *http.Request) {
			respond(w, 404, "", nil)
		}, "tempo: trace 5b8efff798038103d269b633813fc700 not found"},
		{"empty v2 answer", "5b8efff798038103d269b633813fc700", r, func(w http.ResponseWriter, r *http.Request) {
			respond(w, 200, "application/json", []byte(`{"trace":{},"metrics":{}}`))
		}, "tempo: trace 5b8efff798038103d269b633813fc700 not found in 2025-11-21 20:00:00 – 21:00:00 UTC"},
		{"empty protobuf", "5b8efff798038103d269b633813fc700", funnel.TimeRange{}, func(w http.ResponseWriter, r *http.Request) {
			respond(w, 200, "application/protobuf", nil)
		}, "not found"},
		{"truncated protobuf", "5b8efff798038103", funnel.TimeRange{}, func(w http.ResponseWriter, r *http.Request) {
			respond(w, 200, "application/protobuf", truncated)
		}, "tempo: cannot read trace 00000000000000005b8efff798038103: truncated or malformed protobuf"},
		{"malformed JSON", "5b8efff798038103", funnel.TimeRange{}, func(w http.ResponseWriter, r *http.Request) {
			respond(w, 200, "application/json", []byte(`{"trace":{"resourceSpans":[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"soon"}]}]}]}}`))
		}, "tempo: cannot read trace 00000000000000005b8efff798038103: malformed JSON"},
		{"too large", "5b8efff798038103", funnel.TimeRange{}, func(w http.ResponseWriter, r *http.Request) {
			respond(w, 422, "", []byte("trace exceeds max size (max bytes: 5000000)"))
		}, "tempo: HTTP 422 Unprocessable Entity: trace exceeds max size"},
		{"unauthorized", "5b8efff798038103", funnel.TimeRange{}, func(w http.ResponseWriter, r *http.Request) {
			respond(w, 401, "", []byte("no org id"))
		}, "tempo: HTTP 401 Unauthorized: no org id"},
		{"not an ID", "trace-xyz", funnel.TimeRange{}, func(w http.ResponseWriter, r *http.Request) {
			t.Error("no request expected")
		}, `tempo: "trace-xyz" is not a trace ID`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.handler)
			tr, err := c.Trace(context.Background(), tt.id, tt.r)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Trace = %+v, %v; want error containing %q", tr, err, tt.want)
			}
			missing := map[string]bool{"not found": true, "empty v2 answer": true, "empty protobuf": true}[tt.name]
			if errors.Is(err, trace.ErrNotFound) != missing {
				t.Errorf("errors.Is(%v, trace.ErrNotFound) = %t, want %t", err, !missing, missing)
			}
		})
	}
}

func TestTraceSendsRangeInSeconds(t *testing.T) {
	var got url.Values
	c := newTestClient(t, func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()
		respond(w, 200, "application/protobuf", protobufBody(t, shopTrace(), false, ""))
	})
	r := funnel.TimeRange{Start: time.Unix(1763755200, 0), End: time.Unix(1763758800, 0)}
	if _, err := c.Trace(context.Background(), "5b8efff798038103", r); err != nil {
		t.Fatal(err)
	}
	if got.Get("start") != "1763755200" || got.Get("end") != "1763758800" {
		t.Errorf("params = %v", got)
	}
}

func TestPing(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		want    string
		wantErr string
	}{
		{"ready", func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/ready":
				io.WriteString(w, "ready")
			case "/api/status/buildinfo":
				io.WriteString(w, `{"version":"v2.7.1","revision":"0a2c3b1","branch":"HEAD","buildUser":"","buildDate":"","goVersion":"go1.23.4"}`)
			default:
				http.NotFound(w, r)
			}
		}, "v2.7.1 (revision 0a2c3b1)", ""},
		{"starting", func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "Ingester not ready: waiting for 15s after being ready", http.StatusServiceUnavailable)
		}, "", "tempo: HTTP 503 Service Unavailable: Ingester not ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, tt.handler)
			info, err := c.Ping(context.Background())
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Ping error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || info.Version != tt.want || len(info.Notes) != 1 {
				t.Fatalf("Ping = %+v, %v", info, err)
			}
		})
	}
}

func TestNewRejectsBadURL(t *testing.T) {
	if _, err := New(Config{URL: "127.0.0.1:3200"}); err == nil || !strings.HasPrefix(err.Error(), "tempo: ") {
		t.Fatalf("New error = %v", err)
	}
}

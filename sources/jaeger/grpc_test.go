package jaeger

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	model "github.com/jaegertracing/jaeger-idl/model/v1"
	"github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/budget"
)

// fakeQuery is an in-process api_v2 query service with scripted answers.
type fakeQuery struct {
	api_v2.UnimplementedQueryServiceServer
	chunks     [][]model.Span // FindTraces and GetTrace answers, one chunk per message
	operations []string
	services   []string
	err        error // returned by every call when set
	block      bool  // send the first chunk, then wait for the client to go away

	mu       sync.Mutex
	find     *api_v2.TraceQueryParameters
	getTrace *api_v2.GetTraceRequest
	md       metadata.MD
}

func (f *fakeQuery) record(ctx context.Context) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.md, _ = metadata.FromIncomingContext(ctx)
}

func (f *fakeQuery) stream(send func(*api_v2.SpansResponseChunk) error, ctx context.Context) error {
	if f.err != nil {
		return f.err
	}
	for i, c := range f.chunks {
		if err := send(&api_v2.SpansResponseChunk{Spans: c}); err != nil {
			return err
		}
		if f.block && i == 0 {
			<-ctx.Done()
			return ctx.Err()
		}
	}
	return nil
}

func (f *fakeQuery) FindTraces(req *api_v2.FindTracesRequest, srv api_v2.QueryService_FindTracesServer) error {
	f.record(srv.Context())
	f.mu.Lock()
	f.find = req.Query
	f.mu.Unlock()
	return f.stream(srv.Send, srv.Context())
}

func (f *fakeQuery) GetTrace(req *api_v2.GetTraceRequest, srv api_v2.QueryService_GetTraceServer) error {
	f.record(srv.Context())
	f.mu.Lock()
	f.getTrace = req
	f.mu.Unlock()
	return f.stream(srv.Send, srv.Context())
}

func (f *fakeQuery) GetOperations(ctx context.Context, req *api_v2.GetOperationsRequest) (*api_v2.GetOperationsResponse, error) {
	f.record(ctx)
	if f.err != nil {
		return nil, f.err
	}
	resp := &api_v2.GetOperationsResponse{}
	for _, op := range f.operations {
		resp.Operations = append(resp.Operations, &api_v2.Operation{Name: op, SpanKind: req.SpanKind})
	}
	return resp, nil
}

func (f *fakeQuery) GetServices(ctx context.Context, _ *api_v2.GetServicesRequest) (*api_v2.GetServicesResponse, error) {
	f.record(ctx)
	if f.err != nil {
		return nil, f.err
	}
	return &api_v2.GetServicesResponse{Services: f.services}, nil
}

// serveGRPC runs f on 127.0.0.1:0 and returns a client for it.
func serveGRPC(t *testing.T, f *fakeQuery) *Client {
	t.Helper()
	return serveGRPCWith(t, f, func(*Config) {})
}

// serveGRPCWith is serveGRPC with the client's config adjusted by set.
func serveGRPCWith(t *testing.T, f *fakeQuery, set func(*Config)) *Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.ForceServerCodecV2(gogoCodec{}))
	api_v2.RegisterQueryServiceServer(srv, f)
	go srv.Serve(ln)
	cfg := Config{GRPCAddr: ln.Addr().String(), Tenant: "team-a", Token: "s3cret"}
	set(&cfg)
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c.Close()
		srv.Stop()
	})
	return c
}

var t0 = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

// mspan builds an api_v2 span; parent 0 makes a root.
func mspan(tid model.TraceID, id, parent uint64, service, op, kind string, startMs, durMs int, tags ...model.KeyValue) model.Span {
	s := model.Span{
		TraceID:       tid,
		SpanID:        model.SpanID(id),
		OperationName: op,
		StartTime:     t0.Add(time.Duration(startMs) * time.Millisecond),
		Duration:      time.Duration(durMs) * time.Millisecond,
		Tags:          append([]model.KeyValue{model.String("span.kind", kind)}, tags...),
		Process:       &model.Process{ServiceName: service, Tags: []model.KeyValue{model.String("host.name", "node-1")}},
	}
	if parent != 0 {
		s.References = []model.SpanRef{model.NewChildOfRef(tid, model.SpanID(parent))}
	}
	return s
}

var (
	traceA = model.TraceID{High: 0x4bf92f3577b34da6, Low: 0xa3ce929d0e0e4736}
	traceB = model.TraceID{Low: 0x0af7651916cd43dd} // 64-bit ID: prints as 16 hex characters
	traceC = model.TraceID{High: 0x00f067aa0ba902b7, Low: 0xa3ce929d0e0e4736}
)

// checkoutChunks are three checkout traces, their spans interleaved across
// chunks as Jaeger's stream may deliver them.
func checkoutChunks() [][]model.Span {
	route := model.String("http.route", "/api/checkout")
	return [][]model.Span{
		{
			mspan(traceA, 1, 0, "shop", "POST /api/checkout", "server", 0, 1210, route),
			mspan(traceB, 1, 0, "shop", "POST /api/checkout", "server", 5000, 640, route,
				model.String("otel.status_code", "ERROR"), model.String("otel.status_description", "payment declined")),
			mspan(traceA, 2, 1, "shop", "charge-card", "client", 20, 1150),
		},
		{
			mspan(traceC, 1, 0, "shop", "POST /api/checkout", "server", 9000, 980, route),
			mspan(traceB, 2, 1, "shop", "charge-card", "client", 5010, 600, model.Bool("error", true)),
			mspan(traceA, 3, 2, "payments", "POST /charge", "server", 25, 1140),
		},
	}
}

func TestGRPCFindTracesSlowestFirst(t *testing.T) {
	f := &fakeQuery{chunks: checkoutChunks(), operations: []string{"GET /api/cart", "POST /api/checkout", "GET /api/items/{id}"}}
	c := serveGRPC(t, f)
	r := funnel.TimeRange{Start: t0.Add(-time.Hour), End: t0.Add(time.Hour)}
	res, err := c.FindTraces(context.Background(), trace.Query{
		Service: "shop", Route: "/api/checkout", MinDuration: 500 * time.Millisecond, Range: r,
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		id       string
		matched  time.Duration
		spans    int
		errors   int
		services string
	}{
		{"4bf92f3577b34da6a3ce929d0e0e4736", 1210 * time.Millisecond, 3, 0, "payments,shop"},
		{"00f067aa0ba902b7a3ce929d0e0e4736", 980 * time.Millisecond, 1, 0, "shop"},
		{"00000000000000000af7651916cd43dd", 640 * time.Millisecond, 2, 2, "shop"},
	}
	if len(res.Traces) != len(want) {
		t.Fatalf("got %d traces: %+v", len(res.Traces), res.Traces)
	}
	for i, w := range want {
		got := res.Traces[i]
		if got.TraceID != w.id || got.MatchedDuration != w.matched || got.SpanCount != w.spans ||
			got.ErrorCount != w.errors || strings.Join(got.Services, ",") != w.services ||
			got.RootService != "shop" || got.RootName != "POST /api/checkout" || got.MatchedSpanID != "0000000000000001" {
			t.Errorf("trace %d = %+v, want %+v", i, got, w)
		}
	}
	if res.Traces[0].Duration != 1210*time.Millisecond || !res.Traces[0].Start.Equal(t0) {
		t.Errorf("trace 0 spans %v from %v", res.Traces[0].Duration, res.Traces[0].Start)
	}
	q := f.find
	if q.ServiceName != "shop" || q.OperationName != "POST /api/checkout" || q.DurationMin != 500*time.Millisecond ||
		q.SearchDepth != DefaultLimit || !q.StartTimeMin.Equal(r.Start) || !q.StartTimeMax.Equal(r.End) || len(q.Tags) != 0 {
		t.Errorf("FindTraces sent %+v", q)
	}
	if got := f.md.Get("x-scope-orgid"); len(got) != 1 || got[0] != "team-a" {
		t.Errorf("x-scope-orgid = %q", got)
	}
	if got := f.md.Get("authorization"); len(got) != 1 || got[0] != "Bearer s3cret" {
		t.Errorf("authorization = %q", got)
	}
	wantText := `service=shop operation="POST /api/checkout" minDuration=500ms limit=20`
	if len(res.Queries) != 1 || res.Queries[0].Text != wantText || res.Queries[0].Language != funnel.JaegerQuery || res.Queries[0].Range != r {
		t.Errorf("queries = %+v, want text %s", res.Queries, wantText)
	}
}

func TestGRPCFindTracesRouteByTag(t *testing.T) {
	route := model.String("http.route", "/api/items/{id}")
	other := model.TraceID{Low: 0x99}
	f := &fakeQuery{
		operations: []string{"GET /api/items/{id}", "DELETE /api/items/{id}"}, // two methods: no single operation
		chunks: [][]model.Span{{
			mspan(traceA, 1, 0, "shop", "GET /api/items/{id}", "server", 0, 30, route, model.Bool("error", true)),
			mspan(other, 1, 0, "shop", "GET /api/cart", "server", 0, 90), // gateway ignored the tag: filtered here
		}},
	}
	c := serveGRPC(t, f)
	res, err := c.FindTraces(context.Background(), trace.Query{Service: "shop", Route: "/api/items/{id}", ErrorsOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	if f.find.OperationName != "" || f.find.Tags["http.route"] != "/api/items/{id}" || len(f.find.Tags) != 1 || f.find.SearchDepth != 200 {
		t.Errorf("FindTraces sent %+v", f.find)
	}
	if len(res.Traces) != 1 || res.Traces[0].TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || res.Traces[0].ErrorCount != 1 {
		t.Errorf("traces = %+v", res.Traces)
	}
	if want := `service=shop tag:http.route=/api/items/{id} limit=200 (failing traces picked by redline)`; res.Queries[0].Text != want {
		t.Errorf("query text = %s, want %s", res.Queries[0].Text, want)
	}
	if d := f.find.StartTimeMax.Sub(f.find.StartTimeMin); d != DefaultLookback {
		t.Errorf("default window = %v, want %v", d, DefaultLookback)
	}
}

func TestRouteOperation(t *testing.T) {
	tests := []struct {
		ops   []string
		route string
		want  string
	}{
		{[]string{"GET /api/cart", "POST /api/checkout"}, "/api/checkout", "POST /api/checkout"},
		{[]string{"/api/checkout", "GET /api/cart"}, "/api/checkout", "/api/checkout"},
		{[]string{"GET /api/items/{id}", "DELETE /api/items/{id}"}, "/api/items/{id}", ""},
		{[]string{"HTTP POST /api/checkout/"}, "/api/checkout", "HTTP POST /api/checkout/"},
		{[]string{"GET /api/checkout/items", "POST /api/checkout/pay"}, "/api/checkout", ""},
		{nil, "/api/checkout", ""},
		{[]string{"post /api/checkout"}, "/api/checkout", "post /api/checkout"}, // via contains
	}
	for _, tt := range tests {
		if got := routeOperation(tt.ops, tt.route); got != tt.want {
			t.Errorf("routeOperation(%q, %q) = %q, want %q", tt.ops, tt.route, got, tt.want)
		}
	}
}

func TestGRPCTraceConvertsSpans(t *testing.T) {
	server := mspan(traceB, 0x0a, 0, "shop", "POST /api/checkout", "server", 0, 700,
		model.String("otel.status_code", "ERROR"), model.String("otel.status_description", "payment declined"),
		model.Int64("http.response.status_code", 500))
	server.Logs = []model.Log{{Timestamp: t0.Add(5 * time.Millisecond), Fields: []model.KeyValue{
		model.String("event", "exception"), model.String("exception.message", "card declined"),
	}}}
	client := mspan(traceB, 0x0b, 0x0a, "shop", "charge-card", "client", 10, 650, model.Bool("error", true))
	client.References = append(client.References, model.NewFollowsFromRef(traceA, model.SpanID(7)))
	f := &fakeQuery{chunks: [][]model.Span{{server}, {client}}}
	c := serveGRPC(t, f)
	r := funnel.TimeRange{Start: t0.Add(-time.Minute), End: t0.Add(time.Minute)}
	tr, err := c.Trace(context.Background(), "0AF7651916CD43DD", r)
	if err != nil {
		t.Fatal(err)
	}
	if tr.ID != "00000000000000000af7651916cd43dd" || len(tr.Spans) != 2 {
		t.Fatalf("trace %s with %d spans", tr.ID, len(tr.Spans))
	}
	if f.getTrace.TraceID != traceB || !f.getTrace.StartTime.Equal(r.Start) || !f.getTrace.EndTime.Equal(r.End) {
		t.Errorf("GetTrace sent %+v", f.getTrace)
	}
	s, cl := tr.Spans[0], tr.Spans[1]
	if s.TraceID != tr.ID || s.SpanID != "000000000000000a" || s.ParentID != "" || s.Kind != trace.KindServer ||
		s.Status != trace.StatusError || s.StatusMessage != "payment declined" || s.Service != "shop" || s.Duration != 700*time.Millisecond {
		t.Errorf("server span = %+v", s)
	}
	if v, _ := s.Attr("http.response.status_code"); v != "500" {
		t.Errorf("int tag = %q", v)
	}
	if v, _ := s.Attr("host.name"); v != "node-1" {
		t.Errorf("process tag = %q", v)
	}
	if _, ok := s.Attr("span.kind"); ok {
		t.Error("span.kind kept as an attribute")
	}
	if len(s.Events) != 1 || s.Events[0].Name != "exception" || len(s.Events[0].Attributes) != 1 || !s.Events[0].Time.Equal(t0.Add(5*time.Millisecond)) {
		t.Errorf("events = %+v", s.Events)
	}
	if cl.ParentID != "000000000000000a" || cl.Kind != trace.KindClient || cl.Status != trace.StatusError ||
		len(cl.Links) != 1 || cl.Links[0].TraceID != "4bf92f3577b34da6a3ce929d0e0e4736" || cl.Links[0].SpanID != "0000000000000007" {
		t.Errorf("client span = %+v", cl)
	}
	if want := "traceID=00000000000000000af7651916cd43dd"; len(tr.Queries) != 1 || tr.Queries[0].Text != want {
		t.Errorf("queries = %+v", tr.Queries)
	}
}

func TestGRPCErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		call func(*Client) error
		want string
	}{
		{"trace not found", status.Error(codes.NotFound, "trace not found"), func(c *Client) error {
			_, err := c.Trace(context.Background(), "4bf92f3577b34da6a3ce929d0e0e4736", funnel.TimeRange{})
			return err
		}, "jaeger: trace 4bf92f3577b34da6a3ce929d0e0e4736 not found"},
		{"unauthenticated", status.Error(codes.Unauthenticated, "missing tenant header"), func(c *Client) error {
			_, err := c.Ping(context.Background())
			return err
		}, "jaeger: credentials rejected by 127.0.0.1:"},
		{"unimplemented", nil, func(c *Client) error {
			_, err := c.t.(*grpcTransport).api.GetDependencies(context.Background(), &api_v2.GetDependenciesRequest{})
			return c.t.(*grpcTransport).describe(context.Background(), err)
		}, "does not serve the api_v2 query service"},
		{"server deadline", status.Error(codes.DeadlineExceeded, "storage timeout"), func(c *Client) error {
			_, err := c.FindTraces(context.Background(), trace.Query{Service: "shop"})
			return err
		}, "jaeger: timed out waiting for 127.0.0.1:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := serveGRPC(t, &fakeQuery{err: tt.err})
			err := tt.call(c)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want %q", err, tt.want)
			}
			if missing := tt.name == "trace not found"; errors.Is(err, trace.ErrNotFound) != missing {
				t.Errorf("errors.Is(%v, trace.ErrNotFound) = %t, want %t", err, !missing, missing)
			}
		})
	}
}

func TestGRPCUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(Config{GRPCAddr: addr})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err = c.Ping(ctx)
	want := "jaeger: unreachable at " + addr + " (connection refused"
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("Ping error = %v, want %q", err, want)
	}
}

func TestGRPCSlowStreamCancelled(t *testing.T) {
	f := &fakeQuery{chunks: checkoutChunks(), block: true}
	c := serveGRPC(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	_, err := c.FindTraces(ctx, trace.Query{Service: "shop"})
	if err == nil || !strings.Contains(err.Error(), "jaeger: timed out") {
		t.Fatalf("error = %v, want a timeout", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	go func() {
		time.Sleep(20 * time.Millisecond)
		cancel()
	}()
	_, err = c.Trace(ctx, "4bf92f3577b34da6a3ce929d0e0e4736", funnel.TimeRange{})
	if err == nil || !strings.Contains(err.Error(), "jaeger: request cancelled") {
		t.Fatalf("error = %v, want cancelled", err)
	}
}

// TestGRPCTimeoutBoundsEachCall: the endpoint's timeout is a deadline on
// every call, even when the caller's context has none.
func TestGRPCTimeoutBoundsEachCall(t *testing.T) {
	f := &fakeQuery{chunks: checkoutChunks(), block: true}
	c := serveGRPCWith(t, f, func(cfg *Config) { cfg.Timeout = 100 * time.Millisecond })
	_, err := c.FindTraces(context.Background(), trace.Query{Service: "shop"})
	if err == nil || !strings.Contains(err.Error(), "jaeger: timed out") {
		t.Fatalf("error = %v, want a timeout", err)
	}
}

func TestGRPCPing(t *testing.T) {
	c := serveGRPC(t, &fakeQuery{services: []string{"shop", "payments", "jaeger"}})
	info, err := c.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(info.Endpoint, "grpc://127.0.0.1:") || len(info.Notes) != 1 || info.Notes[0] != "3 services: jaeger, payments, shop" {
		t.Errorf("info = %+v", info)
	}
}

func TestNewConfigErrors(t *testing.T) {
	for _, cfg := range []Config{{}, {GRPCAddr: "http://127.0.0.1:16685"}, {HTTPURL: "127.0.0.1:16686"}} {
		if _, err := New(cfg); err == nil || !strings.HasPrefix(err.Error(), "jaeger: ") {
			t.Errorf("New(%+v) error = %v", cfg, err)
		}
	}
}

// TestGRPCStreamCappedInTotal: a stream of chunks each under the
// per-message cap is refused once the chunks together pass MaxBody, names
// the cap, and gives its bytes back to the shared budget.
func TestGRPCStreamCappedInTotal(t *testing.T) {
	blob := model.String("blob", strings.Repeat("x", 600<<10))
	chunks := make([][]model.Span, 20) // 20 × 600 KiB, each under the 1 MiB message cap
	for i := range chunks {
		chunks[i] = []model.Span{mspan(traceA, uint64(i+1), 0, "shop", "GET /", "server", i, 1, blob)}
	}
	shared := budget.New(8 << 20)
	c := serveGRPCWith(t, &fakeQuery{chunks: chunks}, func(cfg *Config) {
		cfg.MaxBody = 1 << 20
		cfg.Budget = shared
	})
	_, err := c.Trace(context.Background(), traceA.String(), funnel.TimeRange{})
	if err == nil {
		t.Fatal("a 12 MiB stream was accepted with MaxBody at 1 MiB")
	}
	for _, want := range []string{"jaeger: answer too large", "larger than 1 MiB", "max_response_bytes"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if n := shared.InUse(); n != 0 {
		t.Errorf("%d bytes of the budget still held after the call", n)
	}
}

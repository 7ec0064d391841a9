package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gogoproto "github.com/gogo/protobuf/proto"
	model "github.com/jaegertracing/jaeger-idl/model/v1"
	"github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"
	"go.uber.org/goleak"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/sources/jaeger"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// grpcFault is one way Jaeger's gRPC query service fails.
type grpcFault struct {
	name         string
	err          error // returned by every call while the fault is on
	oversized    bool  // answers with a message above the client's cap
	longStream   bool  // answers with many messages, each under the cap, together over it
	refuse       bool  // nothing listens on the address
	untrustedTLS bool  // the server presents a certificate the client does not trust
	hang         bool  // accepts every call and never answers
	echo         bool  // rejects the call, repeating its token with hostile control characters
	want         []string
}

// grpcFaults are the faults of the fault matrix that exist over gRPC:
// statuses standing for HTTP's 500, 503, 429, 401 and 403, an answer over
// the size cap, refused connections, an unknown certificate authority and
// a server that never answers, and a rejection that echoes the client's token.
var grpcFaults = []grpcFault{
	{name: "connection refused", refuse: true, want: []string{"connection refused"}},
	{name: "internal", err: status.Error(codes.Internal, "index corrupt"), want: []string{"Internal", "index corrupt"}},
	{name: "unavailable", err: status.Error(codes.Unavailable, "ingester not ready"), want: []string{"unreachable", "ingester not ready"}},
	{name: "rate limited", err: status.Error(codes.ResourceExhausted, "too many outstanding requests"), want: []string{"rate limited", "too many outstanding requests"}},
	{name: "unauthenticated", err: status.Error(codes.Unauthenticated, "no token"), want: []string{"credentials rejected"}},
	{name: "permission denied", err: status.Error(codes.PermissionDenied, "tenant closed"), want: []string{"permission denied"}},
	{name: "oversized answer", oversized: true, want: []string{"too large"}},
	{name: "stream over the cap", longStream: true, want: []string{"too large", "larger than 1 MiB"}},
	// GetOperations hangs until the step's deadline; the search is then not sent.
	{name: "hang", hang: true, want: []string{"timed out", "not sent"}},
	{name: "TLS unknown CA", untrustedTLS: true, want: []string{"unknown authority"}},
	{name: "unauthenticated echoing the token", echo: true, want: []string{"credentials rejected"}},
}

// TestFaultMatrixJaegerGRPC is TestFaultMatrix for Jaeger's gRPC query
// service (api_v2).
func TestFaultMatrixJaegerGRPC(t *testing.T) {
	for _, f := range grpcFaults {
		t.Run(f.name, func(t *testing.T) { runGRPCFault(t, f) })
	}
}

func runGRPCFault(t *testing.T, f grpcFault) {
	leaks := goleak.IgnoreCurrent()
	t.Cleanup(func() { goleak.VerifyNone(t, leaks) })
	server := newQueryServer(t, f.untrustedTLS)
	src := demo.New(demo.Options{Seed: 1, Now: fixedNow})
	opts := ui.Options{Sources: ui.Sources{Metrics: src, Logs: src}, Now: fixedNow, Context: "faults", Ticker: uitest.NeverTick, Secrets: faultSecrets()}
	c, err := jaeger.New(jaeger.Config{GRPCAddr: server.addr, TLS: server.clientTLS(), MaxBody: bodyCap, Timeout: clientTimeout, Token: faultAPIKey})
	failOn(t, err)
	t.Cleanup(func() { c.Close() })
	opts.Traces = c
	d := uitest.New(t, ui.New(opts), 160, 48)
	d.Keys("enter")
	before := screen(d)

	server.set(t, &f)
	d.Keys("enter")
	failing := screen(d)
	assertNamesCause(t, "the failing pane", screenBody(failing), "jaeger", f.want)
	assertNoLeak(t, "the failing screen", failing)
	assertStatus(t, failing, "jaeger", "✖")

	d.Keys("esc")
	if back := screen(d); screenWithoutStatus(back) != screenWithoutStatus(before) {
		t.Errorf("the pane before changed after the failure:\nbefore:\n%s\nafter:\n%s", before, back)
	}

	d.Keys("enter")
	server.set(t, nil)
	d.Keys("r")
	recovered := screen(d)
	if !strings.Contains(screenBody(recovered), healthyTraceID[:8]) || strings.Contains(screenBody(recovered), "✖ ") {
		t.Errorf("no recovery after the fault cleared:\n%s", recovered)
	}
	assertStatus(t, recovered, "jaeger", "✔")
}

// queryServer is an in-process api_v2 query service whose answers a fault
// can replace, on an address that can stop listening.
type queryServer struct {
	api_v2.UnimplementedQueryServiceServer
	addr    string
	useTLS  bool
	trusted tls.Certificate
	rogue   tls.Certificate
	current atomic.Pointer[grpcFault]

	mu  sync.Mutex
	srv *grpc.Server // nil while refusing
}

func newQueryServer(t *testing.T, useTLS bool) *queryServer {
	t.Helper()
	s := &queryServer{useTLS: useTLS, trusted: selfSigned(t), rogue: selfSigned(t)}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.serve(ln)
	t.Cleanup(func() { s.stop() })
	return s
}

func (s *queryServer) serve(ln net.Listener) {
	opts := []grpc.ServerOption{grpc.ForceServerCodecV2(serverGogoCodec{})}
	if s.useTLS {
		opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{GetCertificate: s.certificate})))
	}
	srv := grpc.NewServer(opts...)
	api_v2.RegisterQueryServiceServer(srv, s)
	s.mu.Lock()
	s.srv = srv
	s.mu.Unlock()
	go srv.Serve(ln)
}

func (s *queryServer) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		srv.Stop()
	}
}

// clientTLS is the client's TLS configuration, trusting only the normal
// certificate; nil when the server speaks plaintext.
func (s *queryServer) clientTLS() *tls.Config {
	if !s.useTLS {
		return nil
	}
	roots := x509.NewCertPool()
	roots.AddCert(s.trusted.Leaf)
	return &tls.Config{RootCAs: roots}
}

func (s *queryServer) certificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if f := s.current.Load(); f != nil && f.untrustedTLS {
		return &s.rogue, nil
	}
	return &s.trusted, nil
}

// set turns f on; nil makes the server healthy again.
func (s *queryServer) set(t *testing.T, f *grpcFault) {
	t.Helper()
	s.current.Store(f)
	s.mu.Lock()
	running := s.srv != nil
	s.mu.Unlock()
	switch {
	case f != nil && f.refuse && running:
		s.stop()
	case (f == nil || !f.refuse) && !running:
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			t.Fatalf("listening again on %s: %v", s.addr, err)
		}
		s.serve(ln)
	}
}

// fault is the error of the fault on, if any; a hanging fault waits for
// the client to give up first, an echoing one repeats the call's token.
func (s *queryServer) fault(ctx context.Context) error {
	f := s.current.Load()
	switch {
	case f == nil:
		return nil
	case f.hang:
		<-ctx.Done()
		return ctx.Err()
	case f.echo:
		md, _ := metadata.FromIncomingContext(ctx)
		return status.Errorf(codes.Unauthenticated, "rejected: authorization %q %s", md.Get("authorization"), hostileTail)
	}
	return f.err
}

// FindTraces answers one trace whose server span is the route asked for.
func (s *queryServer) FindTraces(req *api_v2.FindTracesRequest, stream api_v2.QueryService_FindTracesServer) error {
	if err := s.fault(stream.Context()); err != nil {
		return err
	}
	q := req.GetQuery()
	route := q.Tags["http.route"]
	span := model.Span{
		TraceID: model.TraceID{High: 0x4bf92f3577b34da6, Low: 0xa3ce929d0e0e4736}, SpanID: 0x00f067aa0ba902b7,
		OperationName: "GET " + route, StartTime: clock.Add(-time.Minute), Duration: 1234 * time.Millisecond,
		Tags:    []model.KeyValue{model.String("span.kind", "server"), model.String("http.route", route)},
		Process: &model.Process{ServiceName: q.ServiceName},
	}
	f := s.current.Load()
	if f != nil && f.oversized {
		span.Tags = append(span.Tags, model.String("padding", strings.Repeat("x", 2*bodyCap)))
	}
	if f == nil || !f.longStream {
		return stream.Send(&api_v2.SpansResponseChunk{Spans: []model.Span{span}})
	}
	span.Tags = append(span.Tags, model.String("padding", strings.Repeat("x", bodyCap/2)))
	for range 20 { // 10 MiB in messages of half a MiB
		if err := stream.Send(&api_v2.SpansResponseChunk{Spans: []model.Span{span}}); err != nil {
			return err
		}
	}
	return nil
}

// GetOperations lists none, so the route is matched by its http.route tag.
func (s *queryServer) GetOperations(ctx context.Context, _ *api_v2.GetOperationsRequest) (*api_v2.GetOperationsResponse, error) {
	if err := s.fault(ctx); err != nil {
		return nil, err
	}
	return &api_v2.GetOperationsResponse{}, nil
}

// serverGogoCodec is the server side of sources/jaeger's codec: api_v2
// messages are gogo-generated.
type serverGogoCodec struct{}

func (serverGogoCodec) Name() string { return "proto" }

func (serverGogoCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(gogoproto.Message)
	if !ok {
		return nil, fmt.Errorf("%T is not a gogo message", v)
	}
	b, err := gogoproto.Marshal(m)
	return mem.BufferSlice{mem.SliceBuffer(b)}, err
}

func (serverGogoCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(gogoproto.Message)
	if !ok {
		return fmt.Errorf("%T is not a gogo message", v)
	}
	return gogoproto.Unmarshal(data.Materialize(), m)
}

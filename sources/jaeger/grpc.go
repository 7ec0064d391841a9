package jaeger

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	gogoproto "github.com/gogo/protobuf/proto"
	model "github.com/jaegertracing/jaeger-idl/model/v1"
	"github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/connectivity"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/mem"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/internal/httpx"
	"github.com/redline-tui/redline/sources/internal/step"
)

// grpcTransport speaks jaeger-idl's api_v2 QueryService.
type grpcTransport struct {
	addr    string
	conn    *grpc.ClientConn
	api     api_v2.QueryServiceClient
	tenant  string
	timeout time.Duration // Jaeger's deadline in a step (package step)
	token   string
	maxBody int64          // cap on a whole streamed answer, every chunk together
	budget  *budget.Budget // shared by every answer in flight
}

func newGRPC(cfg Config) (*grpcTransport, error) {
	addr := strings.TrimSpace(cfg.GRPCAddr)
	if strings.Contains(addr, "://") {
		return nil, fmt.Errorf("jaeger: gRPC address %q must be host:port, e.g. 127.0.0.1:16685 (for a URL use the HTTP API)", addr)
	}
	creds := insecure.NewCredentials()
	if cfg.TLS != nil {
		creds = credentials.NewTLS(cfg.TLS)
	}
	maxMsg := cfg.MaxBody
	if maxMsg <= 0 {
		maxMsg = httpx.DefaultMaxBody
	}
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.ForceCodecV2(gogoCodec{}), grpc.MaxCallRecvMsgSize(int(maxMsg))),
	)
	if err != nil {
		return nil, fmt.Errorf("jaeger: gRPC address %q: %w", addr, err)
	}
	return &grpcTransport{addr: addr, conn: conn, api: api_v2.NewQueryServiceClient(conn), tenant: cfg.Tenant, token: cfg.Token, timeout: cmp.Or(cfg.Timeout, DefaultTimeout), maxBody: maxMsg, budget: cfg.Budget}, nil
}

func (g *grpcTransport) endpoint() string { return "grpc://" + g.addr }

func (g *grpcTransport) close() error { return g.conn.Close() }

// reconnectWait bounds how long a call waits for a failed connection's
// immediate retry to succeed.
const reconnectWait = time.Second

// call runs one call of purpose as a query of the step ctx carries
// (package step): the connection is retried now if it failed, the call
// (a stream read to its end included) ends at Jaeger's deadline in the
// step, and the tenant and token are added. A call after Jaeger timed out
// in the step is not sent. Its error is put in words.
func (g *grpcTransport) call(ctx context.Context, purpose string, call func(context.Context) error) error {
	return step.Run(ctx, step.Backend{Name: backend, Timeout: g.timeout}, purpose, func(ctx context.Context) error {
		g.retryFailedConnection(ctx)
		ctx, cancel := context.WithCancel(g.withAuth(ctx))
		defer cancel() // ends a stream not read to its end
		if err := call(ctx); err != nil {
			return g.describe(ctx, err)
		}
		return nil
	})
}

// retryFailedConnection makes a connection that failed (Jaeger down,
// refused, TLS rejected) try again now instead of after gRPC's backoff,
// which grows to two minutes: a retry once Jaeger is back must reach it.
// The channel reports the failure until a connection succeeds, so this
// waits for success at most reconnectWait (and half of what is left of the
// step's deadline); the call then fails fast with the connection's cause if
// there was none.
func (g *grpcTransport) retryFailedConnection(ctx context.Context) {
	if g.conn.GetState() != connectivity.TransientFailure {
		return
	}
	g.conn.ResetConnectBackoff()
	wait := reconnectWait
	if deadline, ok := ctx.Deadline(); ok {
		wait = min(wait, time.Until(deadline)/2) // leaves the call time to fail with its cause
	}
	ctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	g.conn.WaitForStateChange(ctx, connectivity.TransientFailure)
}

// withAuth adds the tenant and the bearer token as gRPC metadata.
func (g *grpcTransport) withAuth(ctx context.Context) context.Context {
	if g.tenant != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, strings.ToLower(httpx.TenantHeader), g.tenant)
	}
	if g.token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+g.token)
	}
	return ctx
}

func (g *grpcTransport) findSpans(ctx context.Context, p searchParams) (spans []trace.Span, err error) {
	err = g.call(ctx, "trace search of "+p.Service, func(ctx context.Context) error {
		stream, err := g.api.FindTraces(ctx, &api_v2.FindTracesRequest{Query: &api_v2.TraceQueryParameters{
			ServiceName:   p.Service,
			OperationName: p.Operation,
			Tags:          p.Tags,
			StartTimeMin:  p.Start,
			StartTimeMax:  p.End,
			DurationMin:   p.MinDuration,
			SearchDepth:   int32(p.Depth),
		}})
		if err != nil {
			return err
		}
		spans, err = g.receiveSpans(ctx, stream)
		if status.Code(err) == codes.NotFound {
			return nil // some storage backends say "no traces" this way
		}
		return err
	})
	return spans, err
}

func (g *grpcTransport) traceSpans(ctx context.Context, id string, r funnel.TimeRange) ([]trace.Span, []string, error) {
	tid, err := model.TraceIDFromString(id)
	if err != nil {
		return nil, nil, fmt.Errorf("jaeger: %q is not a trace ID: %w", id, err)
	}
	var spans []trace.Span
	found := true
	err = g.call(ctx, "trace "+id, func(ctx context.Context) error {
		stream, err := g.api.GetTrace(ctx, &api_v2.GetTraceRequest{TraceID: tid, StartTime: r.Start, EndTime: r.End})
		if err != nil {
			return err
		}
		spans, err = g.receiveSpans(ctx, stream)
		if status.Code(err) == codes.NotFound {
			found = false
			return nil
		}
		return err
	})
	if !found {
		return nil, nil, notFound(id)
	}
	return spans, nil, err
}

// spanStream is what GetTrace and FindTraces both return.
type spanStream interface {
	Recv() (*api_v2.SpansResponseChunk, error)
}

// receiveSpans reads a stream of span chunks to its end, metering the
// chunks together: the stream is capped at maxBody in total (gRPC caps
// each message only), and its bytes are held from the shared budget until
// the spans are converted.
func (g *grpcTransport) receiveSpans(ctx context.Context, stream spanStream) ([]trace.Span, error) {
	m := httpx.NewMeter(g.budget, g.maxBody)
	defer m.Release()
	var out []trace.Span
	for {
		chunk, err := stream.Recv()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		if err := m.Add(ctx, int64(chunk.Size())); err != nil {
			return nil, httpx.Describe(backend, err)
		}
		for i := range chunk.Spans {
			out = append(out, fromModel(&chunk.Spans[i]))
		}
	}
}

func (g *grpcTransport) operations(ctx context.Context, service string) ([]string, error) {
	var resp *api_v2.GetOperationsResponse
	err := g.call(ctx, "operations of "+service, func(ctx context.Context) (err error) {
		resp, err = g.api.GetOperations(ctx, &api_v2.GetOperationsRequest{Service: service, SpanKind: "server"})
		return err
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(resp.Operations))
	for _, op := range resp.Operations {
		names = append(names, op.Name)
	}
	if len(names) == 0 {
		names = resp.OperationNames // servers before Operations existed
	}
	return names, nil
}

func (g *grpcTransport) services(ctx context.Context) ([]string, error) {
	var resp *api_v2.GetServicesResponse
	err := g.call(ctx, "services", func(ctx context.Context) (err error) {
		resp, err = g.api.GetServices(ctx, &api_v2.GetServicesRequest{})
		return err
	})
	if err != nil {
		return nil, err
	}
	return resp.Services, nil
}

// describe turns a gRPC failure into words that name Jaeger, the address
// and what to do. An error not from gRPC (a stream over its cap) already
// says so.
func (g *grpcTransport) describe(ctx context.Context, err error) error {
	st, fromGRPC := status.FromError(err)
	if !fromGRPC {
		return err
	}
	msg := httpx.Excerpt(st.Message())
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return timeoutError(fmt.Sprintf("jaeger: timed out waiting for %s (timeout %s)", g.addr, g.timeout))
	case st.Code() == codes.DeadlineExceeded: // the deadline sent with the call, as the server saw it
		return timeoutError("jaeger: timed out waiting for " + g.addr)
	case errors.Is(ctx.Err(), context.Canceled) || st.Code() == codes.Canceled:
		return errors.New("jaeger: request cancelled")
	case st.Code() == codes.Unavailable && strings.Contains(msg, "connection refused"):
		return fmt.Errorf("jaeger: unreachable at %s (connection refused: is Jaeger running, and is 16685 its gRPC query port?)", g.addr)
	case st.Code() == codes.Unavailable && strings.Contains(msg, "certificate signed by unknown authority"):
		return fmt.Errorf("jaeger: TLS certificate of %s signed by an unknown authority (set tls_config.ca_file)", g.addr)
	case st.Code() == codes.Unavailable && strings.Contains(msg, "authentication handshake failed"):
		return fmt.Errorf("jaeger: TLS handshake with %s failed: %s", g.addr, msg)
	case st.Code() == codes.Unavailable:
		return fmt.Errorf("jaeger: unreachable at %s: %s", g.addr, msg)
	case st.Code() == codes.Unauthenticated:
		return fmt.Errorf("jaeger: credentials rejected by %s: %s (check token and tenant in config)", g.addr, msg)
	case st.Code() == codes.PermissionDenied:
		return fmt.Errorf("jaeger: permission denied by %s: %s (the credentials lack access to this tenant)", g.addr, msg)
	case st.Code() == codes.Unimplemented:
		return fmt.Errorf("jaeger: %s does not serve the api_v2 query service: %s (is it Jaeger's gRPC query port, 16685?)", g.addr, msg)
	case st.Code() == codes.ResourceExhausted:
		return fmt.Errorf("jaeger: answer from %s too large or rate limited: %s", g.addr, msg)
	}
	return fmt.Errorf("jaeger: %s from %s: %s", st.Code(), g.addr, msg)
}

// timeoutError is a call that ran out of time; Timeout tells package step.
type timeoutError string

func (e timeoutError) Error() string { return string(e) }
func (timeoutError) Timeout() bool   { return true }

// gogoCodec marshals jaeger-idl's gogo-generated messages with gogo
// protobuf: they carry custom types (model.TraceID, time.Time) that the
// standard protobuf runtime cannot reflect on. It is forced on this
// connection only (grpc.ForceCodecV2), leaving the process-wide codec
// alone; every message on the connection is an api_v2 one.
type gogoCodec struct{}

func (gogoCodec) Name() string { return "proto" }

func (gogoCodec) Marshal(v any) (mem.BufferSlice, error) {
	m, ok := v.(gogoproto.Message)
	if !ok {
		return nil, fmt.Errorf("jaeger codec: %T is not a gogo protobuf message", v)
	}
	b, err := gogoproto.Marshal(m)
	if err != nil {
		return nil, err
	}
	return mem.BufferSlice{mem.SliceBuffer(b)}, nil
}

func (gogoCodec) Unmarshal(data mem.BufferSlice, v any) error {
	m, ok := v.(gogoproto.Message)
	if !ok {
		return fmt.Errorf("jaeger codec: %T is not a gogo protobuf message", v)
	}
	return gogoproto.Unmarshal(data.Materialize(), m)
}

package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jaegertracing/jaeger-idl/proto-gen/api_v2"
	"google.golang.org/grpc"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/sources/jaeger"
	"github.com/redline-tui/redline/sources/prometheus"
	"github.com/redline-tui/redline/ui"
)

// hangTimeout is the endpoints' configured timeout in the hung-backend
// tests: short, since each test waits for it once.
const hangTimeout = "200ms"

// hangCounter counts the requests a hung backend receives, and those that
// arrive once one of them has been given up by the client: a step must send
// none after a timeout.
type hangCounter struct {
	requests     atomic.Int32
	afterTimeout atomic.Int32
	timedOut     atomic.Bool
}

// arrived counts one request.
func (h *hangCounter) arrived() {
	if h.timedOut.Load() {
		h.afterTimeout.Add(1)
	}
	h.requests.Add(1)
}

// hang waits until the client gives up on the request.
func (h *hangCounter) hang(ctx context.Context) {
	<-ctx.Done()
	h.timedOut.Store(true)
}

// hungHTTP accepts every request and never answers it (accept-then-hang),
// or with drip answers 200 and then one byte per drip, never finishing.
func hungHTTP(t testing.TB, drip time.Duration) (*httptest.Server, *hangCounter) {
	t.Helper()
	h := &hangCounter{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.arrived()
		io.Copy(io.Discard, r.Body) // the server notices a client hanging up only then
		if drip > 0 {
			dripUntilGone(w, r.Context(), drip)
		}
		h.hang(r.Context())
	}))
	srv.Config.ErrorLog = discardServerLog()
	srv.Start()
	t.Cleanup(srv.Close)
	return srv, h
}

// dripUntilGone writes a JSON answer one byte at a time, never ending it.
func dripUntilGone(w http.ResponseWriter, ctx context.Context, every time.Duration) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			if _, err := w.Write([]byte(" ")); err != nil {
				return
			}
			w.(http.Flusher).Flush()
		}
	}
}

// hungQueryService is a Jaeger api_v2 query service that accepts calls and
// never answers those named in hang; GetOperations otherwise lists none.
type hungQueryService struct {
	api_v2.UnimplementedQueryServiceServer
	hangOperations bool
	counter        hangCounter
}

func (s *hungQueryService) GetOperations(ctx context.Context, _ *api_v2.GetOperationsRequest) (*api_v2.GetOperationsResponse, error) {
	s.counter.arrived()
	if s.hangOperations {
		s.counter.hang(ctx)
		return nil, ctx.Err()
	}
	return &api_v2.GetOperationsResponse{}, nil
}

func (s *hungQueryService) FindTraces(_ *api_v2.FindTracesRequest, stream api_v2.QueryService_FindTracesServer) error {
	s.counter.arrived()
	s.counter.hang(stream.Context())
	return stream.Context().Err()
}

func (s *hungQueryService) GetTrace(_ *api_v2.GetTraceRequest, stream api_v2.QueryService_GetTraceServer) error {
	s.counter.arrived()
	s.counter.hang(stream.Context())
	return stream.Context().Err()
}

// serveHungJaeger serves s on 127.0.0.1 and returns its address.
func serveHungJaeger(t testing.TB, s *hungQueryService) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(grpc.ForceServerCodecV2(serverGogoCodec{}))
	api_v2.RegisterQueryServiceServer(srv, s)
	go srv.Serve(ln)
	t.Cleanup(srv.Stop)
	return ln.Addr().String()
}

// hangConfig writes a config whose one context has the given backend
// sections (YAML lines under the context) and returns its path.
func hangConfig(t *testing.T, sections ...string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.yaml")
	body := "contexts:\n  hung:\n    " + strings.Join(sections, "\n    ") + "\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestHungBackendEndsTheStepInOneTimeout runs `redline snapshot` against
// backends that accept and never answer (or drip one byte at a time), over
// HTTP and Jaeger's gRPC, each with a configured timeout: the step fails
// (exit 3), says which queries were not sent and why, and the hung backend
// receives no request once one of its requests timed out.
func TestHungBackendEndsTheStepInOneTimeout(t *testing.T) {
	healthy := httptest.NewServer(healthyPrometheus())
	t.Cleanup(healthy.Close)
	prometheusAt := func(url string) string {
		return fmt.Sprintf("prometheus: {url: %q, timeout: %s}", url, hangTimeout)
	}
	jaegerHTTPAt := func(url string) string {
		return fmt.Sprintf("jaeger: {url: %q, timeout: %s}", url, hangTimeout)
	}
	jaegerGRPCAt := func(addr string) string {
		return fmt.Sprintf("jaeger: {grpc: %q, timeout: %s}", addr, hangTimeout)
	}
	walkToTraces := []string{"--service", "shop", "--route", "GET " + healthyRoute}
	tests := []struct {
		name    string
		backend func(t *testing.T) (config []string, counter *hangCounter)
		args    []string
		stderr  []string
	}{
		{
			name: "prometheus accepts and never answers",
			backend: func(t *testing.T) ([]string, *hangCounter) {
				srv, h := hungHTTP(t, 0)
				return []string{prometheusAt(srv.URL)}, h
			},
			stderr: []string{"slo step failed (prometheus): prometheus: ", " queries not sent: prometheus timed out after 200ms on "},
		},
		{
			name: "prometheus drips one byte at a time",
			backend: func(t *testing.T) ([]string, *hangCounter) {
				srv, h := hungHTTP(t, 20*time.Millisecond)
				return []string{prometheusAt(srv.URL)}, h
			},
			stderr: []string{"slo step failed (prometheus): prometheus: ", " queries not sent: prometheus timed out after 200ms on "},
		},
		{
			name: "jaeger over HTTP accepts and never answers",
			backend: func(t *testing.T) ([]string, *hangCounter) {
				srv, h := hungHTTP(t, 0)
				return []string{prometheusAt(healthy.URL), jaegerHTTPAt(srv.URL)}, h
			},
			args: walkToTraces,
			stderr: []string{"trace step failed (jaeger): jaeger: not sent: GET /api/v3/traces: " +
				"jaeger timed out after 200ms on GET /api/v3/operations"},
		},
		{
			name: "jaeger over gRPC never lists the operations",
			backend: func(t *testing.T) ([]string, *hangCounter) {
				s := &hungQueryService{hangOperations: true}
				return []string{prometheusAt(healthy.URL), jaegerGRPCAt(serveHungJaeger(t, s))}, &s.counter
			},
			args:   walkToTraces,
			stderr: []string{"trace step failed (jaeger): jaeger: not sent: trace search of shop: jaeger timed out after 200ms on operations of shop"},
		},
		{
			name: "jaeger over gRPC accepts FindTraces and never answers",
			backend: func(t *testing.T) ([]string, *hangCounter) {
				s := &hungQueryService{}
				return []string{prometheusAt(healthy.URL), jaegerGRPCAt(serveHungJaeger(t, s))}, &s.counter
			},
			args:   walkToTraces,
			stderr: []string{"trace step failed (jaeger): jaeger: timed out waiting for 127.0.0.1:"},
		},
		{
			name: "jaeger over gRPC accepts GetTrace and never answers",
			backend: func(t *testing.T) ([]string, *hangCounter) {
				s := &hungQueryService{}
				return []string{prometheusAt(healthy.URL), jaegerGRPCAt(serveHungJaeger(t, s))}, &s.counter
			},
			args:   append([]string{"--trace", healthyTraceID}, walkToTraces...),
			stderr: []string{"trace step failed (jaeger): jaeger: timed out waiting for 127.0.0.1:"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			isolateConfig(t)
			sections, counter := tt.backend(t)
			args := append([]string{"snapshot", "--config", hangConfig(t, sections...), "--format", "text"}, tt.args...)
			var stdout, stderr bytes.Buffer
			if code := run(args, &stdout, &stderr); code != exitBackend {
				t.Fatalf("exit %d, want %d (a backend failed); stderr:\n%s", code, exitBackend, stderr.String())
			}
			for _, want := range tt.stderr {
				if !strings.Contains(stderr.String(), want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
				}
			}
			if counter.requests.Load() == 0 {
				t.Fatal("the hung backend received no request")
			}
			if n := counter.afterTimeout.Load(); n != 0 {
				t.Errorf("the hung backend received %d requests after one timed out; want none", n)
			}
		})
	}
}

// hangingMetrics is the demo whose metrics calls wait until their context
// ends, as a hung backend's do once its step's deadline is past.
type hangingMetrics struct{ *demo.Source }

func (hangingMetrics) SLOs(ctx context.Context, _ funnel.TimeRange) (slo.Report, error) {
	<-ctx.Done()
	return slo.Report{}, fmt.Errorf("prometheus: timed out: %w", ctx.Err())
}

func (hangingMetrics) Routes(ctx context.Context, _ red.Query) (red.Report, error) {
	<-ctx.Done()
	return red.Report{}, fmt.Errorf("prometheus: timed out: %w", ctx.Err())
}

// TestSnapshotDeadlineEndsTheWalk: the snapshot's deadline cuts the step
// in flight, which says so, and the next step is not sent.
func TestSnapshotDeadlineEndsTheWalk(t *testing.T) {
	src := demoSource()
	backends := ui.Sources{Metrics: hangingMetrics{src}, Traces: src, Logs: src}
	req := snapshotRequest{Entry: walk.Entry{Service: "checkout"}, Format: "text", Now: snapshotClock, Deadline: 50 * time.Millisecond}
	var stdout, stderr bytes.Buffer
	if code := runSnapshot(context.Background(), backends, req, &stdout, &stderr); code != exitBackend {
		t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitBackend, stderr.String())
	}
	for _, want := range []string{
		"slo step failed (demo): prometheus: timed out: context deadline exceeded (the snapshot's deadline of 50ms ran out)",
		"red step failed (demo): not sent: the snapshot's deadline of 50ms ran out",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if strings.Contains(stderr.String(), "trace step") {
		t.Errorf("steps after the one not sent were reported:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "not sent: the snapshot's deadline of 50ms ran out") {
		t.Errorf("the snapshot does not say the step was not sent:\n%s", stdout.String())
	}
}

func TestSnapshotDeadlineFlagAndDefault(t *testing.T) {
	var stderr bytes.Buffer
	req, _, err := parseSnapshotFlags([]string{"--deadline", "90s"}, snapshotClock, &stderr)
	if err != nil || req.Deadline != 90*time.Second {
		t.Fatalf("--deadline 90s: deadline %v, err %v", req.Deadline, err)
	}
	if _, _, err := parseSnapshotFlags([]string{"--deadline", "0s"}, snapshotClock, &stderr); err == nil {
		t.Error("--deadline 0s was accepted")
	}
	ctx := &config.Context{
		Prometheus: &config.Prometheus{Endpoint: config.Endpoint{URL: "http://p", Timeout: config.Duration(10 * time.Second)}},
		Jaeger:     &config.Jaeger{Endpoint: config.Endpoint{URL: "http://j"}},
		Loki:       &config.Loki{Endpoint: config.Endpoint{URL: "http://l", Timeout: config.Duration(5 * time.Second)}},
	}
	// SLO and RED steps on Prometheus, trace search and fetch on Jaeger
	// (its default timeout), logs on Loki.
	if got, want := snapshotDeadline(ctx), 2*10*time.Second+2*config.DefaultTimeout+5*time.Second; got != want {
		t.Errorf("derived deadline %v, want %v", got, want)
	}
}

// BenchmarkHungBackendStep times one step against a backend that accepts
// and never answers (or drips), reported as a multiple of the configured
// timeout: a step ends within one timeout (about 1.0), not one per round of
// queries (2.0 before steps shared one deadline).
func BenchmarkHungBackendStep(b *testing.B) {
	const timeout = 100 * time.Millisecond
	rng := funnel.Last(time.Hour, clock)
	search := trace.Query{Service: "shop", Route: "GET " + healthyRoute, Range: rng}
	prometheusOn := func(b *testing.B, url string) ui.Metrics {
		c, err := prometheus.New(prometheus.Config{URL: url, HTTPClient: &http.Client{Timeout: timeout}, Timeout: timeout})
		failOn(b, err)
		return c
	}
	jaegerOn := func(b *testing.B, cfg jaeger.Config) ui.Traces {
		c, err := jaeger.New(cfg)
		failOn(b, err)
		b.Cleanup(func() { c.Close() })
		return c
	}
	cases := []struct {
		name string
		step func(b *testing.B) func(context.Context) error
	}{
		{"prometheus SLOs, accept-then-hang", func(b *testing.B) func(context.Context) error {
			srv, _ := hungHTTP(b, 0)
			m := prometheusOn(b, srv.URL)
			return func(ctx context.Context) error { _, err := m.SLOs(ctx, rng); return err }
		}},
		{"prometheus SLOs, drip", func(b *testing.B) func(context.Context) error {
			srv, _ := hungHTTP(b, 10*time.Millisecond)
			m := prometheusOn(b, srv.URL)
			return func(ctx context.Context) error { _, err := m.SLOs(ctx, rng); return err }
		}},
		{"jaeger HTTP FindTraces", func(b *testing.B) func(context.Context) error {
			srv, _ := hungHTTP(b, 0)
			tr := jaegerOn(b, jaeger.Config{HTTPURL: srv.URL, HTTPClient: &http.Client{Timeout: timeout}})
			return func(ctx context.Context) error { _, err := tr.FindTraces(ctx, search); return err }
		}},
		{"jaeger gRPC FindTraces", func(b *testing.B) func(context.Context) error {
			tr := jaegerOn(b, jaeger.Config{GRPCAddr: serveHungJaeger(b, &hungQueryService{hangOperations: true}), Timeout: timeout})
			return func(ctx context.Context) error { _, err := tr.FindTraces(ctx, search); return err }
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			step := c.step(b)
			start := time.Now()
			for b.Loop() {
				if err := step(context.Background()); err == nil {
					b.Fatal("a step against a hung backend succeeded")
				}
			}
			b.ReportMetric(float64(time.Since(start))/float64(b.N)/float64(timeout), "timeouts/step")
		})
	}
}

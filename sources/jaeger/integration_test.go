//go:build integration

package jaeger

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
)

// itClient returns a client for the CI stack's Jaeger from the environment
// variable env; with REDLINE_INTEGRATION=1 a missing variable fails the
// test instead of skipping it.
func itClient(t *testing.T, env string, cfg func(string) Config) *Client {
	t.Helper()
	addr := os.Getenv(env)
	if addr == "" {
		if os.Getenv("REDLINE_INTEGRATION") == "1" {
			t.Fatalf("%s is not set (start the stack: eval \"$(bash .ci/stack.sh up)\")", env)
		}
		t.Skipf("%s is not set", env)
	}
	c, err := New(cfg(addr))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := c.Ping(ctx); err != nil {
		t.Fatalf("Jaeger at %s: %v", addr, err)
	}
	return c
}

func grpcClient(t *testing.T) *Client {
	return itClient(t, "REDLINE_IT_JAEGER_GRPC", func(a string) Config { return Config{GRPCAddr: a} })
}

func httpClient(t *testing.T) *Client {
	return itClient(t, "REDLINE_IT_JAEGER_HTTP", func(a string) Config { return Config{HTTPURL: a} })
}

// checkoutQuery asks for the slow checkout traces of the test service.
func checkoutQuery() trace.Query {
	return trace.Query{
		Service:     "shop",
		Route:       "/api/checkout",
		MinDuration: 300 * time.Millisecond,
		Range:       funnel.Last(30*time.Minute, time.Now()),
		Limit:       20,
	}
}

func TestIntegrationSlowestCheckoutTrace(t *testing.T) {
	for name, c := range map[string]*Client{"grpc": grpcClient(t), "http": httpClient(t)} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := c.FindTraces(ctx, checkoutQuery())
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Traces) == 0 {
				t.Fatalf("no slow checkout traces (query %q, warnings %q)", res.Queries[0].Text, res.Warnings)
			}
			t.Logf("query: %s; %d traces, slowest %v", res.Queries[0].Text, len(res.Traces), res.Traces[0].MatchedDuration)
			for i := 1; i < len(res.Traces); i++ {
				if res.Traces[i].MatchedDuration > res.Traces[i-1].MatchedDuration {
					t.Errorf("not slowest first: #%d %v after %v", i, res.Traces[i].MatchedDuration, res.Traces[i-1].MatchedDuration)
				}
			}
			slowest := res.Traces[0]
			if slowest.MatchedDuration < 300*time.Millisecond || slowest.MatchedSpanID == "" {
				t.Errorf("slowest trace %+v has no matched slow server span", slowest)
			}
			tr, err := c.Trace(ctx, slowest.TraceID, checkoutQuery().Range)
			if err != nil {
				t.Fatal(err)
			}
			assertChargeOnCriticalPath(t, tr)
		})
	}
}

// assertChargeOnCriticalPath checks that the payment call (the payments
// service's POST /charge, or shop's charge-card client span) lies on the
// critical path of the trace's tree.
func assertChargeOnCriticalPath(t *testing.T, tr *trace.Trace) {
	t.Helper()
	tree := trace.Build(tr)
	var path []string
	for _, i := range tree.CriticalPath {
		s := tree.Nodes[i].Span
		path = append(path, s.Service+":"+s.Name)
		if (s.Service == "payments" && strings.Contains(s.Name, "/charge")) || s.Name == "charge-card" {
			return
		}
	}
	t.Errorf("trace %s: no charge span on the critical path %q", tr.ID, path)
}

func TestIntegrationTransportsAgree(t *testing.T) {
	g, h := grpcClient(t), httpClient(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	res, err := g.FindTraces(ctx, checkoutQuery())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Traces) == 0 {
		t.Fatal("no checkout traces over gRPC")
	}
	id := res.Traces[0].TraceID
	r := checkoutQuery().Range
	viaGRPC, err := g.Trace(ctx, id, r)
	if err != nil {
		t.Fatal(err)
	}
	viaHTTP, err := h.Trace(ctx, id, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(viaGRPC.Spans) != len(viaHTTP.Spans) {
		t.Fatalf("trace %s: %d spans over gRPC, %d over HTTP", id, len(viaGRPC.Spans), len(viaHTTP.Spans))
	}
	kinds := map[string]trace.Kind{}
	for _, s := range viaGRPC.Spans {
		kinds[s.SpanID] = s.Kind
	}
	for _, s := range viaHTTP.Spans {
		if k, ok := kinds[s.SpanID]; !ok || k != s.Kind {
			t.Errorf("span %s (%s): kind %v over HTTP, %v (present %v) over gRPC", s.SpanID, s.Name, s.Kind, k, ok)
		}
	}
}

func TestIntegrationFailingItemsTraces(t *testing.T) {
	for name, c := range map[string]*Client{"grpc": grpcClient(t), "http": httpClient(t)} {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			res, err := c.FindTraces(ctx, trace.Query{
				Service: "shop", Route: "/api/items/{id}", ErrorsOnly: true,
				Range: funnel.Last(30*time.Minute, time.Now()), Limit: 10,
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Traces) == 0 {
				t.Fatalf("no failing item traces (query %q, warnings %q)", res.Queries[0].Text, res.Warnings)
			}
			t.Logf("query: %s; %d traces", res.Queries[0].Text, len(res.Traces))
			for _, s := range res.Traces {
				if s.ErrorCount == 0 || s.MatchedSpanID == "" {
					t.Errorf("trace %s: %d errors, matched span %q", s.TraceID, s.ErrorCount, s.MatchedSpanID)
				}
			}
			tr, err := c.Trace(ctx, res.Traces[0].TraceID, funnel.TimeRange{})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tr.Spans {
				if s.SpanID == res.Traces[0].MatchedSpanID && (s.Status != trace.StatusError || s.Kind != trace.KindServer) {
					t.Errorf("matched span %+v is not a failed server span", s)
				}
			}
		})
	}
}

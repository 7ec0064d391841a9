package trace

import (
	"slices"
	"testing"
	"time"
)

// call is a span of service with kind and attributes, times in ms after t0.
func call(id, parent, service string, kind Kind, startMs, durMs int, attrs ...string) Span {
	s := sp(id, parent, startMs, durMs)
	s.Service, s.Kind = service, kind
	for i := 0; i+1 < len(attrs); i += 2 {
		s.Attributes = append(s.Attributes, Attr{Key: attrs[i], Value: attrs[i+1]})
	}
	return s
}

func TestCompleteness(t *testing.T) {
	tests := []struct {
		name       string
		spans      []Span
		partial    bool // the backend's flag
		known      []string
		want       Completeness
		unreported []string // span IDs marked with a Callee
	}{
		{
			name: "answered call is complete",
			spans: []Span{
				call("a", "", "shop", KindServer, 0, 100),
				call("b", "a", "shop", KindClient, 10, 80, "peer.service", "payments"),
				call("c", "b", "payments", KindServer, 12, 75),
			},
		},
		{
			name: "peer.service call without spans of the callee",
			spans: []Span{
				call("a", "", "frontend", KindServer, 0, 30001),
				call("b", "a", "frontend", KindClient, 1, 30000, "peer.service", "customer"),
			},
			want:       Completeness{Unreported: 1, Callees: []string{"customer"}, EndsAtCall: true},
			unreported: []string{"b"},
		},
		{
			name: "a database call is never expected to report",
			spans: []Span{
				call("a", "", "shop", KindServer, 0, 100),
				call("b", "a", "shop", KindClient, 10, 80, "db.system", "postgresql", "server.address", "pg", "server.port", "5432"),
			},
		},
		{
			name: "server.address naming a service of the trace",
			spans: []Span{
				call("a", "", "frontend", KindServer, 0, 100),
				call("b", "a", "frontend", KindClient, 5, 20, "server.address", "cart"),
				call("c", "b", "cart", KindServer, 6, 18),
				call("d", "a", "frontend", KindClient, 30, 50, "server.address", "CART", "server.port", "8080"),
			},
			want:       Completeness{Unreported: 1, Callees: []string{"cart"}},
			unreported: []string{"d"},
		},
		{
			name: "an address learned from an answered call",
			spans: []Span{
				call("a", "", "shop", KindServer, 0, 100),
				call("b", "a", "shop", KindClient, 5, 20, "url.full", "http://127.0.0.1:18081/charge"),
				call("c", "b", "payments", KindServer, 6, 18),
				call("d", "a", "shop", KindClient, 30, 70, "url.full", "http://127.0.0.1:18081/charge"),
				call("e", "a", "shop", KindClient, 30, 20, "url.full", "http://127.0.0.1:9999/other"),
			},
			want:       Completeness{Unreported: 1, Callees: []string{"payments"}, EndsAtCall: true},
			unreported: []string{"d"},
		},
		{
			name: "a service known from elsewhere",
			spans: []Span{
				call("a", "", "frontend", KindServer, 0, 100),
				call("b", "a", "frontend", KindProducer, 5, 20, "server.address", "dispatch"),
			},
			known:      []string{"dispatch"},
			want:       Completeness{Unreported: 1, Callees: []string{"dispatch"}},
			unreported: []string{"b"},
		},
		{
			name: "an unknown external host is not blamed",
			spans: []Span{
				call("a", "", "checkout", KindServer, 0, 100),
				call("b", "a", "checkout", KindClient, 5, 95, "server.address", "api.stripe.example"),
			},
		},
		{
			name: "a child of the caller's own service does not answer a call",
			spans: []Span{
				call("a", "", "shop", KindServer, 0, 100),
				call("b", "a", "shop", KindClient, 0, 100, "peer.service", "payments"),
				call("c", "b", "shop", KindInternal, 0, 10),
			},
			want:       Completeness{Unreported: 1, Callees: []string{"payments"}, EndsAtCall: true},
			unreported: []string{"b"},
		},
		{
			name:    "missing parent and the backend's flag",
			spans:   []Span{call("a", "", "shop", KindServer, 0, 100), call("b", "zz", "shop", KindInternal, 10, 10)},
			partial: true,
			want:    Completeness{Flagged: true, MissingParents: 1},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree := BuildKnowing(&Trace{Spans: tc.spans, Partial: tc.partial}, tc.known)
			got := tree.Completeness
			if got.Flagged != tc.want.Flagged || got.MissingParents != tc.want.MissingParents ||
				got.Unreported != tc.want.Unreported || !slices.Equal(got.Callees, tc.want.Callees) || got.EndsAtCall != tc.want.EndsAtCall {
				t.Errorf("completeness = %+v, want %+v", got, tc.want)
			}
			var marked []string
			for _, n := range tree.Nodes {
				if n.Callee != "" {
					marked = append(marked, n.Span.SpanID)
					if n.Unattributed != n.SelfTime || n.AttributedSelf() != 0 {
						t.Errorf("%s: unattributed %v of self %v", n.Span.SpanID, n.Unattributed, n.SelfTime)
					}
				}
			}
			if !slices.Equal(marked, tc.unreported) {
				t.Errorf("unreported calls = %v, want %v", marked, tc.unreported)
			}
			if got.Partial() != (len(tc.unreported) > 0 || tc.partial || tc.want.MissingParents > 0) {
				t.Errorf("Partial() = %v", got.Partial())
			}
		})
	}
}

func TestCompletenessReason(t *testing.T) {
	tests := []struct {
		c    Completeness
		want string
	}{
		{Completeness{}, ""},
		{Completeness{Unreported: 1, Callees: []string{"customer"}, EndsAtCall: true}, "customer did not report 1 call; trace ends at that call"},
		{Completeness{Unreported: 2, Callees: []string{"a", "b"}, MissingParents: 3, Flagged: true},
			"a, b did not report 2 calls; 3 spans' parents are missing; backend says incomplete"},
		{Completeness{MissingParents: 1}, "1 span's parent is missing"},
	}
	for _, tc := range tests {
		if got := tc.c.Reason(); got != tc.want {
			t.Errorf("Reason(%+v) = %q, want %q", tc.c, got, tc.want)
		}
	}
}

// A partial trace's waiting client span must not be the bottleneck or top
// the self-time ranking: the server span's own work is what is known.
func TestUnreportedCallIsNotBlamed(t *testing.T) {
	tree := Build(&Trace{Spans: []Span{
		call("a", "", "frontend", KindServer, 0, 30010),
		call("v", "a", "frontend", KindInternal, 0, 8),
		call("b", "a", "frontend", KindClient, 9, 30000, "peer.service", "customer"),
	}})
	if b := tree.Bottleneck(); tree.Nodes[b].Span.SpanID == "b" {
		t.Errorf("bottleneck is the unreported call")
	}
	top := tree.TopSelfTime(1)
	if id := tree.Nodes[top[0]].Span.SpanID; id == "b" {
		t.Errorf("top self time is the unreported call")
	}
	if n := &tree.Nodes[2]; n.SelfTime != 30*time.Second || n.Unattributed != 30*time.Second {
		t.Errorf("call b: self %v unattributed %v", n.SelfTime, n.Unattributed)
	}
}

func TestComplete(t *testing.T) {
	answered := &Trace{Spans: []Span{
		call("a", "", "frontend", KindServer, 0, 100),
		call("b", "a", "frontend", KindClient, 5, 90, "server.address", "10.0.0.7"),
		call("c", "b", "customer", KindServer, 6, 80),
	}}
	cut := &Trace{Spans: []Span{
		call("a", "", "frontend", KindServer, 0, 100),
		call("b", "a", "frontend", KindClient, 5, 95, "server.address", "customer"),
	}}
	got := Complete([]*Trace{answered, cut})
	if got[0].Partial() || !got[1].Partial() || !slices.Equal(got[1].Callees, []string{"customer"}) {
		t.Errorf("Complete = %+v", got)
	}
}

func TestPickSlowest(t *testing.T) {
	partial := Summary{TraceID: "p", Completeness: Completeness{Unreported: 1, Callees: []string{"x"}}}
	complete := Summary{TraceID: "c"}
	tests := []struct {
		results []Summary
		include bool
		index   int
		text    string
	}{
		{nil, false, -1, "no trace"},
		{[]Summary{complete, partial}, false, 0, "slowest complete trace"},
		{[]Summary{partial, complete}, false, 1, "slowest complete trace; 1 slower trace is partial"},
		{[]Summary{partial, partial, partial, complete}, false, 3, "slowest complete trace; 3 slower traces are partial"},
		{[]Summary{partial, complete}, true, 0, "slowest trace, partial ones included"},
		{[]Summary{partial, partial}, false, 0, "slowest trace; every trace found is partial"},
	}
	for _, tc := range tests {
		c := PickSlowest(tc.results, tc.include)
		if c.Index != tc.index || c.String() != tc.text {
			t.Errorf("PickSlowest(%d results, %v) = %d %q, want %d %q", len(tc.results), tc.include, c.Index, c, tc.index, tc.text)
		}
	}
}

package trace

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

// sp makes a span with times in milliseconds after t0.
func sp(id, parent string, startMs, durMs int) Span {
	return Span{
		SpanID:   id,
		ParentID: parent,
		Name:     "op-" + id,
		Start:    t0.Add(time.Duration(startMs) * time.Millisecond),
		Duration: time.Duration(durMs) * time.Millisecond,
	}
}

// render draws a tree one node a line: indentation by depth, span ID,
// flags (o orphan, d duplicate, s skewed, * critical), self and critical
// time in ms.
func render(tr *Tree) []string {
	var out []string
	for _, n := range tr.Nodes {
		flags := ""
		for _, f := range []struct {
			on bool
			c  string
		}{{n.Orphan, "o"}, {n.Duplicate, "d"}, {n.Skewed, "s"}, {n.Critical, "*"}} {
			if f.on {
				flags += f.c
			}
		}
		out = append(out, fmt.Sprintf("%s%s%s self=%d crit=%d", strings.Repeat(". ", n.Depth), n.Span.SpanID,
			strings.TrimSpace(" "+flags), n.SelfTime.Milliseconds(), n.CriticalTime.Milliseconds()))
	}
	return out
}

func TestBuild(t *testing.T) {
	tests := []struct {
		name  string
		spans []Span
		want  []string
	}{
		{
			name: "nested sequential children are all critical",
			spans: []Span{
				sp("c", "a", 60, 30), sp("d", "b", 20, 10), sp("a", "", 0, 100), sp("b", "a", 10, 50),
			},
			want: []string{
				"a* self=20 crit=20",
				". b* self=40 crit=40",
				". . d* self=10 crit=10",
				". c* self=30 crit=30",
			},
		},
		{
			name:  "parallel children: only the last finishing one is critical",
			spans: []Span{sp("a", "", 0, 100), sp("b", "a", 0, 80), sp("c", "a", 10, 85)},
			want: []string{
				"a* self=5 crit=15",
				". b self=80 crit=0",
				". c* self=85 crit=85",
			},
		},
		{
			name: "back-to-back children hand over the path",
			spans: []Span{
				sp("a", "", 0, 100), sp("b", "a", 0, 50), sp("c", "a", 50, 50), sp("z", "a", 100, 0),
			},
			want: []string{
				"a* self=0 crit=0",
				". b* self=50 crit=50",
				". c* self=50 crit=50",
				". z self=0 crit=0",
			},
		},
		{
			name:  "overlapping children count once in self time",
			spans: []Span{sp("a", "", 0, 100), sp("b", "a", 10, 40), sp("c", "a", 30, 40), sp("d", "a", 35, 5)},
			want: []string{
				"a* self=40 crit=60",
				". b self=40 crit=0",
				". c* self=40 crit=40",
				". d self=5 crit=0",
			},
		},
		{
			name:  "orphan becomes a root after earlier roots",
			spans: []Span{sp("x", "missing", 5, 10), sp("a", "", 0, 100), sp("b", "a", 10, 20)},
			want: []string{
				"a* self=80 crit=80",
				". b* self=20 crit=20",
				"xo self=10 crit=0",
			},
		},
		{
			name: "duplicate span ID keeps its place but cannot be a parent",
			spans: []Span{
				sp("a", "", 0, 100), sp("b", "a", 10, 20), sp("b", "a", 50, 40), sp("c", "b", 15, 5),
			},
			want: []string{
				"a* self=40 crit=40",
				". b* self=15 crit=15",
				". . c* self=5 crit=5",
				". bd* self=40 crit=40",
			},
		},
		{
			name:  "two-span cycle is cut at the earliest span",
			spans: []Span{sp("q", "p", 10, 20), sp("p", "q", 0, 100), sp("r", "q", 12, 5)},
			want: []string{
				"po* self=80 crit=80",
				". q* self=15 crit=15",
				". . r* self=5 crit=5",
			},
		},
		{
			name:  "self parent is a cycle",
			spans: []Span{sp("s", "s", 0, 10)},
			want:  []string{"so* self=10 crit=10"},
		},
		{
			name:  "skewed children are placed and clipped for self and critical time",
			spans: []Span{sp("a", "", 10, 90), sp("b", "a", 0, 50), sp("c", "a", 200, 10)},
			want: []string{
				"a* self=50 crit=50",
				". bs* self=50 crit=40",
				". cs self=10 crit=0",
			},
		},
		{
			name:  "children sorted by start then span ID; ties on end go to the earlier child",
			spans: []Span{sp("r", "", 0, 100), sp("c", "r", 10, 1), sp("b", "r", 10, 1), sp("a", "r", 5, 1)},
			want: []string{
				"r* self=98 crit=98",
				". a* self=1 crit=1",
				". b* self=1 crit=1",
				". c self=1 crit=0",
			},
		},
		{
			name:  "critical path follows the longest tree",
			spans: []Span{sp("short", "", 0, 10), sp("long", "", 5, 50), sp("kid", "long", 5, 60)},
			want: []string{
				"short self=10 crit=0",
				"long* self=0 crit=0",
				". kids* self=60 crit=50",
			},
		},
		{
			name:  "hex span IDs match whatever their case",
			spans: []Span{sp("00000000000000aa", "", 0, 10), sp("x", "00000000000000AA", 1, 2)},
			want: []string{
				"00000000000000aa* self=8 crit=8",
				". x* self=2 crit=2",
			},
		},
		{
			name:  "negative duration counts as zero",
			spans: []Span{sp("a", "", 0, -10)},
			want:  []string{"a* self=0 crit=0"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := Build(&Trace{Spans: tt.spans})
			checkInvariants(t, tr, len(tt.spans))
			if got := render(tr); !slices.Equal(got, tt.want) {
				t.Errorf("tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestBuildEmpty(t *testing.T) {
	for _, tr := range []*Trace{nil, {}, {Spans: []Span{}}} {
		got := Build(tr)
		if len(got.Nodes) != 0 || len(got.Roots) != 0 || got.Duration() != 0 {
			t.Errorf("Build(%v) = %+v, want an empty tree", tr, got)
		}
		if v := got.Visible(nil, false); len(v) != 0 {
			t.Errorf("Visible on empty tree = %v", v)
		}
		if b := got.Layout(0, 80); b != (Bar{}) {
			t.Errorf("Layout on empty tree = %v", b)
		}
	}
}

func TestBuildTreeFields(t *testing.T) {
	spans := []Span{sp("a", "", 10, 100), sp("b", "a", 20, 30), sp("x", "gone", 0, 5), sp("c", "b", 25, 200)}
	spans[0].Service, spans[1].Service, spans[2].Service, spans[3].Service = "shop", "payments", "", "shop"
	tr := Build(&Trace{Spans: spans})
	if want := t0; !tr.Start.Equal(want) {
		t.Errorf("Start = %v, want %v", tr.Start, want)
	}
	if want := t0.Add(225 * time.Millisecond); !tr.End.Equal(want) {
		t.Errorf("End = %v, want %v", tr.End, want)
	}
	if want := []int{0, 1}; !slices.Equal(tr.Roots, want) {
		t.Errorf("Roots = %v, want %v", tr.Roots, want)
	}
	if want := []string{"shop", "payments"}; !slices.Equal(tr.Services, want) {
		t.Errorf("Services = %v, want %v", tr.Services, want)
	}
	// x (0–5ms) is the first root; a's tree lasts longer and holds the path.
	if want := []int{1, 2, 3}; !slices.Equal(tr.CriticalPath, want) {
		t.Errorf("CriticalPath = %v, want %v (tree %v)", tr.CriticalPath, want, render(tr))
	}
}

func TestSkewTolerance(t *testing.T) {
	parent := sp("a", "", 0, 100)
	tests := []struct {
		name  string
		child Span
		want  bool
	}{
		{"inside", sp("b", "a", 0, 100), false},
		{"rounding overhang", Span{SpanID: "b", ParentID: "a", Start: t0.Add(-SkewTolerance), Duration: 100*time.Millisecond + 2*SkewTolerance}, false},
		{"starts early", Span{SpanID: "b", ParentID: "a", Start: t0.Add(-2 * SkewTolerance), Duration: time.Millisecond}, true},
		{"ends late", sp("b", "a", 90, 11), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := Build(&Trace{Spans: []Span{parent, tt.child}})
			if got := tr.Nodes[1].Skewed; got != tt.want {
				t.Errorf("Skewed = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestLayout(t *testing.T) {
	tr := Build(&Trace{Spans: []Span{sp("a", "", 0, 100), sp("b", "a", 25, 50), sp("c", "a", 100, 0), sp("d", "a", 10, 1)}})
	tests := []struct {
		name  string
		node  int
		width int
		want  Bar
	}{
		{"whole trace", 0, 8, Bar{0, 8}},
		{"middle half", 2, 8, Bar{2, 6}},
		{"fractional cells", 1, 8, Bar{0.8, 0.88}},
		{"zero-length span at the end", 3, 8, Bar{8, 8}},
		{"zero width", 0, 0, Bar{}},
		{"negative width", 0, -3, Bar{}},
		{"node out of range", 4, 8, Bar{}},
		{"negative node", -1, 8, Bar{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tr.Layout(tt.node, tt.width)
			if !near(got.From, tt.want.From) || !near(got.To, tt.want.To) {
				t.Errorf("Layout(%d, %d) = %+v, want %+v", tt.node, tt.width, got, tt.want)
			}
		})
	}
}

func TestLayoutZeroDurationTrace(t *testing.T) {
	tr := Build(&Trace{Spans: []Span{sp("a", "", 0, 0), sp("b", "a", 0, 0)}})
	for i := range tr.Nodes {
		if got := tr.Layout(i, 80); got != (Bar{}) {
			t.Errorf("Layout(%d) = %+v, want zero bar", i, got)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-9 && b-a < 1e-9 }

func TestVisible(t *testing.T) {
	// a(b(d), c) with c the last finishing child; DFS: a=0 b=1 d=2 c=3 e=4 (e under c).
	tr := Build(&Trace{Spans: []Span{
		sp("a", "", 0, 100), sp("b", "a", 0, 80), sp("d", "b", 10, 10), sp("c", "a", 10, 90), sp("e", "c", 20, 10),
	}})
	tests := []struct {
		name         string
		collapsed    []bool
		criticalOnly bool
		want         []int
	}{
		{"all", nil, false, []int{0, 1, 2, 3, 4}},
		{"collapse b", []bool{false, true}, false, []int{0, 1, 3, 4}},
		{"collapse root", []bool{true}, false, []int{0}},
		{"collapse leaf is a no-op", []bool{false, false, true, false, true}, false, []int{0, 1, 2, 3, 4}},
		{"critical only", nil, true, []int{0, 3, 4}},
		{"critical only, c collapsed", []bool{false, false, false, true}, true, []int{0, 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tr.Visible(tt.collapsed, tt.criticalOnly); !slices.Equal(got, tt.want) {
				t.Errorf("Visible = %v, want %v (tree %v)", got, tt.want, render(tr))
			}
		})
	}
}

func TestTopSelfTimeAndErrors(t *testing.T) {
	spans := []Span{sp("a", "", 0, 100), sp("b", "a", 0, 30), sp("c", "a", 40, 50), sp("d", "c", 40, 10)}
	spans[1].Status, spans[3].Status = StatusError, StatusError
	tr := Build(&Trace{Spans: spans}) // self: a 20, b 30, c 40, d 10
	tests := []struct {
		n    int
		want []int
	}{
		{0, []int{}},
		{-1, []int{}},
		{2, []int{2, 1}},
		{10, []int{2, 1, 0, 3}},
	}
	for _, tt := range tests {
		if got := tr.TopSelfTime(tt.n); !slices.Equal(got, tt.want) {
			t.Errorf("TopSelfTime(%d) = %v, want %v", tt.n, got, tt.want)
		}
	}
	if got, want := tr.Errors(), []int{1, 3}; !slices.Equal(got, want) {
		t.Errorf("Errors = %v, want %v", got, want)
	}
}

// checkInvariants verifies the structural promises of Build.
func checkInvariants(t testing.TB, tr *Tree, n int) {
	t.Helper()
	if len(tr.Nodes) != n {
		t.Fatalf("%d nodes, want %d", len(tr.Nodes), n)
	}
	seen := make(map[*Span]bool, n)
	var roots []int
	for i, nd := range tr.Nodes {
		if seen[nd.Span] {
			t.Fatalf("span %p appears twice", nd.Span)
		}
		seen[nd.Span] = true
		if nd.Parent < 0 {
			roots = append(roots, i)
			if nd.Depth != 0 {
				t.Fatalf("root %d has depth %d", i, nd.Depth)
			}
		} else {
			p := tr.Nodes[nd.Parent]
			if nd.Parent >= i || !slices.Contains(p.Children, i) || nd.Depth != p.Depth+1 {
				t.Fatalf("node %d: bad parent link %d (depth %d vs %d)", i, nd.Parent, nd.Depth, p.Depth)
			}
			if nd.Critical && !p.Critical {
				t.Fatalf("critical node %d under non-critical parent %d", i, nd.Parent)
			}
		}
		if nd.SelfTime < 0 || nd.SelfTime > max(nd.Span.Duration, 0) {
			t.Fatalf("node %d: self time %v outside [0, %v]", i, nd.SelfTime, nd.Span.Duration)
		}
		for k, c := range nd.Children {
			if tr.Nodes[c].Parent != i {
				t.Fatalf("child %d of %d names parent %d", c, i, tr.Nodes[c].Parent)
			}
			if k > 0 && tr.Nodes[c].Span.Start.Before(tr.Nodes[nd.Children[k-1]].Span.Start) {
				t.Fatalf("children of %d out of start order", i)
			}
		}
	}
	if !slices.Equal(roots, tr.Roots) && !(len(roots) == 0 && len(tr.Roots) == 0) {
		t.Fatalf("Roots = %v, nodes without parent %v", tr.Roots, roots)
	}
	if v := tr.Visible(nil, false); len(v) != n {
		t.Fatalf("Visible(nil, false) has %d nodes, want %d", len(v), n)
	} else {
		for i, x := range v {
			if x != i {
				t.Fatalf("Visible(nil, false)[%d] = %d", i, x)
			}
		}
	}
}

func TestServicesManyDistinct(t *testing.T) {
	var spans []Span
	var want []string
	for i := range 100 {
		svc := fmt.Sprintf("svc-%03d", i%50)
		spans = append(spans, Span{SpanID: fmt.Sprint(i), Service: svc, Start: t0.Add(time.Duration(i))})
		if i < 50 {
			want = append(want, svc)
		}
	}
	if got := Build(&Trace{Spans: spans}).Services; !slices.Equal(got, want) {
		t.Errorf("Services = %v, want %v", got, want)
	}
}

func TestBuildDeepChain(t *testing.T) {
	const n = 100_000
	spans := make([]Span, n)
	for i := range spans {
		spans[i] = Span{SpanID: fmt.Sprint(i), Start: t0.Add(time.Duration(i)), Duration: time.Duration(2*n - 2*i)}
		if i > 0 {
			spans[i].ParentID = fmt.Sprint(i - 1)
		}
	}
	tr := Build(&Trace{Spans: spans})
	checkInvariants(t, tr, n)
	if last := tr.Nodes[n-1]; last.Depth != n-1 || !last.Critical || len(tr.CriticalPath) != n {
		t.Errorf("deepest node depth %d critical %v, path length %d", last.Depth, last.Critical, len(tr.CriticalPath))
	}
}

func TestBottleneck(t *testing.T) {
	// a 0–100 calls b 0–30 then c 40–90, which calls d 40–85: the path runs
	// a → c → d, and d alone accounts for 45 ms of it.
	tr := Build(&Trace{Spans: []Span{sp("a", "", 0, 100), sp("b", "a", 0, 30), sp("c", "a", 40, 50), sp("d", "c", 40, 45)}})
	if got := tr.Nodes[tr.Bottleneck()].Span.SpanID; got != "d" {
		t.Errorf("Bottleneck = %s, want d\n%s", got, strings.Join(render(tr), "\n"))
	}
	if got := Build(&Trace{}).Bottleneck(); got != -1 {
		t.Errorf("Bottleneck of an empty tree = %d, want -1", got)
	}
}

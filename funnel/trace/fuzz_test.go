package trace

import (
	"strconv"
	"testing"
	"time"
)

// spansFromBytes decodes five bytes per span: span ID (few distinct values,
// so duplicates happen), parent ID (0 = none; values above the ID range are
// missing parents, so orphans happen; cycles happen by chance), start,
// signed duration and status.
func spansFromBytes(data []byte) []Span {
	var spans []Span
	for ; len(data) >= 5; data = data[5:] {
		s := Span{
			SpanID:   strconv.Itoa(int(data[0] % 48)),
			Start:    t0.Add(time.Duration(data[2]) * time.Millisecond),
			Duration: time.Duration(int8(data[3])) * time.Millisecond,
			Status:   StatusCode(data[4] % 3),
		}
		if data[1] != 0 {
			s.ParentID = strconv.Itoa(int(data[1] % 64))
		}
		spans = append(spans, s)
	}
	return spans
}

func FuzzBuild(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{1, 0, 0, 100, 0, 2, 1, 10, 20, 2, 3, 2, 12, 5, 0})
	f.Add([]byte{1, 2, 0, 10, 0, 2, 1, 5, 10, 0})        // cycle
	f.Add([]byte{1, 0, 0, 10, 0, 1, 0, 5, 10, 0})        // duplicate
	f.Add([]byte{1, 60, 0, 10, 0, 2, 1, 200, 250, 1})    // orphan, skew, negative duration
	f.Add([]byte{5, 5, 0, 0, 0, 6, 5, 0, 0, 0, 7, 6, 0}) // self parent, zero durations
	f.Fuzz(func(t *testing.T, data []byte) {
		spans := spansFromBytes(data)
		tr := Build(&Trace{Spans: spans})
		checkInvariants(t, tr, len(spans))
		collapsed := make([]bool, len(tr.Nodes))
		for i := range collapsed {
			collapsed[i] = i%3 == 0
		}
		for _, v := range tr.Visible(collapsed, true) {
			if !tr.Nodes[v].Critical {
				t.Fatalf("Visible(critical only) returned non-critical node %d", v)
			}
		}
		for i := range tr.Nodes {
			bar := tr.Layout(i, 40)
			if bar.From < 0 || bar.To > 40 || bar.From > bar.To {
				t.Fatalf("Layout(%d) = %+v outside [0, 40]", i, bar)
			}
		}
		checkTopSelfTime(t, tr, 3)
		checkTopSelfTime(t, tr, len(tr.Nodes))
		checkErrors(t, tr, spans)
	})
}

// checkTopSelfTime verifies TopSelfTime(n): min(n, nodes) distinct nodes,
// each attributed self time within [0, its span's duration], largest first,
// and no node left out with more than the last one returned.
func checkTopSelfTime(t *testing.T, tr *Tree, n int) {
	t.Helper()
	top := tr.TopSelfTime(n)
	if len(top) != min(n, len(tr.Nodes)) {
		t.Fatalf("TopSelfTime(%d) returned %d of %d nodes", n, len(top), len(tr.Nodes))
	}
	picked := make(map[int]bool, len(top))
	for k, i := range top {
		if i < 0 || i >= len(tr.Nodes) || picked[i] {
			t.Fatalf("TopSelfTime(%d)[%d] = %d: out of range or repeated", n, k, i)
		}
		picked[i] = true
		self := tr.Nodes[i].AttributedSelf()
		if self < 0 || self > max(tr.Nodes[i].Span.Duration, 0) {
			t.Fatalf("node %d: attributed self time %v outside [0, %v]", i, self, tr.Nodes[i].Span.Duration)
		}
		if k > 0 && self > tr.Nodes[top[k-1]].AttributedSelf() {
			t.Fatalf("TopSelfTime(%d) not largest first at %d", n, k)
		}
	}
	if len(top) == 0 {
		return
	}
	least := tr.Nodes[top[len(top)-1]].AttributedSelf()
	for i := range tr.Nodes {
		if !picked[i] && tr.Nodes[i].AttributedSelf() > least {
			t.Fatalf("TopSelfTime(%d) left out node %d (%v) for one with %v", n, i, tr.Nodes[i].AttributedSelf(), least)
		}
	}
}

// checkErrors verifies Errors: the nodes of error spans, in depth-first
// order, as many as the input has error spans.
func checkErrors(t *testing.T, tr *Tree, spans []Span) {
	t.Helper()
	want := 0
	for _, s := range spans {
		if s.Status == StatusError {
			want++
		}
	}
	errs := tr.Errors()
	if len(errs) != want {
		t.Fatalf("Errors() has %d nodes, the input %d error spans", len(errs), want)
	}
	for k, i := range errs {
		if i < 0 || i >= len(tr.Nodes) || tr.Nodes[i].Span.Status != StatusError || k > 0 && i <= errs[k-1] {
			t.Fatalf("Errors()[%d] = %d: not an error node in depth-first order", k, i)
		}
	}
}

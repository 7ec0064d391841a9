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
		_ = tr.TopSelfTime(3)
		_ = tr.Errors()
	})
}

package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
	"github.com/redline-tui/redline/funnel/trace"
)

// hostilePaths are the key paths the hostile walk takes on the pane at
// each depth of the stack (1 SLOs … 5 logs), after the overlays every pane
// has (help, queries, snapshot) and its filter prompt. Each path leaves the
// pane as it found it; every frame along it is checked.
var hostilePaths = map[int][][]string{
	3: {{"e"}, {"e"}, {"i"}, {"i"}},
	4: {
		{"d", "J", "J", "K"}, // detail panel, entry by entry
		{"v", "/", "x", "enter", "n", "N", "/", "esc", "G", "esc"}, // pager: search, matches, scroll
		{"d"},
		{"c", "G"}, {"c"}, // critical path only
		{"n", "h", "l", "space", "space", "g"},
	},
	5: {{"x", "j"}, {"x"}, {"w"}, {"w"}, {"E"}, {"E"}, {"a"}, {"a"}},
}

// hostileFixture puts the hostile text in every field the panes draw:
// names, routes, log lines, SLO caveats, span statuses, attributes and
// events (the detail panel and pager), log labels, warnings.
func hostileFixture(hostile string) fixture {
	data := incident(hostile, hostile, hostile)
	data.statuses[1].Caveat = hostile
	tr := *data.trace
	tr.Warnings = []string{hostile}
	tr.Spans = append([]trace.Span(nil), tr.Spans...)
	for i := range tr.Spans {
		sp := &tr.Spans[i]
		sp.StatusMessage = hostile
		sp.Attributes = []trace.Attr{{Key: hostile, Value: hostile + "\n" + hostile}}
		sp.Events = []trace.Event{{Time: sp.Start, Name: hostile, Attributes: []trace.Attr{{Key: "exception.stacktrace", Value: hostile}}}}
	}
	data.trace = &tr
	for i := range data.lines {
		data.lines[i].Labels = map[string]string{hostile: hostile}
	}
	return data
}

// TestHostileTextNeverReachesTheTerminal feeds the hostile corpus into
// every field of every answer and the context, and walks every pane
// (span logs by L, trace logs by enter), opening the help, queries and
// snapshot overlays and the filter prompt on each and taking every key
// path of hostilePaths: no escape sequence, C1 control or bidi override
// may survive into a frame or a saved snapshot.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	corpus, err := sanitizetest.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	for i, hostile := range corpus {
		f := newFake(hostile, hostileFixture(hostile))
		opts := withSnapshots(t, allFrom(f))
		opts.Context = hostile
		d := newDriver(t, 160, 48, opts)
		w := hostileWalk{t: t, d: d, corpus: i}
		for depth := 1; depth <= 5; depth++ {
			if depth == 5 {
				w.keys("L") // the span's logs first, then the trace's
				w.pane(depth)
				w.keys("esc", "enter")
			}
			w.pane(depth)
			if depth < 5 {
				w.keys("enter")
			}
		}
		if len(d.m().stack) != 5 {
			t.Errorf("corpus %d: walk stopped at %v", i, d.titles())
		}
		for _, path := range savedFiles(t, opts.Snapshot.Dir) {
			if !sanitizetest.Safe(readFile(t, path)) {
				t.Errorf("corpus %d: unsafe text in %s", i, path)
			}
		}
	}
}

// hostileWalk presses keys and checks every frame.
type hostileWalk struct {
	t      *testing.T
	d      *driver
	corpus int
}

// pane takes every path on the focused pane at depth and checks it is
// still focused after each.
func (w hostileWalk) pane(depth int) {
	w.t.Helper()
	paths := append([][]string{{"?"}, {"?"}, {"Q"}, {"Q"}}, hostilePaths[depth]...)
	if depth != 4 { // the table panes' filter prompt; the waterfall has none
		paths = append(paths, []string{"/", "x"}, []string{"esc"})
	}
	w.check(strings.Join(w.d.titles(), " › "))
	for _, path := range paths {
		w.keys(path...)
		if got := len(w.d.m().stack); got != depth {
			w.t.Fatalf("corpus %d: after %v the stack is %v, want depth %d", w.corpus, path, w.d.titles(), depth)
		}
	}
	checkSnapshotOverlay(w.t, w.d, w.corpus, depth)
}

// keys presses each key and checks the frame after it.
func (w hostileWalk) keys(keys ...string) {
	w.t.Helper()
	for _, k := range keys {
		w.d.Keys(k)
		w.check(k)
	}
}

func (w hostileWalk) check(after string) {
	w.t.Helper()
	raw := w.d.m().Render()
	if !sanitizetest.Safe(ansi.Strip(raw)) {
		w.t.Errorf("corpus %d, after %q: unsafe text on screen: %q", w.corpus, after, ansi.Strip(raw))
	}
	if seq := controlSequence(raw); seq != "" {
		w.t.Errorf("corpus %d, after %q: raw frame holds %q", w.corpus, after, seq)
	}
}

// checkSnapshotOverlay opens the snapshot overlay and pages through it.
func checkSnapshotOverlay(t *testing.T, d *driver, corpus, step int) {
	t.Helper()
	d.Keys("s")
	for page := 0; page < len(d.m().snap.lines); page += d.m().snapshotRows() {
		raw := d.m().Render()
		if !sanitizetest.Safe(ansi.Strip(raw)) || controlSequence(raw) != "" {
			t.Errorf("corpus %d, step %d: unsafe text in the snapshot overlay: %q", corpus, step, ansi.Strip(raw))
		}
		d.Keys("pgdown")
	}
	if !sanitizetest.Safe(d.m().snap.text) {
		t.Errorf("corpus %d, step %d: unsafe text in the snapshot", corpus, step)
	}
	d.Keys("esc")
}

// controlSequence returns the first OSC or DCS introducer (7-bit or C1) in
// s, "" when there is none. The frame's own styling uses only CSI.
func controlSequence(s string) string {
	for _, seq := range []string{"\x1b]", "\x1bP", "\x1b_", "\x1b^"} {
		if strings.Contains(s, seq) {
			return seq
		}
	}
	for _, r := range s {
		if r >= 0x80 && r < 0xa0 {
			return string(r)
		}
	}
	return ""
}

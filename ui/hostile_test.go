package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
)

// TestHostileTextNeverReachesTheTerminal feeds the hostile corpus as service
// names, routes, log lines and the context and walks every pane, opening
// the queries and snapshot overlays on each: no escape sequence, C1
// control or bidi override may survive into the frame or a saved snapshot.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	corpus, err := sanitizetest.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	for i, hostile := range corpus {
		f := newFake(hostile, incident(hostile, hostile, hostile))
		opts := withSnapshots(t, allFrom(f))
		opts.Context = hostile
		d := newDriver(t, 160, 48, opts)
		for step := range 5 {
			raw := d.m().Render()
			if !sanitizetest.Safe(ansi.Strip(raw)) {
				t.Errorf("corpus %d, step %d: unsafe text on screen: %q", i, step, ansi.Strip(raw))
			}
			if seq := controlSequence(raw); seq != "" {
				t.Errorf("corpus %d, step %d: raw frame holds %q", i, step, seq)
			}
			d.Keys("x", "Q")
			if !sanitizetest.Safe(ansi.Strip(d.m().Render())) {
				t.Errorf("corpus %d, step %d: unsafe text in the queries overlay", i, step)
			}
			d.Keys("Q")
			checkSnapshotOverlay(t, d, i, step)
			d.Keys("enter")
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

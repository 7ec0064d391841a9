package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/sanitize"
)

// TestHostileTextNeverReachesTheTerminal feeds the hostile corpus as service
// names, routes and log lines and walks every pane: no escape sequence, C1
// control or bidi override may survive into the frame.
func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	corpus, err := sanitize.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	for i, hostile := range corpus {
		f := newFake(hostile, incident(hostile, hostile, hostile))
		d := newDriver(t, 160, 48, allFrom(f))
		for step := range 5 {
			raw := d.m().Render()
			if !sanitize.Safe(ansi.Strip(raw)) {
				t.Errorf("corpus %d, step %d: unsafe text on screen: %q", i, step, ansi.Strip(raw))
			}
			if seq := controlSequence(raw); seq != "" {
				t.Errorf("corpus %d, step %d: raw frame holds %q", i, step, seq)
			}
			d.Keys("x", "Q")
			if !sanitize.Safe(ansi.Strip(d.m().Render())) {
				t.Errorf("corpus %d, step %d: unsafe text in the queries overlay", i, step)
			}
			d.Keys("Q", "enter")
		}
		if len(d.m().stack) != 5 {
			t.Errorf("corpus %d: walk stopped at %v", i, d.titles())
		}
	}
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

package ui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
)

// hugeHostileLine is a 1 MB line mixing the hostile corpus with wide
// characters, so every fragment a pane may cut out of it is hostile too.
func hugeHostileLine(t *testing.T) string {
	corpus, err := sanitizetest.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for i := 0; b.Len() < 1<<20; i++ {
		b.WriteString(corpus[i%len(corpus)])
		b.WriteString("漢字")
	}
	return b.String()
}

// TestHugeHostileLineInEveryPane feeds a 1 MB hostile line as the service
// name, the route and a log line, and walks every pane: each frame fits the
// terminal line by line, and no escape sequence, C1 control or bidi
// override survives into it.
func TestHugeHostileLineInEveryPane(t *testing.T) {
	huge := hugeHostileLine(t)
	const width, height = 120, 40
	d := newDriver(t, width, height, allFrom(newFake("fake", incident(huge, huge, huge))))
	for step := range 5 {
		raw := d.m().Render()
		if !sanitizetest.Safe(ansi.Strip(raw)) {
			t.Fatalf("step %d (%v): unsafe text on screen", step, d.titles())
		}
		if seq := controlSequence(raw); seq != "" {
			t.Fatalf("step %d (%v): raw frame holds %q", step, d.titles(), seq)
		}
		lines := strings.Split(raw, "\n")
		if len(lines) != height {
			t.Fatalf("step %d (%v): frame has %d lines, want %d", step, d.titles(), len(lines), height)
		}
		for i, l := range lines {
			if w := ansi.StringWidth(l); w > width {
				t.Fatalf("step %d (%v): line %d is %d cells wide, terminal has %d", step, d.titles(), i, w, width)
			}
		}
		d.Keys("x", "enter")
	}
	if len(d.m().stack) != 5 {
		t.Errorf("walk stopped at %v", d.titles())
	}
}

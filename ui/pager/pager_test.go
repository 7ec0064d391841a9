package pager

import (
	"fmt"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/theme"
	"github.com/redline-tui/redline/ui/uitest"
)

// stack is a value of 60 numbered lines, one of them too long for 80 cells.
func stack() string {
	var b strings.Builder
	for i := range 60 {
		fmt.Fprintf(&b, "\tat frame%02d (handler.go:%d)\n", i, i*10)
	}
	b.WriteString("caused by: " + strings.Repeat("deadline exceeded ", 10))
	return b.String()
}

func run(t *testing.T, m Model, ks ...string) (Model, Action) {
	t.Helper()
	km := keys.Default()
	var act Action
	for _, k := range ks {
		m, act = m.Update(uitest.Press(k), &km)
	}
	return m, act
}

func TestViewGolden(t *testing.T) {
	st := theme.New(true, true)
	for _, tt := range []struct {
		name          string
		width, height int
		keys          []string
	}{
		{"80x21_top", 80, 21, nil},
		{"80x21_search", 80, 21, []string{"/", "f", "r", "a", "m", "e", "4", "enter", "n"}},
		{"160x45_bottom", 160, 45, []string{"G"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := run(t, New("payments attempt 1 · exception.stacktrace", stack()).SetSize(tt.width, tt.height), tt.keys...)
			view := m.View(&st)
			uitest.RequireSize(t, view, tt.width, tt.height)
			golden.RequireEqual(t, ansi.Strip(view))
		})
	}
}

func TestScrollStaysInRange(t *testing.T) {
	m := New("v", stack()).SetSize(80, 21)
	total := len(m.lines)
	if m, _ = run(t, m, "G", "j", "j"); m.offset != total-m.rows() {
		t.Errorf("bottom then down: offset %d, want %d", m.offset, total-m.rows())
	}
	if m, _ = run(t, m, "g", "k"); m.offset != 0 {
		t.Errorf("top then up: offset %d", m.offset)
	}
	if m, _ = run(t, m, "G"); !strings.Contains(ansi.Strip(m.View(ptr(theme.New(true, true)))), "deadline exceeded") {
		t.Error("the wrapped last line is not on screen at the bottom")
	}
}

func ptr[T any](v T) *T { return &v }

func TestSearchJumpsBetweenMatchesAndWraps(t *testing.T) {
	m := New("v", stack()).SetSize(80, 21)
	m, _ = run(t, m, "/", "F", "R", "A", "M", "E", "1", "enter")
	if !m.isMatch(m.offset) || !strings.Contains(m.lines[m.offset], "frame10") {
		t.Fatalf("search did not scroll to the first match: offset %d %q", m.offset, m.lines[m.offset])
	}
	first := m.offset
	m, _ = run(t, m, "n")
	if m.offset != first+1 || !strings.Contains(m.lines[m.offset], "frame11") {
		t.Errorf("n did not move to the next match: %d", m.offset)
	}
	for range len(m.matches) - 1 {
		m, _ = run(t, m, "n")
	}
	if m.offset != first {
		t.Errorf("n past the last match should wrap to the first, offset %d", m.offset)
	}
	m, _ = run(t, m, "/", "z", "z", "z", "enter")
	if !strings.Contains(ansi.Strip(m.View(ptr(theme.New(true, true)))), "no match for zzz") {
		t.Error("a search without matches does not say so")
	}
}

func TestPromptCapturesKeys(t *testing.T) {
	m, act := run(t, New("v", stack()).SetSize(80, 21), "/", "y", "q")
	if !m.Capturing() || act != None || m.input != "yq" {
		t.Fatalf("the prompt should take y and q as text: capturing %v, action %v, input %q", m.Capturing(), act, m.input)
	}
	m, _ = run(t, m, "esc")
	if m.Capturing() || m.query != "" {
		t.Error("esc should cancel the prompt without searching")
	}
}

func TestActions(t *testing.T) {
	m := New("v", stack()).SetSize(80, 21)
	if _, act := run(t, m, "y"); act != Copy {
		t.Errorf("y: action %v, want Copy", act)
	}
	if _, act := run(t, m, "esc"); act != Close {
		t.Errorf("esc: action %v, want Close", act)
	}
}

func TestHostileValueIsSanitised(t *testing.T) {
	evil := "ok\x1b]52;c;ZXZpbA==\x07\x1b[2J\u202eevil\nline2\x9b31m"
	m := New("title\x1b[31m", evil).SetSize(80, 21)
	if !sanitizetest.Safe(ansi.Strip(m.View(ptr(theme.New(true, true))))) {
		t.Error("the view is not safe for a terminal")
	}
	if !sanitizetest.Safe(m.Text()) || strings.Contains(m.Text(), "\x1b") {
		t.Errorf("the copied text is not sanitised: %q", m.Text())
	}
}

// TestWrapKeepsEveryCharacter: a line whose breakpoint falls one cell past
// the width (ansi.Wrap keeps it there) is wrapped, not cut with "…".
func TestWrapKeepsEveryCharacter(t *testing.T) {
	text := strings.Repeat("x", 80) + "; rest"
	view := ansi.Strip(New("v", text).SetSize(80, 10).View(ptr(theme.New(true, true))))
	if strings.Contains(view, "…") || strings.Count(view, "x") != 80 || !strings.Contains(view, ";") || !strings.Contains(view, "rest") {
		t.Errorf("the value lost characters:\n%s", view)
	}
}

package table

import (
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/theme"
	"github.com/redline-tui/redline/ui/uitest"
)

func TestLayoutDropsByPriority(t *testing.T) {
	cols := []Column{
		{Title: "A", Width: 10},
		{Title: "B", Width: 10, Priority: 2},
		{Title: "C", Width: 10, Flex: true},
		{Title: "D", Width: 10, Priority: 1},
	}
	tests := []struct {
		width int
		want  []int
	}{
		{43, []int{10, 10, 10, 10}},
		{60, []int{10, 10, 27, 10}},
		{42, []int{10, 0, 20, 10}}, // B (priority 2) goes first; C takes the rest
		{32, []int{10, 0, 10, 10}},
		{31, []int{10, 0, 20, 0}}, // then D
		{30, []int{10, 0, 19, 0}},
		{5, []int{10, 0, 10, 0}}, // priority-0 columns are never dropped
	}
	for _, tt := range tests {
		if got := Layout(cols, tt.width); !slices.Equal(got, tt.want) {
			t.Errorf("Layout(width %d) = %v, want %v", tt.width, got, tt.want)
		}
	}
}

// press is the key press of a key name or character.
var press = uitest.Press

func newTable(n int) Model {
	styles := theme.New(true, true)
	km := keys.Default()
	m := New(&styles, &km, Column{Title: "NAME", Width: 8, Flex: true}, Column{Title: "N", Width: 3, Align: AlignRight})
	rows := make([]Row, n)
	for i := range rows {
		name := []string{"alpha", "beta", "gamma", "delta"}[i%4]
		rows[i] = Row{ID: name + string(rune('0'+i)), Cells: []Cell{{Text: name}, {Text: string(rune('0' + i))}}}
	}
	m.SetRows(rows)
	m.SetSize(20, 5)
	return m
}

func TestSelectionMarkerAndScrolling(t *testing.T) {
	m := newTable(8)
	for range 5 {
		m.Update(press("j"))
	}
	view := ansi.Strip(m.View())
	lines := strings.Split(view, "\n")
	if len(lines) != 5 {
		t.Fatalf("view has %d lines, want the table height 5:\n%s", len(lines), view)
	}
	if !strings.HasPrefix(lines[4], "› beta") || !strings.Contains(lines[4], "5") {
		t.Errorf("selected row 5 should be the last line, marked ›:\n%s", view)
	}
	if i, _ := m.Selected(); i != 5 {
		t.Errorf("Selected = %d, want 5", i)
	}
	m.Update(press("G"))
	if i, _ := m.Selected(); i != 7 {
		t.Errorf("after G Selected = %d, want 7", i)
	}
	m.Update(press("g"))
	if i, _ := m.Selected(); i != 0 {
		t.Errorf("after g Selected = %d, want 0", i)
	}
}

func TestFilterPrompt(t *testing.T) {
	m := newTable(8)
	m.Update(press("/"))
	if !m.Capturing() {
		t.Fatal("/ should open the prompt")
	}
	for _, k := range []string{"G", "a", "m"} {
		m.Update(press(k))
	}
	if m.Shown() != 2 || m.Filter() != "Gam" {
		t.Fatalf("filter %q shows %d rows, want 2 gamma rows (case-insensitive)", m.Filter(), m.Shown())
	}
	m.Update(press("enter"))
	if m.Capturing() || m.Shown() != 2 {
		t.Errorf("enter should close the prompt and keep the filter (shown %d)", m.Shown())
	}
	if !strings.Contains(ansi.Strip(m.View()), "/Gam  2 of 8") {
		t.Errorf("filter line missing:\n%s", ansi.Strip(m.View()))
	}
	m.Update(press("/"))
	m.Update(press("esc"))
	if m.Capturing() || m.Shown() != 8 {
		t.Errorf("esc should close the prompt and clear the filter (shown %d)", m.Shown())
	}
}

func TestSelectionFollowsIDAcrossRefresh(t *testing.T) {
	m := newTable(4)
	m.Update(press("j"))
	id, _ := m.SelectedID()
	rows := []Row{
		{ID: "delta3", Cells: []Cell{{Text: "delta"}}},
		{ID: id, Cells: []Cell{{Text: "beta"}}},
	}
	m.SetRows(rows)
	if got, _ := m.SelectedID(); got != id {
		t.Errorf("selection moved to %q, want it kept on %q", got, id)
	}
}

func TestDetailAndWrap(t *testing.T) {
	styles := theme.New(true, true)
	km := keys.Default()
	m := New(&styles, &km, Column{Title: "MSG", Width: 10, Flex: true})
	m.SetRows([]Row{{ID: "1", Cells: []Cell{{Text: "one two three four five"}}}})
	m.SetSize(12, 8)
	m.SetDetail(func(int) []string { return []string{"k = v"} })
	m.ToggleDetail()
	m.SetWrap(true)
	got := ansi.Strip(m.View())
	for _, want := range []string{"› one two", "three four", "five", "    k = v"} {
		if !strings.Contains(got, want) {
			t.Errorf("view lacks %q:\n%s", want, got)
		}
	}
}

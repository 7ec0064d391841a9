// Package uitest drives a Bubble Tea model the way the program does, but
// synchronously, for tests: it runs every command, unwraps batches and feeds
// the resulting messages back until nothing is left to do. Timers must be
// disabled in the model under test (their commands would block). A Ticker
// stands in for the live-refresh timer of a real program under test.
package uitest

import (
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// Driver holds the model under test.
type Driver struct {
	tb    testing.TB
	Model tea.Model
	// Quit is set once the model asked the program to quit.
	Quit bool
}

// New sizes m to width × height and runs its Init.
func New(tb testing.TB, m tea.Model, width, height int) *Driver {
	d := &Driver{tb: tb, Model: m}
	d.Send(tea.WindowSizeMsg{Width: width, Height: height})
	d.Run(d.Model.Init())
	return d
}

// Send gives msg to the model and runs what it returns.
func (d *Driver) Send(msg tea.Msg) {
	var cmd tea.Cmd
	d.Model, cmd = d.Model.Update(msg)
	d.Run(cmd)
}

// Run executes cmd and every command that follows from it.
func (d *Driver) Run(cmd tea.Cmd) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case nil:
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case tea.QuitMsg:
			d.Quit = true
		default:
			var next tea.Cmd
			d.Model, next = d.Model.Update(msg)
			queue = append(queue, next)
		}
	}
}

// Keys presses each key in turn: a name ("enter", "esc", "backspace",
// "up", "down", "left", "right", "space", "pgup", "pgdown", "home", "end")
// or a single character.
func (d *Driver) Keys(names ...string) {
	for _, k := range names {
		d.Send(Press(k))
	}
}

// Press is the key press message for a key name or a single character, as
// a terminal sends it (space also types " ").
func Press(name string) tea.KeyPressMsg {
	if name == "space" {
		return tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}
	}
	codes := map[string]rune{"enter": tea.KeyEnter, "esc": tea.KeyEscape, "backspace": tea.KeyBackspace,
		"down": tea.KeyDown, "up": tea.KeyUp, "left": tea.KeyLeft, "right": tea.KeyRight,
		"pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome, "end": tea.KeyEnd}
	if c, ok := codes[name]; ok {
		return tea.KeyPressMsg{Code: c}
	}
	return tea.KeyPressMsg{Code: []rune(name)[0], Text: name}
}

// NeverTick is a timer that never fires, for models under test (see
// ui.Options.Ticker).
func NeverTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// RequireSize fails tb unless view is exactly width×height cells.
func RequireSize(tb testing.TB, view string, width, height int) {
	tb.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) != height {
		tb.Fatalf("view has %d lines, want %d", len(lines), height)
	}
	for i, l := range lines {
		if w := ansi.StringWidth(l); w != width {
			tb.Fatalf("line %d is %d cells wide, want %d: %q", i, w, width, ansi.Strip(l))
		}
	}
}

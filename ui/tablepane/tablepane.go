// Package tablepane is what the funnel's table panes (SLOs, routes, traces,
// logs) share: the backend request behind the rows, the table sized to the
// pane, and the pane's layout of title, notice, table and footer. A pane
// embeds Base and keeps only what is its own: its columns, how an answer
// becomes rows, its keys and its drill.
package tablepane

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/ui/fetch"
	"github.com/redline-tui/redline/ui/frame"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/table"
)

// Base is embedded by a table pane whose rows come from answers of type T.
// It gives the pane Init, Close, Capturing and Loading.
type Base[T any] struct {
	Env     pane.Env
	Request fetch.Request[T]
	Table   table.Model
	width   int
	height  int
}

// New returns the base of a pane built with env whose answers come from
// backend through caller and are drawn in columns.
func New[T any](env pane.Env, backend string, caller fetch.Caller[T], columns ...table.Column) Base[T] {
	return Base[T]{
		Env:     env,
		Request: fetch.NewRequest(env, backend, caller),
		Table:   table.New(env.Styles, env.Keys, columns...),
	}
}

// Init sends the first request.
func (b *Base[T]) Init() tea.Cmd { return b.Request.Load() }

// Handle routes one message of the pane's Update: a key press to the
// table (movement, filter) and, when the table does not use it, to key; an
// answer to the request, which hands a fresh one to receive; a refresh or a
// range change to the request. It returns the command to run.
func (b *Base[T]) Handle(msg tea.Msg, receive func(T), key func(tea.KeyPressMsg) tea.Cmd) tea.Cmd {
	if press, ok := msg.(tea.KeyPressMsg); ok {
		if b.Table.Update(press) {
			return nil
		}
		return key(press)
	}
	value, fresh, cmd := b.Request.Update(msg)
	if fresh {
		receive(value)
	}
	return cmd
}

// Drilled reports the selected row when press is the drill key.
func (b *Base[T]) Drilled(press tea.KeyPressMsg) (row int, ok bool) {
	if !key.Matches(press, b.Env.Keys.Global.Drill) {
		return 0, false
	}
	return b.Table.Selected()
}

// Resize lays the pane out in width × height cells; the table gets the
// body.
func (b *Base[T]) Resize(width, height int) {
	b.width, b.height = width, height
	b.Table.SetSize(width, frame.BodyHeight(height))
}

// Close cancels the request in flight.
func (b *Base[T]) Close() { b.Request.Cancel() }

// Capturing reports whether the table's filter prompt is open.
func (b *Base[T]) Capturing() bool { return b.Table.Capturing() }

// Loading reports whether a request is in flight.
func (b *Base[T]) Loading() bool { return b.Request.InFlight() }

// Parts are what a pane draws around its table, styled.
type Parts struct {
	Title    string   // the title line
	What     string   // what the pane loads, named while loading ("SLOs")
	Warnings []string // the last answer's warnings, shown when it succeeded
	Empty    string   // said instead of the table when the answer had no rows
	Footer   []string // lines about the selection
}

// Frame draws the pane: the title; the request's notice (loading, error) or
// else the warnings; the table, nothing before the first answer or Empty
// when it had no rows; the footer.
func (b *Base[T]) Frame(p Parts) string {
	notice := b.Request.Notice(p.What, p.Warnings)
	parts := frame.Parts{Title: p.Title, Notice: notice, Body: b.body(p.Empty), Footer: p.Footer}
	return frame.Render(parts, b.width, b.height)
}

func (b *Base[T]) body(empty string) string {
	switch {
	case !b.Request.Loaded():
		return ""
	case b.Table.Len() == 0:
		return b.Env.Styles.Muted.Render(empty)
	default:
		return b.Table.View()
	}
}

// Package keys holds every key binding of redline in one place. Panes read
// their bindings from a KeyMap; the help overlay and the README keys table
// are generated from it, so they cannot drift apart.
package keys

import (
	"fmt"
	"reflect"
	"strings"

	"charm.land/bubbles/v2/key"
)

// Global are the bindings active on every pane.
type Global struct {
	Quit         key.Binding
	Help         key.Binding
	Back         key.Binding
	Drill        key.Binding
	Refresh      key.Binding
	Pause        key.Binding
	Earlier      key.Binding // shift the time range into the past
	Later        key.Binding // shift the time range towards now
	Filter       key.Binding
	ShowQueries  key.Binding
	Snapshot     key.Binding
	CopySnapshot key.Binding
}

// List are the movement bindings shared by every list-shaped pane.
type List struct {
	Up       key.Binding
	Down     key.Binding
	PageUp   key.Binding
	PageDown key.Binding
	Top      key.Binding
	Bottom   key.Binding
}

// Traces are the bindings of the trace list.
type Traces struct {
	ToggleErrors   key.Binding // slowest vs erroring traces
	IncludePartial key.Binding // pick the slowest trace among partial ones too
}

// Waterfall are the bindings of the span waterfall.
type Waterfall struct {
	Collapse     key.Binding
	Expand       key.Binding
	Toggle       key.Binding // collapse/expand the selected span
	CriticalOnly key.Binding
	Details      key.Binding
	SpanLogs     key.Binding
	TraceLogs    key.Binding
	NextError    key.Binding
	DetailNext   key.Binding // select the next entry of the span detail panel
	DetailPrev   key.Binding
	DetailOpen   key.Binding // read the selected detail value in the pager
}

// Pager are the bindings of the full-screen pager that shows one long
// value; it scrolls with the List keys, searches with Global.Filter and
// closes with Global.Back.
type Pager struct {
	NextMatch key.Binding
	PrevMatch key.Binding
	Copy      key.Binding
}

// Logs are the bindings of the log pane.
type Logs struct {
	Expand    key.Binding // show the selected line's JSON/logfmt fields
	Wrap      key.Binding
	SpanOnly  key.Binding // span-only vs whole trace
	ErrorsTop key.Binding
}

// KeyMap is every binding, grouped by where it applies.
type KeyMap struct {
	Global    Global
	List      List
	Traces    Traces
	Waterfall Waterfall
	Logs      Logs
	Pager     Pager
}

func bind(help string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(keyHelp(keys), help))
}

// keyHelp renders the keys for help: "enter", "esc/backspace".
func keyHelp(keys []string) string { return strings.Join(keys, "/") }

// Hints renders bindings on one line as "x expand fields · w wrap lines · …".
func Hints(bindings ...key.Binding) string {
	parts := make([]string, len(bindings))
	for i, b := range bindings {
		h := b.Help()
		parts[i] = h.Key + " " + h.Desc
	}
	return strings.Join(parts, " · ")
}

// Default returns a fresh KeyMap with redline's default bindings.
func Default() KeyMap {
	return KeyMap{
		Global: Global{
			Quit:         bind("quit", "q", "ctrl+c"),
			Help:         bind("toggle full help", "?"),
			Back:         bind("back", "esc", "backspace"),
			Drill:        bind("drill in", "enter"),
			Refresh:      bind("refresh now", "r"),
			Pause:        bind("pause/resume live refresh", "p"),
			Earlier:      bind("shift time range earlier", "["),
			Later:        bind("shift time range later", "]"),
			Filter:       bind("filter", "/"),
			ShowQueries:  bind("show queries", "Q"),
			Snapshot:     bind("incident snapshot", "s"),
			CopySnapshot: bind("copy snapshot (OSC 52)", "y"),
		},
		List: List{
			Up:       bind("up", "up", "k"),
			Down:     bind("down", "down", "j"),
			PageUp:   bind("page up", "pgup", "ctrl+u"),
			PageDown: bind("page down", "pgdown", "ctrl+d"),
			Top:      bind("top", "home", "g"),
			Bottom:   bind("bottom", "end", "G"),
		},
		Traces: Traces{
			ToggleErrors:   bind("slowest / erroring traces", "e"),
			IncludePartial: bind("pick partial traces too", "i"),
		},
		Waterfall: Waterfall{
			Collapse:     bind("collapse", "left", "h"),
			Expand:       bind("expand", "right", "l"),
			Toggle:       bind("collapse/expand", "space"),
			CriticalOnly: bind("critical path only", "c"),
			Details:      bind("span details", "d"),
			SpanLogs:     bind("logs of span", "L"),
			TraceLogs:    bind("logs of trace", "enter"),
			NextError:    bind("next error span", "n"),
			DetailNext:   bind("next detail", "J"),
			DetailPrev:   bind("previous detail", "K"),
			DetailOpen:   bind("value in pager", "v"),
		},
		Logs: Logs{
			Expand:    bind("expand fields", "x"),
			Wrap:      bind("wrap lines", "w"),
			SpanOnly:  bind("span only / whole trace", "a"),
			ErrorsTop: bind("errors first", "E"),
		},
		Pager: Pager{
			NextMatch: bind("next match", "n"),
			PrevMatch: bind("previous match", "N"),
			Copy:      bind("copy value (OSC 52)", "y"),
		},
	}
}

// Group is one titled set of bindings, for the full help overlay and the
// README keys table.
type Group struct {
	Name     string
	Bindings []key.Binding
}

// Groups returns every binding of k, grouped as in KeyMap and in field
// order. It walks the structs by reflection so a binding added to any group
// shows up in help without further wiring.
func (k KeyMap) Groups() []Group {
	return []Group{
		{Name: "global", Bindings: fieldBindings(k.Global)},
		{Name: "lists", Bindings: fieldBindings(k.List)},
		{Name: "traces", Bindings: fieldBindings(k.Traces)},
		{Name: "waterfall", Bindings: fieldBindings(k.Waterfall)},
		{Name: "logs", Bindings: fieldBindings(k.Logs)},
		{Name: "pager", Bindings: fieldBindings(k.Pager)},
	}
}

// fieldBindings returns the key.Binding fields of the struct v in order.
func fieldBindings(v any) []key.Binding {
	rv := reflect.ValueOf(v)
	out := make([]key.Binding, 0, rv.NumField())
	for i := range rv.NumField() {
		if b, ok := rv.Field(i).Interface().(key.Binding); ok {
			out = append(out, b)
		}
	}
	return out
}

// MarkdownTable renders every binding as a Markdown table (area, keys,
// action), the keys table of README.md.
func (k KeyMap) MarkdownTable() string {
	var b strings.Builder
	b.WriteString("| where | keys | action |\n|---|---|---|\n")
	for _, g := range k.Groups() {
		for _, bind := range g.Bindings {
			h := bind.Help()
			fmt.Fprintf(&b, "| %s | `%s` | %s |\n", g.Name, strings.ReplaceAll(h.Key, "|", `\|`), h.Desc)
		}
	}
	return b.String()
}

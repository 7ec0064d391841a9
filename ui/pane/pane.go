// Package pane is the contract between the root model and the one pane per
// funnel step: the Pane interface, the environment every pane is built with,
// and the messages panes return for the root to act on (an Intent drills
// into the next step, a Health reports a backend). Panes never reach into
// the root or into each other; they return intents as messages.
package pane

import (
	"context"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/snapshot"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/theme"
)

// Env is what every pane is built with. Styles and Keys are shared pointers
// owned by the root (styles are rebuilt in place when the terminal reports
// its background).
type Env struct {
	Ctx    context.Context // the program's context; a pane derives its own cancellable one
	Styles *theme.Styles
	Keys   *keys.KeyMap
	Range  funnel.TimeRange
	Now    func() time.Time
}

// Pane is one step of the funnel. Every pane is a pointer to its model
// (Update and SetSize change it in place and return it) and asserts the
// contract at compile time with var _ pane.Pane = (*Model)(nil).
type Pane interface {
	// Title is the pane's breadcrumb segment, e.g. "checkout" or "POST /api/checkout".
	Title() string
	// Init starts the pane's queries.
	Init() tea.Cmd
	Update(msg tea.Msg) (Pane, tea.Cmd)
	// View renders exactly the pane's area (see SetSize); it only reads state.
	View() string
	SetSize(width, height int) Pane
	// Close cancels the pane's in-flight queries; called when it is popped.
	Close()
	// Help lists the pane's own bindings (global ones are added by the root).
	Help() []key.Binding
	// Capturing reports whether the pane is consuming keys itself (e.g. a
	// filter prompt is open), so the root must not act on global keys.
	Capturing() bool
	// Queries are the exact queries behind what the pane draws (the queries
	// overlay, key Q); nil before the first answer.
	Queries() []funnel.Query
	// Loading reports whether a request of the pane is in flight (the
	// status bar's refresh state).
	Loading() bool
	// ContributeSnapshot adds what the pane shows to an incident snapshot;
	// the root asks every pane of the stack, first to focused.
	snapshot.Contributor
}

// Refresh asks the focused pane to re-run its queries (key r, or the live
// refresh tick when Live). Panes keep at most one refresh in flight; a pane
// whose data cannot change any more (a finished trace) may skip live ones.
type Refresh struct{ Live bool }

// RangeChanged tells panes that the time range moved ([ and ]).
type RangeChanged struct{ Range funnel.TimeRange }

// Intent is what a pane returns (through a tea.Cmd) to drill into the next
// step: the root pushes the pane the intent names onto the navigation
// stack, if the pane that returned it is still the focused one (keys
// pressed before a drill lands do not drill again). The intents are the types below; the root's one switch over them
// builds the next pane.
type Intent interface{ intent() }

func (OpenRoutes) intent() {}
func (OpenTraces) intent() {}
func (OpenTrace) intent()  {}
func (OpenLogs) intent()   {}

// The intents, one per drill of the funnel.
type (
	// OpenRoutes drills from an SLO into its service's routes.
	OpenRoutes struct {
		Service string
		Status  slo.Status
	}
	// OpenTraces drills from a route into its slow and failing traces.
	OpenTraces struct {
		Service string
		Row     red.Row
	}
	// OpenTrace drills from a trace summary into its waterfall.
	OpenTrace struct {
		Summary trace.Summary
		Range   funnel.TimeRange
	}
	// OpenLogs drills from a trace (or one of its spans) into its log lines.
	OpenLogs struct {
		TraceID  string
		SpanID   string // "" for the whole trace
		Services []string
		Range    funnel.TimeRange // the trace's own time span; the log source widens it
	}
)

// OpenPager asks the root to show one long value (untrusted) full-screen
// over the focused pane, to scroll, search and copy; Esc returns to the
// pane. It is not a drill: the stack does not change.
type OpenPager struct {
	Title string
	Text  string
}

// Health reports the outcome of a backend call so the status bar can show
// per-backend health. Err nil means the backend answered.
type Health struct {
	Backend string
	Err     error
	At      time.Time
	Latency time.Duration
}

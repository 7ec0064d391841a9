// Package ui is redline's root Bubble Tea model: a navigation stack of
// funnel panes (SLOs → routes → traces → waterfall → logs) between a
// breadcrumb bar and a status bar, the global keys, live refresh, the time
// range, the help and queries overlays, and incident snapshots of the path
// walked (key s shows and saves one, y copies it with OSC 52). The root only
// routes: panes own their data and queries and return intents (package
// pane) to drill further; an entry (Options.Entry: --alert, --slo,
// --service, --route) has the root drill for the user as the panes load.
package ui

import (
	"context"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui/clipboard"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/logview"
	"github.com/redline-tui/redline/ui/pager"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/redview"
	"github.com/redline-tui/redline/ui/sloview"
	"github.com/redline-tui/redline/ui/statusbar"
	"github.com/redline-tui/redline/ui/theme"
	"github.com/redline-tui/redline/ui/traceview"
	"github.com/redline-tui/redline/ui/waterfall"
)

// Metrics is what the SLO and RED steps need (sources/prometheus, sources/demo).
type Metrics interface {
	sloview.Source
	redview.Source
}

// Traces is what the trace list and the waterfall need (sources/tempo,
// sources/jaeger, sources/demo).
type Traces interface {
	traceview.Source
	waterfall.Source
}

// Logs is what the log step needs (sources/loki, sources/demo).
type Logs interface {
	logview.Source
}

// Defaults.
const (
	DefaultWindow  = time.Hour
	DefaultRefresh = 30 * time.Second
)

// Sources are the backends of the funnel's steps. Metrics is required;
// without Traces or Logs the funnel stops before those steps, saying how
// to add them.
type Sources struct {
	Metrics Metrics
	Traces  Traces
	Logs    Logs
	// AddTraces and AddLogs say how to configure the missing backend, e.g.
	// "start redline with --tempo URL or --jaeger ADDR".
	AddTraces, AddLogs string
}

// Options configure the root model. Without Traces or Logs the funnel stops
// before those steps and says how to configure them.
type Options struct {
	Ctx context.Context // cancelled when the program ends; default Background
	Sources
	Now func() time.Time // default time.Now
	// Range is the initial time range; when zero, the Window ending now.
	Range           funnel.TimeRange
	Window          time.Duration
	RefreshInterval time.Duration // live refresh period; default 30s
	NoColor         bool
	Context         string // what redline looks at, shown first in the breadcrumb (e.g. "demo")
	Version         string
	// Ticker starts the live refresh timer; default tea.Tick (tests pass
	// uitest.NeverTick).
	Ticker func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
	// Snapshot configures incident snapshots.
	Snapshot SnapshotOptions
	// Entry opens the funnel where it says (an alert's SLO, an SLO, a
	// service, a route) instead of on the SLO list: the stack is built as
	// the panes load (see entry).
	Entry walk.Entry
	// Secrets are the credentials of the backends, scrubbed from every
	// answer, error and snapshot (see clean.go); nil scrubs none.
	Secrets *sanitize.Secrets
}

// overlay is what covers the focused pane, if anything.
type overlay int

const (
	noOverlay overlay = iota
	helpOverlay
	queriesOverlay
	snapshotOverlay
	pagerOverlay
)

// Model is the root model.
type Model struct {
	opts   Options
	styles *theme.Styles
	keys   *keys.KeyMap
	stack  []pane.Pane // never empty; the last one has focus
	status statusbar.Model
	rng    funnel.TimeRange
	// following: the range ends now and moves with the clock on live refresh.
	following bool
	paused    bool
	overlay   overlay
	notice    string // one-shot message in the help line, cleared by the next key
	noticeOK  bool   // the notice reports a success, not a problem
	snap      snapshotView
	pager     pager.Model // the value shown in the pager overlay
	entry     entry       // the stack an entry asks for, while it is built
	width     int
	height    int
}

// liveTick fires every RefreshInterval.
type liveTick struct{}

// New builds the root model with the SLO pane focused.
func New(opts Options) Model {
	opts = cleanSources(withDefaults(opts))
	styles := theme.New(true, opts.NoColor)
	km := keys.Default()
	m := Model{
		opts:      opts,
		styles:    &styles,
		keys:      &km,
		rng:       opts.Range,
		following: opts.Range.End.Equal(opts.Now()),
		status:    statusbar.New(&styles, backendNames(opts)...),
	}
	m.stack = []pane.Pane{sloview.New(m.env(), opts.Metrics)}
	m.entry = newEntry(opts.Entry)
	if m.entry.stage != entryDone {
		m.setNotice("opening "+opts.Entry.String()+" once the SLOs load…", true)
	}
	return m
}

func withDefaults(o Options) Options {
	if o.Ctx == nil {
		o.Ctx = context.Background()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Window <= 0 {
		o.Window = DefaultWindow
	}
	if o.Range.End.IsZero() {
		o.Range = funnel.Last(o.Window, o.Now())
	}
	if o.Ticker == nil {
		o.Ticker = tea.Tick
	}
	if o.RefreshInterval <= 0 {
		o.RefreshInterval = DefaultRefresh
	}
	return o
}

func backendNames(o Options) []string {
	var names []string
	if o.Metrics != nil {
		names = append(names, o.Metrics.Name())
	}
	if o.Traces != nil {
		names = append(names, o.Traces.Name())
	}
	if o.Logs != nil {
		names = append(names, o.Logs.Name())
	}
	return names
}

// env is what a new pane is built with: the current range and shared styles.
func (m Model) env() pane.Env {
	return pane.Env{Ctx: m.opts.Ctx, Styles: m.styles, Keys: m.keys, Range: m.rng, Now: m.opts.Now}
}

// Init asks for the terminal background, starts the SLO queries and live
// refresh.
func (m Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, fromDepth(len(m.stack), m.focused().Init()), m.nextTick())
}

func (m Model) nextTick() tea.Cmd {
	return m.opts.Ticker(m.opts.RefreshInterval, func(time.Time) tea.Msg { return liveTick{} })
}

func (m Model) focused() pane.Pane { return m.stack[len(m.stack)-1] }

// Update routes a message: global messages and keys here, intents to the
// stack, everything else (answers to queries) to every pane, which drop
// what is not theirs by type and generation.
func (m Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		return m.resize(msg.Width, msg.Height), nil
	case tea.BackgroundColorMsg:
		*m.styles = theme.New(msg.IsDark(), m.opts.NoColor)
		return m, nil
	case tea.KeyPressMsg:
		return m.keyPress(msg)
	case pane.Health:
		m.status.Record(msg)
		return m, nil
	case drill:
		if msg.depth != len(m.stack) {
			return m, nil
		}
		m.entry.stage = entryDone // the user drills: the entry is given up
		return m.open(msg.intent)
	case pane.Intent:
		return m.open(msg)
	case pane.OpenPager:
		m.pager, m.overlay = pager.New(msg.Title, msg.Text).SetSize(m.paneSize()), pagerOverlay
		return m, nil
	case liveTick:
		return m.tick()
	case clipboard.Delivered:
		return m.delivered(msg)
	}
	m, cmd := m.broadcast(msg)
	m, landed := m.landEntry()
	return m, tea.Batch(cmd, landed)
}

// setNotice shows text, sanitised, in the help line until the next key.
func (m *Model) setNotice(text string, ok bool) {
	m.notice, m.noticeOK = sanitize.Line(text), ok
}

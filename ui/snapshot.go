package ui

import (
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/snapshot"
	"github.com/redline-tui/redline/ui/clipboard"
)

// SnapshotOptions configure incident snapshots (keys s and y).
type SnapshotOptions struct {
	// DenyKeys are attribute and label keys whose values are masked, in
	// addition to snapshot.DefaultDenyKeys.
	DenyKeys []string
	// Dir is where snapshot files are saved; "" means clipboard.DefaultDir
	// ($XDG_STATE_HOME/redline/snapshots).
	Dir string
	// Links configures Grafana Explore and Jaeger UI deep links.
	Links snapshot.Links
	// Terminal describes the terminal OSC 52 goes to (tmux, screen, size
	// cap); cmd/redline reads it from the environment.
	Terminal clipboard.Env
}

// snapshotFormat is the format of the overlay, the file and the copy:
// Markdown reads as text in a terminal and renders in incident docs.
const snapshotFormat = snapshot.FormatMarkdown

// snapshotView is a rendered snapshot shown in the overlay. Rendering
// happens once, in Update; View only slices lines.
type snapshotView struct {
	text   string         // what the file holds and y copies
	file   clipboard.File // names the saved file (Content empty)
	source []string       // text split into lines
	lines  []string       // source wrapped to the terminal's width
	offset int            // first line shown
	saved  string         // the last delivery's report, "" until one arrives
}

// wrapped is v with its lines wrapped to width: the overlay shows every
// word (the path, long log lines) rather than cutting lines.
func (v snapshotView) wrapped(width int) snapshotView {
	v.lines = make([]string, 0, len(v.source))
	for _, l := range v.source {
		v.lines = append(v.lines, strings.Split(ansi.Wrap(l, max(width, 1), ""), "\n")...)
	}
	v.offset = min(v.offset, max(len(v.lines)-1, 0))
	return v
}

// maxReportLines caps the delivery report above the snapshot text.
const maxReportLines = 3

// renderSnapshot collects the funnel path from the first pane to the
// focused one and renders it as Markdown.
func (m Model) renderSnapshot() (snapshotView, error) {
	base := snapshot.Input{Context: m.opts.Context, Range: m.rng, Now: m.opts.Now(), Links: m.opts.Snapshot.Links, DenyKeys: m.opts.Snapshot.DenyKeys}
	s := snapshot.FromFunnel(snapshot.Collect(base, m.stack))
	text, err := snapshot.String(s, snapshotFormat, snapshot.Options{DenyKeys: m.opts.Snapshot.DenyKeys, Secrets: m.opts.Secrets})
	if err != nil {
		return snapshotView{}, err
	}
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	file := clipboard.File{Time: s.GeneratedAt, Service: s.Service(), Ext: snapshotFormat.Ext()}
	return snapshotView{text: text, file: file, source: lines}.wrapped(m.width), nil
}

func (m Model) delivery(v snapshotView) clipboard.Delivery {
	return clipboard.Delivery{Dir: m.opts.Snapshot.Dir, File: v.file, Env: m.opts.Snapshot.Terminal}
}

// openSnapshot renders the snapshot, shows it in the overlay and saves it.
func (m Model) openSnapshot() (Model, tea.Cmd) {
	v, err := m.renderSnapshot()
	if err != nil {
		m.setNotice("snapshot: "+err.Error(), false)
		return m, nil
	}
	m.snap, m.overlay = v, snapshotOverlay
	return m, clipboard.SaveCmd(v.text, m.delivery(v))
}

// copySnapshot saves the snapshot and copies it with OSC 52: the one shown
// in the overlay, else a fresh one of the current path.
func (m Model) copySnapshot() (Model, tea.Cmd) {
	v := m.snap
	if m.overlay != snapshotOverlay {
		var err error
		if v, err = m.renderSnapshot(); err != nil {
			m.setNotice("snapshot: "+err.Error(), false)
			return m, nil
		}
	}
	return m, clipboard.DeliverCmd(v.text, m.delivery(v))
}

// delivered reports where the snapshot went and hands the OSC 52 sequence
// to Bubble Tea, which writes it between frames.
func (m Model) delivered(d clipboard.Delivered) (Model, tea.Cmd) {
	m.setNotice(d.Result.Message(), d.Result.Err == nil)
	if m.overlay == snapshotOverlay {
		m.snap.saved = m.notice
		m.snap.offset = min(m.snap.offset, max(len(m.snap.lines)-m.snapshotRows(), 0))
	}
	if d.Sequence == "" {
		return m, nil
	}
	return m, tea.Raw(d.Sequence)
}

// snapshotKey handles a key while the snapshot overlay is shown: movement
// keys scroll, s and esc close it, ? and Q switch overlays, y copies (see
// keyPress), anything else closes it.
func (m Model) snapshotKey(msg tea.KeyPressMsg) Model {
	l := m.keys.List
	page := m.snapshotRows()
	switch {
	case key.Matches(msg, l.Up):
		m.snap.offset--
	case key.Matches(msg, l.Down):
		m.snap.offset++
	case key.Matches(msg, l.PageUp):
		m.snap.offset -= page
	case key.Matches(msg, l.PageDown):
		m.snap.offset += page
	case key.Matches(msg, l.Top):
		m.snap.offset = 0
	case key.Matches(msg, l.Bottom):
		m.snap.offset = len(m.snap.lines)
	default:
		m.overlay = m.toggledOverlay(msg)
		return m
	}
	m.snap.offset = min(max(m.snap.offset, 0), max(len(m.snap.lines)-page, 0))
	return m
}

// snapshotRows is how many snapshot lines the overlay shows under its
// title and report.
func (m Model) snapshotRows() int {
	_, height := m.paneSize()
	return max(height-1-len(m.snapshotReport()), 1)
}

// snapshotReport is where the snapshot went (or why not), wrapped to the
// width: the path and the reason a copy failed both matter.
func (m Model) snapshotReport() []string {
	if m.snap.saved == "" {
		return []string{"saving…"}
	}
	lines := strings.Split(ansi.Wrap(m.snap.saved, max(m.width, 1), ""), "\n")
	return lines[:min(len(lines), maxReportLines)]
}

// snapshotOverlayView draws the title, the delivery report and the lines
// that fit: its cost follows the pane height, not the snapshot's length.
func (m Model) snapshotOverlayView() string {
	v := m.snap
	rows := m.snapshotRows()
	end := min(v.offset+rows, len(v.lines))
	position := fmt.Sprintf("  lines %d–%d of %d", min(v.offset+1, end), end, len(v.lines))
	report := m.snapshotReport()
	out := make([]string, 0, 1+len(report)+rows)
	out = append(out, m.styles.Title.Render("Incident snapshot (Markdown)")+m.styles.Muted.Render(position))
	for _, l := range report {
		out = append(out, m.styles.Muted.Render(ansi.Truncate(l, m.width, "…")))
	}
	for _, l := range v.lines[v.offset:end] {
		if strings.HasPrefix(l, "#") {
			l = m.styles.Header.Render(l)
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

// snapshotHelp are the bindings the help line lists over the snapshot.
func (m Model) snapshotHelp() []key.Binding {
	g, l := m.keys.Global, m.keys.List
	return []key.Binding{g.CopySnapshot, g.Back, l.Down, l.PageDown, l.Up, l.PageUp, g.Quit}
}

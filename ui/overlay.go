package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/ui/clipboard"
	"github.com/redline-tui/redline/ui/pager"
)

// helpView lists every binding of the key map, group by group, flowed
// into as many columns as the height needs, each column as wide as its own
// keys and descriptions (the widest give way when the screen is narrow).
func (m Model) helpView() string {
	_, height := m.paneSize()
	title := m.styles.Title.Render("redline " + m.opts.Version + " — keys")
	entries := m.helpEntries()
	rows := max(height-2, 1)
	var blocks [][]helpEntry
	for start := 0; start < len(entries); start += rows {
		blocks = append(blocks, entries[start:min(start+rows, len(entries))])
	}
	widths := fitWidths(blockWidths(blocks), m.width-len(blocks)+1)
	rendered := make([][]string, len(blocks))
	for i, b := range blocks {
		rendered[i] = m.renderBlock(b, widths[i])
	}
	return title + "\n\n" + sideBySide(rendered, widths)
}

// helpEntry is a group heading (key "") or one binding.
type helpEntry struct{ key, desc string }

// helpEntries are a heading per group of keys then one entry per binding.
func (m Model) helpEntries() []helpEntry {
	var out []helpEntry
	for _, g := range m.keys.Groups() {
		out = append(out, helpEntry{desc: g.Name})
		for _, b := range g.Bindings {
			out = append(out, helpEntry{key: b.Help().Key, desc: b.Help().Desc})
		}
	}
	return out
}

// keyWidth is the widest key of a block.
func keyWidth(block []helpEntry) int {
	w := 0
	for _, e := range block {
		w = max(w, ansi.StringWidth(e.key))
	}
	return w
}

// blockWidths are the widths the blocks need to show everything.
func blockWidths(blocks [][]helpEntry) []int {
	out := make([]int, len(blocks))
	for i, b := range blocks {
		kw := keyWidth(b)
		for _, e := range b {
			w := ansi.StringWidth(e.desc)
			if e.key != "" {
				w += kw + 1
			}
			out[i] = max(out[i], w)
		}
	}
	return out
}

// fitWidths shrinks the widest of widths, one cell at a time, until they
// add up to at most total.
func fitWidths(widths []int, total int) []int {
	sum := 0
	for _, w := range widths {
		sum += w
	}
	for ; sum > total && sum > len(widths); sum-- {
		i := 0
		for j, w := range widths {
			if w > widths[i] {
				i = j
			}
		}
		widths[i]--
	}
	return widths
}

// renderBlock draws a block's entries, keys aligned, cut to width.
func (m Model) renderBlock(block []helpEntry, width int) []string {
	kw := keyWidth(block)
	out := make([]string, len(block))
	for i, e := range block {
		line := m.styles.Header.Render(e.desc)
		if e.key != "" {
			line = e.key + strings.Repeat(" ", kw-ansi.StringWidth(e.key)+1) + e.desc
		}
		out[i] = ansi.Truncate(line, max(width, 1), "…")
	}
	return out
}

// sideBySide joins blocks of lines as columns of the given widths, one
// space apart.
func sideBySide(blocks [][]string, widths []int) string {
	rows := 0
	for _, b := range blocks {
		rows = max(rows, len(b))
	}
	out := make([]string, rows)
	for r := range rows {
		var line strings.Builder
		for i, b := range blocks {
			cell := ""
			if r < len(b) {
				cell = b[r]
			}
			if i < len(blocks)-1 {
				cell += strings.Repeat(" ", max(widths[i]-ansi.StringWidth(cell), 0)+1)
			}
			line.WriteString(cell)
		}
		out[r] = strings.TrimRight(line.String(), " ")
	}
	return strings.Join(out, "\n")
}

// queriesView shows the exact queries behind the focused pane.
func (m Model) queriesView() string {
	title := m.styles.Title.Render("Queries behind " + m.focused().Title())
	queries := m.focused().Queries()
	if len(queries) == 0 {
		return title + "\n\n" + m.styles.Muted.Render("No queries yet: the pane has not received an answer.")
	}
	lines := []string{title, ""}
	for _, query := range queries {
		head := string(query.Language) + " · " + query.Backend + " · " + query.Purpose
		lines = append(lines, m.styles.Header.Render(head))
		for _, l := range strings.Split(query.Text, "\n") {
			for _, w := range strings.Split(ansi.Wrap(l, max(m.width-2, 10), ""), "\n") {
				lines = append(lines, "  "+w)
			}
		}
		lines = append(lines, m.styles.Muted.Render("  over "+query.Range.String()))
		if query.NotSent != "" {
			lines = append(lines, m.styles.Muted.Render("  not sent: "+query.NotSent))
		}
	}
	return strings.Join(lines, "\n")
}

// pagerKey hands a key to the pager overlay and acts on what it asks:
// closing it, or copying its value with OSC 52 (through Bubble Tea's own
// writer, like a snapshot).
func (m Model) pagerKey(msg tea.KeyPressMsg) (Model, tea.Cmd) {
	var act pager.Action
	m.pager, act = m.pager.Update(msg, m.keys)
	switch act {
	case pager.Close:
		m.overlay = noOverlay
	case pager.Copy:
		seq, err := clipboard.Sequence(m.pager.Text(), m.opts.Snapshot.Terminal)
		if err != nil {
			m.setNotice("value not copied: "+err.Error(), false)
			return m, nil
		}
		m.setNotice(fmt.Sprintf("value copied (OSC 52): %d bytes", len(m.pager.Text())), true)
		return m, tea.Raw(seq)
	}
	return m, nil
}

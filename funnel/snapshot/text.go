package snapshot

import (
	"strings"
)

// plainText writes a document as plain text with every line within width
// cells: long lines wrap, tables shrink their flexible column, URLs break.
func plainText(doc []block, width int) string {
	var b strings.Builder
	for i, bl := range doc {
		if i > 0 {
			b.WriteByte('\n')
		}
		for _, l := range textLines(bl, width) {
			b.WriteString(l)
			b.WriteByte('\n')
		}
	}
	return b.String()
}

func textLines(bl block, width int) []string {
	switch v := bl.(type) {
	case heading:
		return textHeading(v, width)
	case fieldList:
		return textFields(v, width)
	case bullets:
		var out []string
		for _, item := range v {
			out = append(out, wrap("- "+item, width, "  ")...)
		}
		return out
	case paragraph:
		return wrap(string(v), width, "")
	case table:
		return alignedTable(v, width)
	case preformatted:
		return textPre(v, width)
	case collapsed:
		out := wrap(v.summary+":", width, "")
		for _, inner := range v.blocks {
			out = append(out, textLines(inner, width)...)
		}
		return out
	case linkList:
		var out []string
		for _, l := range v {
			out = append(out, wrap(l.Title+":", width, "  ")...)
			out = append(out, wrap(l.URL, width, "")...)
		}
		return out
	}
	return nil
}

func textHeading(h heading, width int) []string {
	lines := wrap(h.text, width, "")
	rule := map[int]string{1: "=", 2: "-"}[h.level]
	if rule == "" {
		return wrap(h.text+":", width, "")
	}
	return append(lines, strings.Repeat(rule, min(cells(h.text), width)))
}

// textFields aligns values after the widest key ("Budget left:  51.3%").
func textFields(fs fieldList, width int) []string {
	keyCells := 0
	for _, f := range fs {
		keyCells = max(keyCells, cells(f.key)+2)
	}
	if keyCells > width/2 {
		keyCells = 2
	}
	indent := strings.Repeat(" ", keyCells)
	var out []string
	for _, f := range fs {
		out = append(out, wrap(pad(f.key+":", keyCells)+f.value, width, indent)...)
	}
	return out
}

func textPre(p preformatted, width int) []string {
	var out []string
	for _, l := range p.lines {
		if p.wrapped {
			out = append(out, wrap(l, width, "    ")...)
			continue
		}
		out = append(out, truncate(l, width))
	}
	return out
}

// alignedTable lays out a table in columns one space apart. When it is
// wider than width, the flexible column shrinks (not below a few cells)
// and its cells wrap onto continuation lines; lines still too wide are cut.
func alignedTable(t table, width int) []string {
	widths := columnWidths(t)
	total := len(widths) - 1
	for _, w := range widths {
		total += w
	}
	if over := total - width; over > 0 {
		widths[t.flex] = max(widths[t.flex]-over, min(widths[t.flex], 8))
	}
	out := make([]string, 0, len(t.rows)+1)
	for _, row := range append([][]string{t.header}, t.rows...) {
		parts := wrapCell(row[t.flex], widths[t.flex])
		for n, part := range parts {
			cellsOut := make([]string, len(row))
			for i, c := range row {
				switch {
				case i == t.flex:
					c = part
				case n > 0:
					c = ""
				}
				cellsOut[i] = alignCell(c, widths[i], i < len(t.right) && t.right[i])
			}
			out = append(out, truncate(strings.TrimRight(strings.Join(cellsOut, " "), " "), width))
		}
	}
	return out
}

func columnWidths(t table) []int {
	widths := make([]int, len(t.header))
	for _, row := range append([][]string{t.header}, t.rows...) {
		for i, c := range row {
			widths[i] = max(widths[i], cells(c))
		}
	}
	return widths
}

func alignCell(c string, width int, right bool) string {
	if right {
		return padLeft(c, width)
	}
	return pad(c, width)
}

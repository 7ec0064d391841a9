package waterfall

import (
	"math"
	"strings"

	"github.com/redline-tui/redline/funnel/trace"
)

// eighths[k] is the left-aligned block k/8 of a cell wide (k = 1…8).
var eighths = [...]string{"", "▏", "▎", "▍", "▌", "▋", "▊", "▉", "█"}

// zeroBar marks a span too short to cover one eighth of a cell.
const zeroBar = "▏"

// drawBar draws b on a row of width cells with eighth-block precision.
//
// Unicode only has left-aligned partial blocks, so a bar that starts inside
// a cell uses the reverse-video technique: the cell holds the block for the
// part before the start, drawn in reverse video, so the terminal paints
// that left part in the background colour and the remainder (the bar) in
// the bar colour. Reverse is an attribute, not a colour, so this also works
// with NO_COLOR. A bar that starts and ends inside one cell is drawn as a
// left-aligned block of its length (at least one eighth) in that cell.
func drawBar(b trace.Bar, width int, p barPaint) string {
	if width <= 0 {
		return ""
	}
	limit := width * 8
	from := clamp(int(math.Round(b.From*8)), 0, limit)
	to := clamp(int(math.Round(b.To*8)), from, limit)
	if to-from == 0 {
		return pointBar(from, width, p.fill)
	}
	startCell, startRem := from/8, from%8
	endCell, endRem := to/8, to%8
	if startCell == endCell {
		return inCellBar(startCell, to-from, width, p.fill)
	}
	var sb strings.Builder
	sb.Grow(width + 64)
	sb.WriteString(strings.Repeat(" ", startCell))
	cell := startCell
	if startRem > 0 {
		sb.WriteString(p.reversed.apply(eighths[startRem]))
		cell++
	}
	if body := strings.Repeat(eighths[8], endCell-cell) + eighths[endRem]; body != "" {
		sb.WriteString(p.fill.apply(body))
	}
	if endRem > 0 {
		endCell++
	}
	sb.WriteString(strings.Repeat(" ", width-endCell))
	return sb.String()
}

// pointBar draws a zero-length span at eighth position at.
func pointBar(at, width int, p paint) string {
	cell := min(at/8, width-1)
	return strings.Repeat(" ", cell) + p.apply(zeroBar) + strings.Repeat(" ", width-cell-1)
}

// inCellBar draws a bar n eighths long that starts and ends in one cell.
func inCellBar(cell, n, width int, p paint) string {
	cell = min(cell, width-1)
	return strings.Repeat(" ", cell) + p.apply(eighths[min(n, 8)]) + strings.Repeat(" ", width-cell-1)
}

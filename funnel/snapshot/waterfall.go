package snapshot

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel/units"
)

// Waterfall columns: two mark cells, the span name, the bar, the duration.
const (
	markCells     = 2
	durationCells = 8
	maxIndent     = 8 // deeper spans are indented like depth 8
	// Marks and bar glyphs; all are one cell wide.
	criticalMark = "*"
	// unreportedMark flags a call whose callee sent no span.
	unreportedMark = "?"
	errorMark      = "!"
	criticalBar    = '█'
	otherBar       = '▒'
	thinBar        = '▏'
)

// waterfall draws rows as text lines of exactly width cells: marks, the
// indented "service: name", a bar on the trace's time axis and the
// duration, under a header with the axis and above a legend.
func waterfall(p *Trace, rows []SpanRow, width int) []string {
	barCells := width / 3
	nameCells := width - markCells - 1 - barCells - 1 - durationCells
	total := time.Duration(p.Duration)
	out := make([]string, 0, len(rows)+2)
	out = append(out, pad("", markCells)+pad("span", nameCells)+" "+axis(total, barCells)+" "+padLeft("duration", durationCells))
	for _, r := range rows {
		var b strings.Builder
		b.WriteString(marks(r))
		b.WriteString(pad(spanLabel(r), nameCells))
		b.WriteByte(' ')
		b.WriteString(bar(r, total, barCells))
		b.WriteByte(' ')
		b.WriteString(padLeft(rowDuration(r), durationCells))
		out = append(out, b.String())
	}
	legend := criticalMark + " critical path  " + errorMark + " error  ×N sibling spans on one row, Σ their total time"
	return append(out, truncate(legend, width))
}

func marks(r SpanRow) string {
	m := []byte("  ")
	if r.Critical {
		m[0] = criticalMark[0]
	}
	if r.Error {
		m[1] = errorMark[0]
	}
	return string(m)
}

func spanLabel(r SpanRow) string {
	label := strings.Repeat("  ", min(max(r.Depth, 0), maxIndent)) + r.Service + ": " + r.Name
	if r.Count > 1 {
		label += " ×" + strconv.Itoa(r.Count)
	}
	if r.Unreported != "" {
		label += " (" + unreportedMark + " no spans from " + r.Unreported + ")"
	}
	return label
}

func rowDuration(r SpanRow) string {
	if r.Count > 1 {
		return "Σ" + units.Duration(time.Duration(r.Total))
	}
	return units.Duration(time.Duration(r.Duration))
}

// axis labels the bar column: 0 on the left, the trace duration on the
// right.
func axis(total time.Duration, width int) string {
	right := units.Duration(total)
	return "0" + strings.Repeat(" ", max(width-1-cells(right), 1)) + right
}

// bar fills the cells the row covers on [0, total]; a row shorter than a
// cell is one thin bar.
func bar(r SpanRow, total time.Duration, width int) string {
	cellsOut := []rune(strings.Repeat(" ", width))
	if total <= 0 {
		return string(cellsOut)
	}
	scale := float64(width) / float64(total)
	from := float64(r.Offset) * scale
	to := from + float64(max(r.Duration, 0))*scale
	lo := min(max(int(math.Floor(from)), 0), width-1)
	hi := min(int(math.Ceil(to)), width)
	glyph := otherBar
	if r.Critical {
		glyph = criticalBar
	}
	if to-from < 0.5 || hi <= lo {
		cellsOut[lo] = thinBar
		return string(cellsOut)
	}
	for i := lo; i < hi; i++ {
		cellsOut[i] = glyph
	}
	return string(cellsOut)
}

package waterfall

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// tickSpacing is the number of cells aimed for between two axis labels.
const tickSpacing = 12

// axisLabels renders a time axis for total spread over width cells: tick
// labels (0, 250ms, 500ms, …) start at the cell of their tick, on a
// 1-2-2.5-5 step chosen so labels are about tickSpacing cells apart. A label
// that would overlap the previous one or run past the end is left out.
func axisLabels(total time.Duration, width int) string {
	if width <= 0 {
		return ""
	}
	line := []byte(strings.Repeat(" ", width))
	if total <= 0 {
		return placeLabel(string(line), "0", 0)
	}
	step := niceStep(total, max(width/tickSpacing, 1))
	out := string(line)
	next := 0 // first cell free for a label
	for t := time.Duration(0); t <= total; t += step {
		label := tickLabel(t, step)
		at := int(math.Round(float64(t) / float64(total) * float64(width)))
		if at < next || at+len([]rune(label)) > width {
			continue
		}
		out = placeLabel(out, label, at)
		next = at + len([]rune(label)) + 1
	}
	return out
}

// placeLabel writes label over line (all single-cell runes) at cell at.
func placeLabel(line, label string, at int) string {
	r := []rune(line)
	copy(r[at:], []rune(label))
	return string(r)
}

// niceStep returns the smallest 1, 2, 2.5 or 5 × 10^k nanoseconds step that
// splits total into at most ticks intervals.
func niceStep(total time.Duration, ticks int) time.Duration {
	raw := float64(total) / float64(ticks)
	pow := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if s := f * pow; s >= raw {
			return max(time.Duration(math.Round(s)), 1)
		}
	}
	return time.Duration(10 * pow)
}

// tickUnit picks the unit the labels of a step are written in.
func tickUnit(step time.Duration) (time.Duration, string) {
	switch {
	case step >= time.Minute:
		return time.Minute, "min"
	case step >= time.Second:
		return time.Second, "s"
	case step >= time.Millisecond:
		return time.Millisecond, "ms"
	case step >= time.Microsecond:
		return time.Microsecond, "µs"
	}
	return time.Nanosecond, "ns"
}

// tickLabel writes t in the unit of step with as few decimals as the step
// needs ("0", "250ms", "1.5s", "2min").
func tickLabel(t, step time.Duration) string {
	if t == 0 {
		return "0"
	}
	unit, name := tickUnit(step)
	decimals := 0
	for s := step; s%unit != 0 && decimals < 3; s *= 10 {
		decimals++
	}
	return trimZeros(strconv.FormatFloat(float64(t)/float64(unit), 'f', decimals, 64)) + name
}

// formatDuration writes d with three significant digits in the largest
// fitting unit: "850ns", "12.3µs", "456ms", "1.23s", "2m03s", "1h05m".
func formatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + formatDuration(-d)
	case d < time.Microsecond:
		return strconv.Itoa(int(d)) + "ns"
	case d < time.Millisecond:
		return threeDigits(float64(d)/float64(time.Microsecond)) + "µs"
	case d < time.Second:
		return threeDigits(float64(d)/float64(time.Millisecond)) + "ms"
	case d < time.Minute:
		return threeDigits(d.Seconds()) + "s"
	case d < time.Hour:
		return fmt.Sprintf("%dm%02ds", int(d/time.Minute), int(d%time.Minute/time.Second))
	}
	return fmt.Sprintf("%dh%02dm", int(d/time.Hour), int(d%time.Hour/time.Minute))
}

// threeDigits formats v (0 < v < 1000) with three significant digits,
// trailing zeros dropped.
func threeDigits(v float64) string {
	decimals := 2
	switch {
	case v >= 99.95:
		decimals = 0
	case v >= 9.995:
		decimals = 1
	}
	return trimZeros(strconv.FormatFloat(v, 'f', decimals, 64))
}

// trimZeros drops trailing zeros after a decimal point, and the point.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

package waterfall

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// tickSpacing is the number of cells aimed for between two axis labels.
const tickSpacing = 8

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

// clockSteps are the axis steps from one second up: round numbers of
// seconds, minutes and hours.
var clockSteps = []time.Duration{
	time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second, 30 * time.Second,
	time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute, 15 * time.Minute, 30 * time.Minute,
	time.Hour, 2 * time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour,
}

// niceStep returns the smallest round step that splits total into at most
// ticks intervals: 1, 2, 2.5 or 5 × 10^k below a second, then clockSteps.
func niceStep(total time.Duration, ticks int) time.Duration {
	raw := time.Duration(math.Ceil(float64(total) / float64(ticks)))
	if raw > time.Second {
		for _, s := range clockSteps {
			if s >= raw {
				return s
			}
		}
		return raw.Round(time.Hour) + time.Hour
	}
	pow := math.Pow(10, math.Floor(math.Log10(float64(raw))))
	for _, f := range []float64{1, 2, 2.5, 5, 10} {
		if s := time.Duration(math.Round(f * pow)); s >= raw {
			return max(s, 1)
		}
	}
	return time.Second
}

// tickUnit picks the unit the labels of a step are written in.
func tickUnit(step time.Duration) time.Duration {
	switch {
	case step >= time.Hour:
		return time.Hour
	case step >= time.Minute:
		return time.Minute
	case step >= time.Second:
		return time.Second
	case step >= time.Millisecond:
		return time.Millisecond
	case step >= time.Microsecond:
		return time.Microsecond
	}
	return time.Nanosecond
}

// unitNames are the label suffixes of the tick units.
var unitNames = map[time.Duration]string{
	time.Nanosecond: "ns", time.Microsecond: "µs", time.Millisecond: "ms",
	time.Second: "s", time.Minute: "min", time.Hour: "h",
}

// promoted is the unit a label moves up to once it reaches one of it
// ("1s", not "1000ms"; "2h", not "120min"). Seconds stay seconds: "90s"
// reads better than "1.5min".
var promoted = map[time.Duration]time.Duration{
	time.Nanosecond: time.Microsecond, time.Microsecond: time.Millisecond,
	time.Millisecond: time.Second, time.Minute: time.Hour,
}

// tickLabel writes t in the unit of step ("0", "250ms", "7.5s", "2min"),
// or in the promoted unit once t reaches it.
func tickLabel(t, step time.Duration) string {
	if t == 0 {
		return "0"
	}
	unit := tickUnit(step)
	if up, ok := promoted[unit]; ok && t >= up {
		unit = up
	}
	return trimZeros(strconv.FormatFloat(float64(t)/float64(unit), 'f', 3, 64)) + unitNames[unit]
}

// trimZeros drops trailing zeros after a decimal point, and the point.
func trimZeros(s string) string {
	if !strings.Contains(s, ".") {
		return s
	}
	return strings.TrimSuffix(strings.TrimRight(s, "0"), ".")
}

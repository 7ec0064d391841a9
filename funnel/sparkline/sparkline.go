// Package sparkline draws a series of values as one line of eighth-height
// block characters, scaled from zero to the series' maximum: the same
// drawing in the terminal panes and in incident snapshots. +Inf stands for
// a value known only to lie beyond the scale (a latency quantile beyond a
// histogram's last bucket) and is drawn as Beyond, never as a height.
package sparkline

import (
	"math"
	"strings"

	"github.com/redline-tui/redline/funnel/units"
)

var levels = []rune("▁▂▃▄▅▆▇█")

// Beyond is the cell drawn for a value beyond the scale (+Inf).
const Beyond = '↑'

// Render draws values in exactly width cells. Longer series are averaged
// into width buckets (the newest values on the right); shorter ones are
// right-aligned. Unknown (NaN) and -Inf values are drawn as a space, +Inf
// as Beyond.
func Render(values []float64, width int) string {
	if width <= 0 {
		return ""
	}
	buckets := resample(values, width)
	peak := 0.0
	for _, v := range buckets {
		if units.Known(v) && v > peak {
			peak = v
		}
	}
	var b strings.Builder
	b.Grow(width * 3)
	b.WriteString(strings.Repeat(" ", width-len(buckets)))
	for _, v := range buckets {
		b.WriteRune(cell(v, peak))
	}
	return b.String()
}

func cell(v, peak float64) rune {
	switch {
	case math.IsInf(v, 1):
		return Beyond
	case !units.Known(v):
		return ' '
	case peak <= 0 || v <= 0:
		return levels[0]
	}
	i := int(math.Round(v / peak * float64(len(levels)-1)))
	return levels[min(max(i, 0), len(levels)-1)]
}

// resample averages values into at most width buckets, ignoring unknown
// values; a bucket holding +Inf is +Inf (beyond the scale).
func resample(values []float64, width int) []float64 {
	if len(values) <= width {
		return values
	}
	out := make([]float64, width)
	for i := range out {
		lo, hi := i*len(values)/width, (i+1)*len(values)/width
		sum, n := 0.0, 0
		for _, v := range values[lo:hi] {
			if math.IsInf(v, 1) {
				sum, n = v, 1
				break
			}
			if units.Known(v) {
				sum += v
				n++
			}
		}
		out[i] = math.NaN()
		if n > 0 {
			out[i] = sum / float64(n)
		}
	}
	return out
}

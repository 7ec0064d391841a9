package snapshot

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// unknownText is written for a value a backend could not tell.
const unknownText = "?"

// formatDuration renders d with three significant digits at most: "850µs",
// "12.3ms", "350ms", "1.24s", "3m12s", "3h12m".
func formatDuration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + formatDuration(-d)
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", d.Nanoseconds())
	case d < time.Millisecond:
		return significant(float64(d)/float64(time.Microsecond), "µs")
	case d < time.Second:
		return significant(float64(d)/float64(time.Millisecond), "ms")
	case d < time.Minute:
		return significant(d.Seconds(), "s")
	}
	return coarse(d)
}

// coarse renders d to its two largest units: "3m12s", "14h43m", "2d4h".
func coarse(d time.Duration) string {
	d = d.Round(time.Second)
	days, hours := int(d/(24*time.Hour)), int(d/time.Hour)%24
	minutes, seconds := int(d/time.Minute)%60, int(d/time.Second)%60
	switch {
	case days > 0:
		return unitPair(days, "d", hours, "h")
	case hours > 0:
		return unitPair(hours, "h", minutes, "m")
	case minutes > 0:
		return unitPair(minutes, "m", seconds, "s")
	}
	return fmt.Sprintf("%ds", seconds)
}

func unitPair(big int, bigUnit string, small int, smallUnit string) string {
	if small == 0 {
		return fmt.Sprintf("%d%s", big, bigUnit)
	}
	return fmt.Sprintf("%d%s%d%s", big, bigUnit, small, smallUnit)
}

// significant prints v with three significant digits and unit.
func significant(v float64, unit string) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f%s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f%s", v, unit)
	}
	return fmt.Sprintf("%.2f%s", v, unit)
}

// exhaustionText renders a time to budget exhaustion: "never" when the
// burn is zero or unknown (negative), "spent" when the budget is gone.
func exhaustionText(d time.Duration) string {
	switch {
	case d < 0:
		return "never"
	case d == 0:
		return "spent"
	}
	return coarse(d)
}

// percent renders a ratio: 0.125 → "12.5%", unknown → "?".
func percent(ratio Number) string {
	if !ratio.Known() {
		return unknownText
	}
	p := float64(ratio) * 100
	switch {
	case p != 0 && math.Abs(p) < 0.01:
		return "<0.01%"
	case math.Abs(p) >= 100:
		return fmt.Sprintf("%.0f%%", p)
	case math.Abs(p) >= 10:
		return fmt.Sprintf("%.1f%%", p)
	}
	return fmt.Sprintf("%.2f%%", p)
}

// objectiveText renders a target ratio without trailing zeros: "99.9%".
func objectiveText(target float64) string {
	s := strings.TrimRight(fmt.Sprintf("%.4f", target*100), "0")
	return strings.TrimSuffix(s, ".") + "%"
}

// rate renders events per second: "0.25/s", "12.3/s", "1.20k/s".
func rate(perSecond Number) string {
	switch {
	case !perSecond.Known():
		return unknownText
	case perSecond >= 1000:
		return significant(float64(perSecond)/1000, "k/s")
	}
	return significant(float64(perSecond), "/s")
}

// burnText renders a burn rate with a multiplication sign: "25.1×".
func burnText(b Number) string {
	if !b.Known() {
		return unknownText
	}
	return significant(float64(b), "×")
}

// clock renders t as a UTC time of day with milliseconds.
func clock(t time.Time) string { return t.UTC().Format("15:04:05.000") }

// stamp renders t as a full UTC timestamp to the second.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// rangeText renders a range as absolute UTC times and its length.
func rangeText(r Range) string {
	s, e := r.Start.UTC(), r.End.UTC()
	end := e.Format(time.DateTime)
	if s.Format(time.DateOnly) == e.Format(time.DateOnly) {
		end = e.Format(time.TimeOnly)
	}
	return fmt.Sprintf("%s – %s UTC (%s)", s.Format(time.DateTime), end, formatDuration(time.Duration(r.Duration)))
}

// sparkLevels are the eighth-height blocks of a sparkline.
var sparkLevels = []rune("▁▂▃▄▅▆▇█")

// sparkline draws values in at most width cells, scaled from zero to the
// peak; longer series are averaged into width buckets, unknown values are
// spaces.
func sparkline(values []Number, width int) string {
	buckets := resample(values, width)
	peak := 0.0
	for _, v := range buckets {
		if v.Known() && float64(v) > peak {
			peak = float64(v)
		}
	}
	var b strings.Builder
	for _, v := range buckets {
		switch {
		case !v.Known():
			b.WriteByte(' ')
		case peak <= 0 || v <= 0:
			b.WriteRune(sparkLevels[0])
		default:
			i := int(math.Round(float64(v) / peak * float64(len(sparkLevels)-1)))
			b.WriteRune(sparkLevels[min(max(i, 0), len(sparkLevels)-1)])
		}
	}
	return b.String()
}

// resample averages values into at most width buckets, ignoring unknowns.
func resample(values []Number, width int) []Number {
	if len(values) <= width || width <= 0 {
		return values
	}
	out := make([]Number, width)
	for i := range out {
		sum, n := 0.0, 0
		for _, v := range values[i*len(values)/width : (i+1)*len(values)/width] {
			if v.Known() {
				sum += float64(v)
				n++
			}
		}
		out[i] = Unknown()
		if n > 0 {
			out[i] = Number(sum / float64(n))
		}
	}
	return out
}

// Package units renders quantities as short text, the same in the terminal
// panes and in incident snapshots: durations, percentages, rates, burn
// rates and clock times, always in UTC and with a visible mark for unknown
// values.
package units

import (
	"cmp"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Unknown is drawn for a value a backend could not tell.
const Unknown = "?"

// Duration renders d with three significant digits at most: "850µs",
// "12.3ms", "350ms", "1.24s", "3m12s", "3h12m".
func Duration(d time.Duration) string {
	switch {
	case d < 0:
		return "-" + Duration(-d)
	case d < time.Microsecond:
		return fmt.Sprintf("%dns", d.Nanoseconds())
	case d < time.Millisecond:
		return trim(float64(d)/float64(time.Microsecond), "µs")
	case d < time.Second:
		return trim(float64(d)/float64(time.Millisecond), "ms")
	case d < time.Minute:
		return trim(d.Seconds(), "s")
	default:
		return Coarse(d)
	}
}

// Coarse renders d to the two largest units: "45s", "3m12s", "3h12m",
// "2d4h", "30d".
func Coarse(d time.Duration) string {
	d = d.Round(time.Second)
	days, hours := int(d/(24*time.Hour)), int(d/time.Hour)%24
	minutes, seconds := int(d/time.Minute)%60, int(d/time.Second)%60
	switch {
	case days > 0:
		return pair(days, "d", hours, "h")
	case hours > 0:
		return pair(hours, "h", minutes, "m")
	case minutes > 0:
		return pair(minutes, "m", seconds, "s")
	default:
		return fmt.Sprintf("%ds", seconds)
	}
}

// pair prints "3h12m", or "3h" when the smaller unit is zero.
func pair(big int, bigUnit string, small int, smallUnit string) string {
	if small == 0 {
		return fmt.Sprintf("%d%s", big, bigUnit)
	}
	return fmt.Sprintf("%d%s%d%s", big, bigUnit, small, smallUnit)
}

// trim prints v with three significant digits and unit.
func trim(v float64, unit string) string {
	switch {
	case v >= 100:
		return fmt.Sprintf("%.0f%s", v, unit)
	case v >= 10:
		return fmt.Sprintf("%.1f%s", v, unit)
	default:
		return fmt.Sprintf("%.2f%s", v, unit)
	}
}

// Exhaustion renders a time to budget exhaustion: "—" when the budget is
// never exhausted (negative), "spent" when it already is (zero).
func Exhaustion(d time.Duration) string {
	switch {
	case d < 0:
		return "—"
	case d == 0:
		return "spent"
	default:
		return Coarse(d)
	}
}

// Percent renders a ratio as a percentage: 0.125 → "12.5%", NaN → "?".
func Percent(ratio float64) string {
	if !Known(ratio) {
		return Unknown
	}
	p := ratio * 100
	switch {
	case p != 0 && math.Abs(p) < 0.01:
		return "<0.01%"
	case math.Abs(p) >= 99.95: // would print as 100.0%
		return fmt.Sprintf("%.0f%%", p)
	case math.Abs(p) >= 10:
		return fmt.Sprintf("%.1f%%", p)
	default:
		return fmt.Sprintf("%.2f%%", p)
	}
}

// Objective renders an SLO target ratio without trailing zeros: 0.999 → "99.9%".
func Objective(target float64) string {
	return fmt.Sprintf("%s%%", trimZeros(fmt.Sprintf("%.4f", target*100)))
}

func trimZeros(s string) string {
	for len(s) > 1 && s[len(s)-1] == '0' {
		s = s[:len(s)-1]
	}
	if s[len(s)-1] == '.' {
		s = s[:len(s)-1]
	}
	return s
}

// Rate renders events per second: "0.25/s", "12.3/s", "1.2k/s"; "?" when
// unknown (NaN) or infinite.
func Rate(perSecond float64) string {
	if !Known(perSecond) {
		return Unknown
	}
	if perSecond >= 1000 {
		return trim(perSecond/1000, "k/s")
	}
	return trim(perSecond, "/s")
}

// Burn renders a burn rate (multiples of the sustainable rate): "0.42",
// "14.4", "120"; "?" when unknown.
func Burn(rate float64) string {
	if !Known(rate) {
		return Unknown
	}
	return trim(rate, "")
}

// Count is n and noun, plural unless n is 1: "1 error", "3 errors".
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// Clock renders t as a UTC time of day with milliseconds: "20:41:07.123".
func Clock(t time.Time) string { return t.UTC().Format("15:04:05.000") }

// Known reports whether v is a value a backend told: neither unknown (NaN)
// nor infinite.
func Known(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// NoData is drawn for a quantity nothing was measured for, e.g. a latency
// quantile of a route without requests.
const NoData = "—"

// Quantile is a latency quantile read from a histogram. The zero value
// means no requests: there is nothing to tell. When the quantile falls in
// the histogram's +Inf bucket, the histogram only tells that it is beyond
// its last finite bound: Value is that bound and LowerBound is set.
type Quantile struct {
	Value      time.Duration
	Known      bool // requests were measured
	LowerBound bool // the quantile is at least Value, beyond the last bucket
}

// Measured is a quantile the histogram resolves: d.
func Measured(d time.Duration) Quantile { return Quantile{Value: d, Known: true} }

// AtLeast is a quantile beyond the histogram's last finite bound d.
func AtLeast(d time.Duration) Quantile { return Quantile{Value: d, Known: true, LowerBound: true} }

// String renders the quantile: "1.24s", ">15.0s" for a lower bound, "—"
// without requests.
func (q Quantile) String() string {
	switch {
	case !q.Known:
		return NoData
	case q.LowerBound:
		return ">" + Duration(q.Value)
	}
	return Duration(q.Value)
}

// Compare orders quantiles by what is known of them: no data first, then
// by value, a lower bound after an exact value equal to its bound (it is at
// least that much). It returns -1, 0 or +1 like cmp.Compare.
func (q Quantile) Compare(o Quantile) int {
	switch {
	case q.Known != o.Known:
		return boolCompare(q.Known, o.Known)
	case q.Value != o.Value:
		return cmp.Compare(q.Value, o.Value)
	}
	return boolCompare(q.LowerBound, o.LowerBound)
}

// Seconds is the quantile in seconds for a sparkline: NaN without data,
// +Inf for a lower bound (beyond the scale).
func (q Quantile) Seconds() float64 {
	switch {
	case !q.Known:
		return math.NaN()
	case q.LowerBound:
		return math.Inf(1)
	}
	return q.Value.Seconds()
}

func boolCompare(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

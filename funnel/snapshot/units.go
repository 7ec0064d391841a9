package snapshot

import (
	"math"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/sparkline"
	"github.com/redline-tui/redline/funnel/units"
)

// The snapshot's text for quantities is funnel/units' and
// funnel/sparkline's, as in the terminal panes; these adapt them to
// Number, Duration and Range.

// exhaustionText renders the status' time to budget exhaustion: "never"
// when nothing burns, "?" when the burn, or the budget left while it
// burns, is unknown, "spent" when the budget is gone.
func exhaustionText(st slo.Status) string {
	switch burn := st.CurrentBurn; {
	case st.TimeToExhaustion >= 0:
		return units.Exhaustion(st.TimeToExhaustion)
	case math.IsNaN(burn) || burn > 0 && math.IsNaN(st.BudgetRemaining):
		return units.Unknown
	}
	return "never"
}

// percent renders a ratio: 0.125 → "12.5%", unknown → "?".
func percent(ratio Number) string { return units.Percent(float64(ratio)) }

// rate renders events per second: "0.25/s", "12.3/s", "1.20k/s".
func rate(perSecond Number) string { return units.Rate(float64(perSecond)) }

// burnText renders a burn rate with a multiplication sign: "25.1×".
func burnText(b Number) string {
	if !b.Known() {
		return units.Unknown
	}
	return units.Burn(float64(b)) + "×"
}

// stamp renders t as a full UTC timestamp to the second.
func stamp(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") }

// rangeText renders a range as absolute UTC times and its length.
func rangeText(r Range) string {
	return funnel.TimeRange{Start: r.Start, End: r.End}.String() + " (" + units.Duration(time.Duration(r.Duration)) + ")"
}

// spark draws values in at most width cells: longer series are averaged
// into width buckets, unknown values are spaces.
func spark(values []Number, width int) string {
	series := make([]float64, len(values))
	for i, v := range values {
		series[i] = float64(v)
	}
	return sparkline.Render(series, min(len(series), width))
}

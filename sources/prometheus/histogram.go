package prometheus

import (
	"cmp"
	"math"
	"slices"
	"strconv"

	"github.com/prometheus/common/model"
)

// histogram is one latency histogram read back from Prometheus, classic or
// native, as cumulative counts by ascending upper bound (the last bound
// may be +Inf), in the histogram's unit. Classic histograms list every
// bucket; native ones only the buckets that counted something.
type histogram struct {
	bounds []float64
	cum    []float64
	growth float64 // exponential native histograms: the factor between bounds, else 0
}

// classicHistograms groups the buckets of a vector summed by le (and the
// labels key reads) into one histogram per key. Like histogram_quantile, it
// sorts buckets by bound and makes counts monotonic.
func classicHistograms(vec model.Vector, key func(model.Metric) string) map[string]histogram {
	type bucket struct{ le, count float64 }
	grouped := map[string][]bucket{}
	for _, s := range vec {
		le, err := strconv.ParseFloat(string(s.Metric[model.BucketLabel]), 64)
		if err != nil || math.IsNaN(le) {
			continue
		}
		k := key(s.Metric)
		grouped[k] = append(grouped[k], bucket{le: le, count: float64(s.Value)})
	}
	out := make(map[string]histogram, len(grouped))
	for k, bs := range grouped {
		slices.SortFunc(bs, func(a, b bucket) int { return cmp.Compare(a.le, b.le) })
		var h histogram
		for _, b := range bs {
			h.add(b.le, b.count)
		}
		out[k] = h
	}
	return out
}

// nativeHistograms reads one native histogram per key.
func nativeHistograms(vec model.Vector, key func(model.Metric) string) map[string]histogram {
	out := make(map[string]histogram, len(vec))
	for _, s := range vec {
		if s.Histogram != nil {
			out[key(s.Metric)] = fromNative(s.Histogram)
		}
	}
	return out
}

// fromNative turns a native histogram's buckets into cumulative counts.
func fromNative(sh *model.SampleHistogram) histogram {
	bs := slices.Clone(sh.Buckets)
	slices.SortFunc(bs, func(a, b *model.HistogramBucket) int { return cmp.Compare(float64(a.Upper), float64(b.Upper)) })
	h := histogram{growth: nativeGrowth(sh.Buckets)}
	running := 0.0
	for _, b := range bs {
		running += float64(b.Count)
		h.add(float64(b.Upper), running)
	}
	return h
}

// add appends a cumulative count at bound, merging a repeated bound and
// never letting the count fall.
func (h *histogram) add(bound, cum float64) {
	if n := len(h.cum); n > 0 {
		cum = max(cum, h.cum[n-1])
		if h.bounds[n-1] == bound {
			h.cum[n-1] = cum
			return
		}
	}
	h.bounds = append(h.bounds, bound)
	h.cum = append(h.cum, cum)
}

// total is the number of observations.
func (h histogram) total() float64 {
	if len(h.cum) == 0 {
		return 0
	}
	return h.cum[len(h.cum)-1]
}

// lastFinite is the index of the highest finite bound, -1 when none.
func (h histogram) lastFinite() int {
	i := len(h.bounds) - 1
	for i >= 0 && math.IsInf(h.bounds[i], 1) {
		i--
	}
	return i
}

// beyondLast reports whether the q-quantile lies in the +Inf bucket, where
// histogram_quantile answers the highest finite bound although the
// quantile is only known to be above it.
func (h histogram) beyondLast(q float64) bool {
	n, last := len(h.bounds), h.lastFinite()
	if n == 0 || !math.IsInf(h.bounds[n-1], 1) || h.total() <= 0 {
		return false
	}
	return last < 0 || h.cum[last] < q*h.total()
}

// quantile estimates the q-quantile as histogram_quantile does for classic
// buckets (linear within the bucket); lowerBound is set when it lies
// beyond the last finite bound. ok is false without observations.
func (h histogram) quantile(q float64) (v float64, lowerBound, ok bool) {
	total := h.total()
	if total <= 0 {
		return 0, false, false
	}
	last := h.lastFinite()
	if h.beyondLast(q) {
		if last < 0 {
			return 0, true, true
		}
		return h.bounds[last], true, true
	}
	rank := q * total
	i := slices.IndexFunc(h.cum, func(c float64) bool { return c >= rank })
	if i < 0 {
		i = last
	}
	start, below := 0.0, 0.0
	if i > 0 {
		start, below = h.bounds[i-1], h.cum[i-1]
	} else if h.bounds[0] <= 0 {
		return h.bounds[0], false, true
	}
	if h.cum[i] == below {
		return h.bounds[i], false, true
	}
	return start + (h.bounds[i]-start)*(rank-below)/(h.cum[i]-below), false, true
}

// boundTolerance absorbs float noise between a bound redline computed and
// the same bound as Prometheus prints it.
const boundTolerance = 1e-9

// atMost is the number of observations at or below bound, which must be
// one of the histogram's bounds or lie between two (then the lower one
// counts: a native histogram omits empty buckets).
func (h histogram) atMost(bound float64) float64 {
	c := 0.0
	for i, b := range h.bounds {
		if b > bound*(1+boundTolerance) {
			break
		}
		c = h.cum[i]
	}
	return c
}

// boundAtLeast is the smallest finite bound ≥ x; ok is false when there
// is none. An exponential native histogram only lists the buckets that
// counted something, but its bounds are every power of its growth factor
// through any listed bound.
func (h histogram) boundAtLeast(x float64) (float64, bool) {
	if math.IsInf(x, 1) || math.IsNaN(x) {
		return 0, false
	}
	if last := h.lastFinite(); h.growth > 1 && last >= 0 && h.bounds[last] > 0 {
		ref := h.bounds[last]
		steps := math.Ceil(math.Log(x/ref)/math.Log(h.growth) - boundTolerance)
		return ref * math.Pow(h.growth, steps), true
	}
	for _, b := range h.bounds {
		if b >= x*(1-boundTolerance) && !math.IsInf(b, 1) {
			return b, true
		}
	}
	return 0, false
}

// nativeGrowth is the factor between consecutive bounds of an exponential
// native histogram, 0 for custom buckets (which end in +Inf or grow
// unevenly).
func nativeGrowth(bs []*model.HistogramBucket) float64 {
	growth := 0.0
	for _, b := range bs {
		lo, hi := float64(b.Lower), float64(b.Upper)
		if math.IsInf(hi, 1) {
			return 0
		}
		if lo <= 0 {
			continue
		}
		switch g := hi / lo; {
		case growth == 0:
			growth = g
		case math.Abs(g-growth) > growth*1e-6:
			return 0
		}
	}
	return growth
}

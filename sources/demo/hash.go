package demo

import "math"

// mix is the SplitMix64 finaliser: a cheap, well-distributed bijection on
// 64-bit words. Every random-looking value of the demo is derived from it, so
// the incident is a pure function of the seed and the clock.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// hashOf folds any number of words into one well-mixed word.
func hashOf(words ...uint64) uint64 {
	h := uint64(0x243f6a8885a308d3)
	for _, w := range words {
		h = mix(h ^ w)
	}
	return h
}

// unit maps a hash to a float in [0, 1).
func unit(h uint64) float64 { return float64(h>>11) / (1 << 53) }

// rng is a deterministic stream of pseudo-random numbers (SplitMix64).
type rng struct{ state uint64 }

func newRNG(words ...uint64) rng { return rng{state: hashOf(words...)} }

func (r *rng) next() uint64 {
	r.state += 0x9e3779b97f4a7c15
	return mix(r.state)
}

// float returns a number in [0, 1).
func (r *rng) float() float64 { return unit(r.next()) }

// between returns a number in [lo, hi).
func (r *rng) between(lo, hi float64) float64 { return lo + (hi-lo)*r.float() }

// intn returns an integer in [0, n); n must be positive.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// chance reports true with probability p.
func (r *rng) chance(p float64) bool { return r.float() < p }

// normalQuantile is the inverse of the standard normal CDF.
func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

// normalCDF is the standard normal CDF.
func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }

// hashString folds a string into a word (FNV-1a, then mixed).
func hashString(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h = (h ^ uint64(s[i])) * 0x100000001b3
	}
	return mix(h)
}

package demo

import (
	"math"
	"sort"
	"time"
)

// The incident's shape. The gateway-timeout share of requests on the
// incident path starts at timeoutShareStart when the incident begins and
// climbs to timeoutShareStart+timeoutShareRise over timeoutShareRamp.
const (
	timeoutShareStart = 0.10
	timeoutShareRise  = 0.05
	timeoutShareRamp  = 30 * time.Minute
	blipErrorRatio    = 0.16 // error ratio of blip routes during the failover
	blipSlowdown      = 3.0  // latency multiplier of blip routes during the failover
	blipAgo           = 3*time.Hour + 20*time.Minute
	blipLength        = 40 * time.Minute
)

// Shares of the gateway-timeout outcomes (see outcome): the circuit breaker
// answers after one timed-out attempt, the retry hangs until checkout's
// deadline, or the retry succeeds late.
const (
	shareBreaker  = 0.3
	shareDeadline = 0.4
)

// Durations of the gateway-timeout outcomes as the RED latency model sees
// them (the traces compute theirs span by span).
const (
	breakerLatency     = gatewayTimeout + 40*time.Millisecond
	lateSuccessFastest = gatewayTimeout + retryBackoff + 200*time.Millisecond
	lateSuccessSlowest = gatewayTimeout + retryBackoff + 2300*time.Millisecond
)

// noise is a deterministic value in [0, 1) for route at the minute of t.
func (s *Source) noise(route int, t time.Time, salt uint64) float64 {
	return unit(hashOf(uint64(s.seed), uint64(route), uint64(t.Unix()/60), salt))
}

// Salts separating the noise streams of the model.
const (
	saltRate uint64 = iota + 1
	saltErrors
	saltLatency
	saltTimeouts
)

// diurnal is the daily traffic cycle: quiet at 04:00 UTC, busy at 16:00.
func diurnal(t time.Time) float64 {
	hours := float64(t.UTC().Hour()) + float64(t.UTC().Minute())/60
	return 1 + 0.3*math.Sin(2*math.Pi*(hours-10)/24)
}

// rate is route's request rate (per second) at t.
func (s *Source) rate(route int, t time.Time) float64 {
	r := routeTable[route]
	return r.rate * diurnal(t) * (0.9 + 0.2*s.noise(route, t, saltRate))
}

// timeoutShare is the share of route's requests hitting the gateway timeout at t.
func (s *Source) timeoutShare(route int, t time.Time) float64 {
	r := routeTable[route]
	if !r.onIncidentPath() || t.Before(s.incidentStart) {
		return 0
	}
	ramp := math.Min(1, float64(t.Sub(s.incidentStart))/float64(timeoutShareRamp))
	return (timeoutShareStart + timeoutShareRise*ramp) * (0.92 + 0.16*s.noise(route, t, saltTimeouts))
}

// inBlip reports whether route suffers the inventory database failover at t.
func (s *Source) inBlip(route int, t time.Time) bool {
	return routeTable[route].blip && !t.Before(s.blipStart) && t.Before(s.blipStart.Add(blipLength))
}

// errorRatio is the share of route's requests failing (HTTP 5xx) at t.
func (s *Source) errorRatio(route int, t time.Time) float64 {
	incident := routeTable[route].incidentErrShare * s.timeoutShare(route, t)
	return math.Min(s.baselineErrorRatio(route, t)+incident, 1)
}

// baselineErrorRatio is the share of route's requests failing at t for
// reasons other than the gateway timeouts.
func (s *Source) baselineErrorRatio(route int, t time.Time) float64 {
	ratio := routeTable[route].baseErr * (0.4 + 1.2*s.noise(route, t, saltErrors))
	if s.inBlip(route, t) {
		ratio += blipErrorRatio
	}
	return ratio
}

// latency is route's latency distribution at t: a log-normal body plus,
// during the incident, a share of gateway timeouts.
type latency struct {
	median       time.Duration
	sigma        float64
	timeoutShare float64
}

func (s *Source) latencyAt(route int, t time.Time) latency {
	r := routeTable[route]
	m := float64(r.median) * (0.92 + 0.16*s.noise(route, t, saltLatency))
	if s.inBlip(route, t) {
		m *= blipSlowdown
	}
	return latency{median: time.Duration(m), sigma: r.sigma, timeoutShare: s.timeoutShare(route, t)}
}

// cdf is the share of requests faster than x.
func (l latency) cdf(x time.Duration) float64 {
	if x <= 0 {
		return 0
	}
	body := normalCDF(math.Log(float64(x)/float64(l.median)) / l.sigma)
	return (1-l.timeoutShare)*body + l.timeoutShare*timeoutCDF(x)
}

// timeoutCDF is the share of gateway-timeout requests faster than x.
func timeoutCDF(x time.Duration) float64 {
	share := 0.0
	if x >= breakerLatency {
		share += shareBreaker
	}
	if x >= checkoutDeadline {
		share += shareDeadline
	}
	late := 1 - shareBreaker - shareDeadline
	switch {
	case x >= lateSuccessSlowest:
		share += late
	case x > lateSuccessFastest:
		share += late * float64(x-lateSuccessFastest) / float64(lateSuccessSlowest-lateSuccessFastest)
	}
	return share
}

// weighted is a latency distribution with the request count it stands for.
type weighted struct {
	latency
	requests float64
}

// quantile returns the q-quantile of the mixture of dists, by bisection on
// a log scale between 100µs and 1 minute; ok is false without requests.
func quantile(dists []weighted, q float64) (d time.Duration, ok bool) {
	total := 0.0
	for _, d := range dists {
		total += d.requests
	}
	if total <= 0 {
		return 0, false
	}
	lo, hi := math.Log(float64(100*time.Microsecond)), math.Log(float64(time.Minute))
	for range 48 {
		mid := (lo + hi) / 2
		x := time.Duration(math.Exp(mid))
		below := 0.0
		for _, d := range dists {
			below += d.requests * d.cdf(x)
		}
		if below/total < q {
			lo = mid
		} else {
			hi = mid
		}
	}
	return time.Duration(math.Exp(hi)).Round(10 * time.Microsecond), true
}

// counts are request counts over an interval.
type counts struct {
	total  float64 // requests
	errors float64 // requests that failed
	slow   float64 // requests slower than the latency objective's threshold
}

func (c *counts) add(o counts) {
	c.total += o.total
	c.errors += o.errors
	c.slow += o.slow
}

func (c counts) minus(o counts) counts {
	return counts{total: c.total - o.total, errors: c.errors - o.errors, slow: c.slow - o.slow}
}

func (c counts) scaled(f float64) counts {
	return counts{total: c.total * f, errors: c.errors * f, slow: c.slow * f}
}

// Buckets of the integration: minutes where the story happens, quarters of
// an hour further back (the model only drifts slowly there).
const (
	fineBucket   = time.Minute
	coarseBucket = 15 * time.Minute
	detailSpan   = 7 * time.Hour
)

// timeline is the traffic of some routes bucket by bucket, with running
// totals, so any window within it integrates in O(log n). Traffic is
// constant within a bucket.
type timeline struct {
	start []time.Time
	size  []time.Duration
	cum   []counts // cum[i]: traffic of the buckets before i; one more entry than buckets
}

// timeline integrates routes over [from, to); slowAbove counts requests
// slower than it (0 skips the latency part).
func (s *Source) timeline(routes []int, from, to time.Time, slowAbove time.Duration) *timeline {
	detail := s.detailFrom(to)
	tl := &timeline{}
	var run counts
	for t := from.Truncate(coarseBucket); t.Before(to); {
		size := coarseBucket
		if !t.Before(detail) {
			size = fineBucket
		}
		tl.start = append(tl.start, t)
		tl.size = append(tl.size, size)
		tl.cum = append(tl.cum, run)
		for _, r := range routes {
			run.add(s.countsAt(r, t.Add(size/2), size.Seconds(), slowAbove))
		}
		t = t.Add(size)
	}
	tl.cum = append(tl.cum, run)
	return tl
}

// upTo is the traffic from the timeline's start to t.
func (tl *timeline) upTo(t time.Time) counts {
	i := sort.Search(len(tl.start), func(i int) bool { return tl.start[i].After(t) }) - 1
	if i < 0 {
		return counts{}
	}
	frac := math.Min(1, float64(t.Sub(tl.start[i]))/float64(tl.size[i]))
	c := tl.cum[i]
	c.add(tl.cum[i+1].minus(tl.cum[i]).scaled(frac))
	return c
}

// between is the traffic over [from, to).
func (tl *timeline) between(from, to time.Time) counts {
	return tl.upTo(to).minus(tl.upTo(from))
}

// detailFrom is where the fine-grained integration starts for windows
// ending at `to`: early enough to cover the burn history and every event of
// the story.
func (s *Source) detailFrom(to time.Time) time.Time {
	from := to.Add(-detailSpan)
	for _, event := range []time.Time{s.incidentStart, s.blipStart} {
		if e := event.Add(-coarseBucket); e.Before(from) {
			from = e
		}
	}
	return from.Truncate(coarseBucket)
}

// countsAt is route's traffic over seconds around t.
func (s *Source) countsAt(route int, t time.Time, seconds float64, slowAbove time.Duration) counts {
	requests := s.rate(route, t) * seconds
	c := counts{total: requests, errors: requests * s.errorRatio(route, t)}
	if slowAbove > 0 {
		c.slow = requests * (1 - s.latencyAt(route, t).cdf(slowAbove))
	}
	return c
}

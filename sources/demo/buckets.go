package demo

import (
	"slices"
	"time"

	"github.com/redline-tui/redline/funnel/units"
)

// otelBuckets are OTel's advisory bounds for http.server.request.duration,
// which the demo's services use for their latency histograms.
var otelBuckets = []time.Duration{
	5 * time.Millisecond, 10 * time.Millisecond, 25 * time.Millisecond, 50 * time.Millisecond,
	75 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond, 500 * time.Millisecond,
	750 * time.Millisecond, time.Second, 2500 * time.Millisecond, 5 * time.Second,
	7500 * time.Millisecond, 10 * time.Second,
}

// shortBucketsService configured its histogram to end at shortLastBucket,
// so its gateway timeouts land in +Inf: its p99 is only a lower bound.
const (
	shortBucketsService = "payments"
	shortLastBucket     = 2500 * time.Millisecond
)

// buckets are the finite bounds of service's latency histogram.
func buckets(service string) []time.Duration {
	if service != shortBucketsService {
		return otelBuckets
	}
	return otelBuckets[:slices.Index(otelBuckets, shortLastBucket)+1]
}

// histogramQuantile is the q-quantile of dists as service's histogram
// tells it: no data without requests, only a lower bound beyond its last
// bucket.
func histogramQuantile(service string, dists []weighted, q float64) units.Quantile {
	d, ok := quantile(dists, q)
	last := buckets(service)[len(buckets(service))-1]
	switch {
	case !ok:
		return units.Quantile{}
	case d > last:
		return units.AtLeast(last)
	}
	return units.Measured(d)
}

// Assumed latency SLO, as sources/prometheus assumes one: the smallest
// bucket bound at least latencyMultiple × the service's p99 over the
// baseline (the week before the range end, minus the last baselineGap),
// sampled every baselineStep.
const (
	assumedLatencyService = "payments"
	latencyMultiple       = 2
	baselineSpan          = 7 * 24 * time.Hour
	baselineGap           = 2 * time.Hour
	baselineStep          = time.Hour
)

// assumedThreshold is the latency bound assumed for service at at.
func (s *Source) assumedThreshold(service string, at time.Time) time.Duration {
	var dists []weighted
	for t := at.Add(-baselineSpan); t.Before(at.Add(-baselineGap)); t = t.Add(baselineStep) {
		for _, r := range routeIndexes(service) {
			dists = append(dists, weighted{latency: s.latencyAt(r, t), requests: s.rate(r, t)})
		}
	}
	bs := buckets(service)
	p99, _ := quantile(dists, 0.99)
	i := slices.IndexFunc(bs, func(b time.Duration) bool { return b >= latencyMultiple*p99 })
	if i < 0 {
		i = len(bs) - 1
	}
	return bs[i]
}

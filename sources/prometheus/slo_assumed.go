package prometheus

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
)

// AssumedTarget is the availability objective assumed for a service that
// defines none.
const AssumedTarget = 0.999

// assumedSLOs builds an assumed availability SLO for every detected service,
// from the counters of its preferred convention, and an assumed latency SLO
// from its latency histogram (see AssumedLatencyTarget), as c.cfg.Assume
// allows. Queries are grouped by the service label, so their number does
// not grow with the number of services; every batch runs at once.
func (c *Client) assumedSLOs(ctx context.Context, r funnel.TimeRange, det *Detection) sloPart {
	spec := c.cfg.Assume
	if spec.Off {
		return sloPart{}
	}
	parts := make([]sloPart, 2*len(det.Conventions))
	var wg sync.WaitGroup
	for i, conv := range det.Conventions {
		services := assignedServices(det, conv)
		switch {
		case len(services) == 0 || spec.NoAvailability:
		case !conv.HasErrors():
			parts[2*i].warnings = []string{fmt.Sprintf(
				"prometheus: %s has no status label, so no availability SLO can be assumed for %d service(s)", conv.Describe(), len(services))}
		default:
			wg.Go(func() { parts[2*i] = c.assumedForConvention(ctx, r, conv, services, spec) })
		}
		switch {
		case len(services) == 0 || spec.NoLatency:
		case conv.Latency == "":
			parts[2*i+1].warnings = []string{fmt.Sprintf(
				"prometheus: %s has no latency histogram, so no latency SLO can be assumed for %d service(s)", conv.Describe(), len(services))}
		default:
			b, finish := c.assumedLatency(r, conv, services, spec)
			wg.Go(func() { parts[2*i+1] = finish(b.run(ctx)) })
		}
	}
	wg.Wait() // each batch reports through parts
	var part sloPart
	for _, p := range parts {
		part.found = append(part.found, p.found...)
		part.queries = append(part.queries, p.queries...)
		part.warnings = append(part.warnings, p.warnings...)
		part.err = cmp.Or(part.err, p.err)
	}
	return part
}

// assignedServices are the services whose preferred convention is conv.
func assignedServices(det *Detection, conv Convention) []string {
	var out []string
	for _, s := range conv.Services {
		if best, ok := det.Best(s); ok && best.ID == conv.ID {
			out = append(out, s)
		}
	}
	return out
}

type windowCounts struct {
	window     time.Duration
	bad, total model.Vector
	bads       map[string]float64
	totals     map[string]float64
	badIdx     int
	totalIdx   int
}

func (c *Client) assumedForConvention(ctx context.Context, r funnel.TimeRange, conv Convention, services []string, spec Assume) sloPart {
	period := slo.DefaultPeriod
	by := []string{conv.ServiceLabel}
	b := c.newBatch()
	windows := append(measureWindows(period), period)
	counts := make([]windowCounts, len(windows))
	for i, w := range windows {
		counts[i].window = w
		what := fmt.Sprintf(" requests per %s over %s (%s)", conv.ServiceLabel, promDuration(w), conv.Title)
		counts[i].totalIdx = b.instant("all"+what, conv.requestCount("increase", conv.Fixed, by, w), r.End, w, &counts[i].total)
		counts[i].badIdx = b.instant("failed"+what, conv.requestCount("increase", conv.withErrors(conv.Fixed), by, w), r.End, w, &counts[i].bad)
	}
	var history model.Matrix
	page := pageWindow(period)
	b.ranged(fmt.Sprintf("error ratio over %s per %s, history (%s)", promDuration(page), conv.ServiceLabel, conv.Title),
		conv.errorRatio(conv.Fixed, by, page), r, historyPoints, &history)
	errs := b.run(ctx)
	for i := range counts {
		counts[i].bads = valuesBy(counts[i].bad, conv.ServiceLabel)
		counts[i].totals = valuesBy(counts[i].total, conv.ServiceLabel)
	}

	part := sloPart{queries: b.queries, warnings: b.warnings}
	if err := allFailed(errs); err != nil {
		part.err = err
		return part
	}
	part.warnings = appendErrs(part.warnings, errs)
	hist := historiesBy(history, conv.ServiceLabel, 1)
	for _, svc := range services {
		obj := slo.Objective{
			Service: svc, Name: "availability", Target: spec.availabilityTarget(), Period: period,
			SLI: conv.errorSLI(), Origin: slo.OriginAssumed,
		}
		m := slo.Measurements{At: r.End, BurnHistory: burnHistory(hist[svc], obj)}
		for _, wc := range counts {
			total, totalOK := wc.totals[svc]
			ratio := countRatio(wc.window, wc.bads[svc], total, totalOK, b.queries[wc.totalIdx].Purpose)
			if errs[wc.badIdx] != nil {
				ratio.ErrorRatio, ratio.Query = math.NaN(), b.queries[wc.badIdx].Purpose
			}
			if wc.window == period {
				m.Period = ratio
			} else {
				m.Windows = append(m.Windows, ratio)
			}
		}
		part.found = append(part.found, measured{obj: obj, m: m})
	}
	return part
}

// allFailed returns the first error when every call failed, else nil.
func allFailed(errs []error) error {
	if len(errs) == 0 || slices.Contains(errs, nil) {
		return nil
	}
	return errs[0]
}

// appendErrs adds each failed call's error as a warning.
func appendErrs(warnings []string, errs []error) []string {
	for _, e := range errs {
		if e != nil {
			warnings = addWarnings(warnings, e.Error())
		}
	}
	return warnings
}

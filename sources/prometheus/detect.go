package prometheus

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/sources/internal/httpx"
	"github.com/redline-tui/redline/sources/internal/step"
)

// detectLookback is how far back detection looks for series.
const detectLookback = 6 * time.Hour

// Detection is what a backend was found to hold: metric conventions (with
// the services each covers) and SLO rule families.
type Detection struct {
	At          time.Time
	Conventions []Convention // in preference order
	Sloth       []string     // services with Sloth SLOs (sloth_service values)
	Pyrra       []string     // Pyrra SLO names (slo label values)
	Warnings    []string     // parts of detection that failed
	// Queries is the PromQL detection sent (the metric inventory).
	Queries []funnel.Query

	// pyrraRules are the names of Pyrra's recording rules (metrics with an
	// slo label), so the SLO step need not look them up first.
	pyrraRules []string
}

// pyrraRulesAt returns the Pyrra rule names detection found when its
// lookback covers at, else false.
func (d *Detection) pyrraRulesAt(at time.Time) ([]string, bool) {
	covered := !at.Before(d.At.Add(-detectLookback)) && at.Before(d.At.Add(detectTTL))
	return d.pyrraRules, covered && !d.At.IsZero()
}

// Best returns the preferred convention covering service.
func (d *Detection) Best(service string) (Convention, bool) {
	for _, c := range d.Conventions {
		if slices.Contains(c.Services, service) {
			return c, true
		}
	}
	return Convention{}, false
}

// Services lists every service any convention covers, sorted.
func (d *Detection) Services() []string {
	var all []string
	for _, c := range d.Conventions {
		all = append(all, c.Services...)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// Detect finds the conventions and SLO rule families the backend holds. The
// answer is cached for a few minutes.
func (c *Client) Detect(ctx context.Context) (*Detection, error) {
	ctx, end := step.Begin(ctx)
	d, _, err := c.detection(ctx)
	return d, end(err)
}

// detection is Detect also telling whether it asked the backend (fresh)
// rather than reusing the cached answer, so a step can record the
// detection's queries when it sent them.
func (c *Client) detection(ctx context.Context) (d *Detection, fresh bool, err error) {
	c.mu.Lock()
	cached := c.detected
	c.mu.Unlock()
	now := c.now()
	if cached != nil && now.Sub(cached.At) < detectTTL {
		return cached, false, nil
	}
	if d, err = c.detect(ctx, now); err != nil {
		return nil, false, err
	}
	c.mu.Lock()
	c.detected = d
	c.mu.Unlock()
	return d, true, nil
}

// detect sends everything detection needs in one round, in parallel: the
// metric inventory (one query) and the Sloth and Pyrra rule discovery. The
// conventions are then resolved from the inventory alone.
func (c *Client) detect(ctx context.Context, now time.Time) (*Detection, error) {
	d := &Detection{At: now}
	var (
		inv    inventory
		invErr error
		wg     sync.WaitGroup
	)
	wg.Go(func() { inv, d.Queries, invErr = c.takeInventory(ctx, now) })
	wg.Go(func() { // SLO rule families are optional: failures become warnings
		c.detectSLORules(ctx, d, now.Add(-detectLookback), now)
	})
	wg.Wait() // both report through their results
	if invErr != nil {
		return nil, invErr
	}
	d.Warnings = addWarnings(d.Warnings, inv.warnings...)
	d.Conventions = c.resolveConventions(inv)
	return d, nil
}

// takeInventory sends the detection query (see detectionQuery) over every
// candidate metric of every convention.
func (c *Client) takeInventory(ctx context.Context, now time.Time) (inventory, []funnel.Query, error) {
	groupBy, carried := detectionLabels(c.cfg.ServiceLabel)
	var vec model.Vector
	b := c.newBatch()
	b.instant("metric conventions, their labels and services (detection)",
		detectionQuery(candidateNames(), groupBy, carried, detectLookback), now, detectLookback, &vec)
	if errs := b.run(ctx); errs[0] != nil {
		return inventory{}, b.queries, errs[0]
	}
	return newInventory(vec, b.warnings), b.queries, nil
}

// inventory is the answer of the detection query: for each metric present,
// the label sets of its answer series.
type inventory struct {
	series   map[string][]model.Metric
	warnings []string
}

func newInventory(vec model.Vector, warnings []string) inventory {
	inv := inventory{series: map[string][]model.Metric{}, warnings: warnings}
	for _, s := range vec {
		name := string(s.Metric[model.MetricNameLabel])
		if name != "" {
			inv.series[name] = append(inv.series[name], unescapedLabels(s.Metric))
		}
	}
	return inv
}

// unescapedLabels undoes detectionQuery's escaping of UTF-8 grouping labels.
func unescapedLabels(m model.Metric) model.Metric {
	out := make(model.Metric, len(m))
	for name, value := range m {
		out[model.LabelName(unescaped(string(name)))] = value
	}
	return out
}

// present lists the metric names found, as a set.
func (inv inventory) present() map[string]bool {
	out := make(map[string]bool, len(inv.series))
	for name := range inv.series {
		out[name] = true
	}
	return out
}

// labelsOf lists, sorted, the labels some series of metric carries: the
// grouping labels with a value and the labels marked present.
func (inv inventory) labelsOf(metric string) []string {
	var out []string
	for _, m := range inv.series[metric] {
		for name, value := range m {
			label, marker := strings.CutPrefix(string(name), presenceLabel(""))
			if marker {
				label = unescaped(label)
			}
			switch {
			case name == model.MetricNameLabel || value == "":
			case marker && value == "1":
				out = append(out, label)
			case !marker:
				out = append(out, label)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// values lists, sorted, the values of label on the series of metric that
// match every fixed matcher.
func (inv inventory) values(metric, label string, fixed []matcher) []string {
	var out []string
	for _, m := range inv.series[metric] {
		v := string(m[model.LabelName(label)])
		if v != "" && !slices.ContainsFunc(fixed, func(f matcher) bool { return !f.matches(m) }) {
			out = append(out, v)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// resolveConventions resolves every family present in the inventory (or
// only the pinned one), keeping those that cover at least one service.
func (c *Client) resolveConventions(inv inventory) []Convention {
	present := inv.present()
	var out []Convention
	for _, f := range families {
		if c.cfg.Convention != "" && f.id != c.cfg.Convention {
			continue
		}
		conv, ok := f.resolve(present, inv.labelsOf, c.cfg.ServiceLabel)
		if !ok {
			continue
		}
		if conv.Services = inv.values(conv.Requests, conv.ServiceLabel, conv.Fixed); len(conv.Services) > 0 {
			out = append(out, conv)
		}
	}
	return out
}

// detectSLORules finds Sloth's services, Pyrra's SLO names and Pyrra's
// rule names, in parallel.
func (c *Client) detectSLORules(ctx context.Context, d *Detection, start, end time.Time) {
	asks := []struct {
		label string
		match matcher
		out   *[]string
	}{
		{"sloth_service", eq("__name__", slothObjective), &d.Sloth},
		{pyrraSLOLabel, re("__name__", ".+:"+pyrraBurnPrefix+".+"), &d.Pyrra},
		{"__name__", notEq(pyrraSLOLabel, ""), &d.pyrraRules},
	}
	errs := make([]error, len(asks))
	var wg sync.WaitGroup
	for i, ask := range asks {
		wg.Go(func() {
			vals, err := c.labelValues(ctx, ask.label, ask.match, start, end)
			*ask.out, errs[i] = toStrings(vals), err
		})
	}
	wg.Wait() // failures become warnings
	for _, err := range errs {
		if err != nil {
			d.Warnings = addWarnings(d.Warnings, err.Error())
		}
	}
}

func (c *Client) labelValues(ctx context.Context, label string, m matcher, start, end time.Time) (model.LabelValues, error) {
	match := selector("", m)
	purpose := "values of label " + label + " for " + httpx.Shorten(match, 60)
	var vals model.LabelValues
	err := c.send(ctx, purpose, func(ctx context.Context) (err error) {
		vals, _, _, err = c.api.LabelValues(ctx, label, []string{match}, start, end)
		return err
	})
	if err != nil {
		return nil, describe(purpose, err)
	}
	return vals, nil
}

func toStrings(vals model.LabelValues) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		out = append(out, string(v))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

package prometheus

import (
	"context"
	"github.com/redline-tui/redline/sources/internal/httpx"
	"slices"
	"time"

	"github.com/prometheus/common/model"
	"golang.org/x/sync/errgroup"
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
	c.mu.Lock()
	cached := c.detected
	c.mu.Unlock()
	now := c.now()
	if cached != nil && now.Sub(cached.At) < detectTTL {
		return cached, nil
	}
	d, err := c.detect(ctx, now)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.detected = d
	c.mu.Unlock()
	return d, nil
}

func (c *Client) detect(ctx context.Context, now time.Time) (*Detection, error) {
	d := &Detection{At: now}
	start := now.Add(-detectLookback)
	var names model.LabelValues
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		var err error
		names, err = c.labelValues(gctx, "__name__", anyOf("__name__", candidateNames()), start, now)
		return err
	})
	g.Go(func() error { // SLO rule families are optional: failures become warnings
		c.detectSLORules(ctx, d, start, now)
		return nil
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	present := make(map[string]bool, len(names))
	for _, n := range names {
		present[string(n)] = true
	}
	d.Conventions = c.resolveConventions(ctx, present, start, now, d)
	return d, nil
}

func (c *Client) detectSLORules(ctx context.Context, d *Detection, start, end time.Time) {
	var (
		sloth, pyrra       model.LabelValues
		slothErr, pyrraErr error
		g                  errgroup.Group
	)
	g.Go(func() error {
		sloth, slothErr = c.labelValues(ctx, "sloth_service", eq("__name__", slothObjective), start, end)
		return nil
	})
	g.Go(func() error {
		pyrra, pyrraErr = c.labelValues(ctx, "slo", re("__name__", ".+:"+pyrraBurnPrefix+".+"), start, end)
		return nil
	})
	_ = g.Wait() // failures become warnings
	for _, err := range []error{slothErr, pyrraErr} {
		if err != nil {
			d.Warnings = append(d.Warnings, err.Error())
		}
	}
	d.Sloth, d.Pyrra = toStrings(sloth), toStrings(pyrra)
}

// resolveConventions resolves every family present (or only the pinned
// one), asking for label names and services in parallel.
func (c *Client) resolveConventions(ctx context.Context, present map[string]bool, start, end time.Time, d *Detection) []Convention {
	var cands []Convention
	var fams []family
	for _, f := range families {
		if c.cfg.Convention != "" && f.id != c.cfg.Convention {
			continue
		}
		if conv, ok := f.pickVariant(present); ok {
			cands, fams = append(cands, conv), append(fams, f)
		}
	}
	errs := make([]error, len(cands))
	var g errgroup.Group
	for i := range cands {
		g.Go(func() error {
			errs[i] = c.completeConvention(ctx, &cands[i], fams[i], start, end)
			return nil
		})
	}
	_ = g.Wait()
	var out []Convention
	for i, conv := range cands {
		switch {
		case errs[i] != nil:
			d.Warnings = append(d.Warnings, errs[i].Error())
		case len(conv.Services) > 0:
			out = append(out, conv)
		}
	}
	return out
}

// completeConvention picks the labels of conv from its request metric's
// label names, then lists its services.
func (c *Client) completeConvention(ctx context.Context, conv *Convention, f family, start, end time.Time) error {
	labels, err := c.labelNames(ctx, eq("__name__", conv.Requests), start, end)
	if err != nil {
		return err
	}
	conv.pickLabels(f, labels, c.cfg.ServiceLabel)
	if conv.ServiceLabel == "" {
		return nil
	}
	ms := append([]matcher{eq("__name__", conv.Requests)}, conv.Fixed...)
	services, err := c.labelValuesOf(ctx, conv.ServiceLabel, selector("", ms...), start, end)
	conv.Services = toStrings(services)
	return err
}

func (c *Client) labelValues(ctx context.Context, label string, m matcher, start, end time.Time) (model.LabelValues, error) {
	return c.labelValuesOf(ctx, label, selector("", m), start, end)
}

func (c *Client) labelValuesOf(ctx context.Context, label, match string, start, end time.Time) (model.LabelValues, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	vals, _, _, err := c.api.LabelValues(ctx, label, []string{match}, start, end)
	if err != nil {
		return nil, describe("values of label "+label+" for "+httpx.Shorten(match, 60), err)
	}
	return vals, nil
}

func (c *Client) labelNames(ctx context.Context, m matcher, start, end time.Time) ([]string, error) {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	match := selector("", m)
	names, _, _, err := c.api.LabelNames(ctx, []string{match}, start, end)
	if err != nil {
		return nil, describe("label names of "+match, err)
	}
	out := make([]string, 0, len(names))
	for _, n := range names {
		if validLabel(string(n)) {
			out = append(out, string(n))
		}
	}
	return out, nil
}

func toStrings(vals model.LabelValues) []string {
	out := make([]string, 0, len(vals))
	for _, v := range vals {
		out = append(out, string(v))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

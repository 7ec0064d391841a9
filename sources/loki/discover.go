package loki

import (
	"context"
	"fmt"
	"strings"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/sources/internal/logmatch"
)

// selection is the stream selector a look-up uses and how it was chosen.
type selection struct {
	label    string   // the service label name
	values   []string // its values naming the trace's services; nil selects every stream with the label
	selector string   // the LogQL stream selector
	found    bool     // label and values were confirmed in this Loki (worth caching)
	known    []string // every value of label in the window, when fetched
	warning  string   // why the selector is broader than the services
	empty    bool     // this Loki has no streams in the window at all
}

// knownSelection builds the selector from a pinned or cached label name
// without asking Loki. A pinned label (no known values) takes the services
// as they are; a cached one takes the values it saw that name them, and
// reports false when none do (the trace's services need discovering).
func knownSelection(d discovery, services []string) (selection, bool) {
	if d.serviceLabel == "" {
		return selection{}, false
	}
	if d.serviceValues == nil {
		s := selection{label: d.serviceLabel, values: services, selector: selectorFor(d.serviceLabel, services)}
		if len(services) == 0 {
			s.warning = fmt.Sprintf("the trace names no service: searching every stream with a %s label", d.serviceLabel)
		}
		return s, true
	}
	matched := logmatch.MatchServices(d.serviceValues, services)
	if len(matched) == 0 {
		return selection{}, false
	}
	return selection{label: d.serviceLabel, values: matched, selector: selectorFor(d.serviceLabel, matched), found: true, known: d.serviceValues}, true
}

// discoverSelection asks Loki which label names a service in the window:
// the first of the service labels present whose values include one of
// services. Without a match it falls back to every stream carrying the
// first service label present (or any label) and says so.
func (c *Client) discoverSelection(ctx context.Context, services []string, window funnel.TimeRange) (selection, error) {
	names, err := c.labelNames(ctx, window)
	if err != nil {
		return selection{}, err
	}
	if len(names) == 0 {
		return selection{empty: true, warning: "this Loki holds no log streams in " + window.String()}, nil
	}
	present := logmatch.Present(c.serviceLabels, names)
	for _, label := range present {
		if len(services) == 0 {
			break
		}
		values, err := c.labelValues(ctx, label, window)
		if err != nil {
			return selection{}, err
		}
		if matched := logmatch.MatchServices(values, services); len(matched) > 0 {
			return selection{label: label, values: matched, selector: selectorFor(label, matched), found: true, known: values}, nil
		}
	}
	return fallbackSelection(present, names, services), nil
}

// fallbackSelection selects every stream of the first service label present,
// or of the first label at all.
func fallbackSelection(present, names, services []string) selection {
	label := names[0]
	if len(present) > 0 {
		label = present[0]
	}
	s := selection{label: label, selector: selectorFor(label, nil)}
	switch {
	case len(services) == 0:
		s.warning = "the trace names no service"
	case len(present) == 0:
		s.warning = fmt.Sprintf("no stream label names a service (labels here: %s)", strings.Join(names, ", "))
	default:
		s.warning = fmt.Sprintf("no value of %s names %s", strings.Join(present, ", "), strings.Join(services, ", "))
	}
	s.warning += ": searching every stream with " + s.selector + " (set service_label in config to pin it)"
	return s
}

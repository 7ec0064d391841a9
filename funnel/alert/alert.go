// Package alert is what redline knows of the alerts a backend is firing
// (Prometheus' /api/v1/alerts or Alertmanager's /api/v2/alerts): their
// state, severity, whether Alertmanager silenced or inhibited them, their
// age in words and symbols, and which SLO each one pages for. It is
// standard library only.
package alert

import (
	"cmp"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel/units"
)

// State is how far an alert has got.
type State int

// States, least urgent first.
const (
	Pending State = iota // its condition holds, but not yet for its "for" duration
	Firing
)

// String is the state's word.
func (s State) String() string {
	if s == Firing {
		return "firing"
	}
	return "pending"
}

// Symbol marks the state without colour: ● firing, ○ pending.
func (s State) Symbol() string {
	if s == Firing {
		return "●"
	}
	return "○"
}

// Mute is why Alertmanager holds back a firing alert's notifications.
type Mute int

// Mutes; a silence outranks an inhibition (someone chose it).
const (
	Unmuted   Mute = iota
	Inhibited      // another firing alert inhibits it
	Silenced       // a silence matches it
)

// String is the mute's word, "" for Unmuted.
func (m Mute) String() string {
	switch m {
	case Silenced:
		return "silenced"
	case Inhibited:
		return "inhibited"
	}
	return ""
}

// mutedSymbol marks a silenced or inhibited alert without colour.
const mutedSymbol = "⊘"

// Alert is one active alert.
type Alert struct {
	Name     string // the alertname label
	State    State
	Severity string            // the severity label, "" when it has none
	Labels   map[string]string // every label, alertname and severity included
	ActiveAt time.Time         // when it became pending (Alertmanager: when it started firing)
	// Mute is set on Alertmanager's silenced or inhibited alerts: they
	// notify no one, so they do not page.
	Mute Mute
	// RuleLabels are what the recording rules its expression reads say of
	// it (their sloth_service, slo, service… labels), for Match only; nil
	// when unknown.
	RuleLabels map[string]string
}

// Paging reports whether the alert pages someone: severity page or
// critical (Sloth and Pyrra's fast-burn alerts use these), and not
// silenced or inhibited.
func (a Alert) Paging() bool {
	s := strings.ToLower(a.Severity)
	return a.Mute == Unmuted && (s == "page" || s == "critical")
}

// Summary is the alert in one line, e.g. "● SLOBurn page firing 12m", or
// "⊘ SLOBurn page silenced 12m" when Alertmanager holds it back.
func (a Alert) Summary(now time.Time) string {
	return a.symbol() + " " + a.Name + " " + a.facts(now)
}

// Brief puts the facts before the name, for a column that may cut it:
// "● page firing 12m SLOBurn".
func (a Alert) Brief(now time.Time) string {
	return a.symbol() + " " + a.facts(now) + " " + a.Name
}

func (a Alert) symbol() string {
	if a.Mute != Unmuted {
		return mutedSymbol
	}
	return a.State.Symbol()
}

// Status is the state's word, or the mute's when Alertmanager holds the
// alert back: "firing", "pending", "silenced" or "inhibited".
func (a Alert) Status() string {
	if a.Mute != Unmuted {
		return a.Mute.String()
	}
	return a.State.String()
}

// facts are the severity (when known), the status and how long it has
// been active: "page firing 12m".
func (a Alert) facts(now time.Time) string {
	var parts []string
	if a.Severity != "" {
		parts = append(parts, a.Severity)
	}
	parts = append(parts, a.Status())
	if !a.ActiveAt.IsZero() && now.After(a.ActiveAt) {
		parts = append(parts, units.Coarse(now.Sub(a.ActiveAt)))
	}
	return strings.Join(parts, " ")
}

// Target is an SLO as alerts name it.
type Target struct {
	Service string
	Name    string
}

// Labels that tie an alert to an SLO.
const (
	slothService = "sloth_service"
	slothSLO     = "sloth_slo"
	pyrraSLO     = "slo"
)

// serviceLabels name an alert's service when no SLO label does.
var serviceLabels = []string{"service", "service_name", "job"}

// Match gives each target the alerts that page for it, most urgent first,
// and returns the firing alerts that match no target. An alert matches by
// its Sloth labels (sloth_service and sloth_slo), else Pyrra's slo label
// (the SLO's name), else its service label, which matches every SLO of
// that service. Its own labels are read over its RuleLabels, so an alert
// whose expression reads an SLO's recording rules matches that SLO even
// when it carries none of these labels itself.
func Match(alerts []Alert, targets []Target) (matched [][]Alert, unmatched []Alert) {
	matched = make([][]Alert, len(targets))
	for _, a := range alerts {
		hits := matches(a, targets)
		for _, i := range hits {
			matched[i] = append(matched[i], a)
		}
		if len(hits) == 0 && a.State == Firing {
			unmatched = append(unmatched, a)
		}
	}
	for _, m := range matched {
		Sort(m)
	}
	Sort(unmatched)
	return matched, unmatched
}

// matches lists the targets a belongs to, by the most specific labels it
// carries.
func matches(a Alert, targets []Target) []int {
	l := a.matchLabels()
	var by func(Target) bool
	switch {
	case l[slothService] != "" || l[slothSLO] != "":
		by = func(t Target) bool {
			return (l[slothService] == "" || t.Service == l[slothService]) && (l[slothSLO] == "" || t.Name == l[slothSLO])
		}
	case l[pyrraSLO] != "":
		by = func(t Target) bool { return t.Name == l[pyrraSLO] && serviceAgrees(l, t) }
	default:
		by = func(t Target) bool { return serviceOf(l) != "" && t.Service == serviceOf(l) }
	}
	var out []int
	for i, t := range targets {
		if by(t) {
			out = append(out, i)
		}
	}
	return out
}

// matchLabels are the alert's labels over its rule labels.
func (a Alert) matchLabels() map[string]string {
	if len(a.RuleLabels) == 0 {
		return a.Labels
	}
	l := make(map[string]string, len(a.Labels)+len(a.RuleLabels))
	maps.Copy(l, a.RuleLabels)
	maps.Copy(l, a.Labels)
	return l
}

// serviceAgrees: an alert that names a service names the target's.
func serviceAgrees(l map[string]string, t Target) bool {
	s := serviceOf(l)
	return s == "" || s == t.Service
}

// Service is the service the alert names by its service (service_name,
// job) label, or its recording rules do (RuleLabels), "" when none does.
func (a Alert) Service() string { return serviceOf(a.matchLabels()) }

func serviceOf(l map[string]string) string {
	for _, k := range serviceLabels {
		if v := l[k]; v != "" {
			return v
		}
	}
	return ""
}

// Sort orders alerts most urgent first: firing before pending, notifying
// before silenced or inhibited, paging before the rest, longest active
// first, then by name.
func Sort(alerts []Alert) {
	slices.SortStableFunc(alerts, func(a, b Alert) int {
		return cmp.Or(
			cmp.Compare(b.State, a.State),
			boolFirst(a.Mute == Unmuted, b.Mute == Unmuted),
			boolFirst(a.Paging(), b.Paging()),
			a.ActiveAt.Compare(b.ActiveAt),
			strings.Compare(a.Name, b.Name),
		)
	})
}

func boolFirst(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return -1
	}
	return 1
}

// Pages reports whether any of alerts is firing and paging.
func Pages(alerts []Alert) bool {
	return slices.ContainsFunc(alerts, func(a Alert) bool { return a.State == Firing && a.Paging() })
}

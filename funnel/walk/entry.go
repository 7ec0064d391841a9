package walk

import (
	"fmt"
	"slices"
	"strings"

	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
)

// Entry is where redline opens instead of the worst SLO (--alert, --slo,
// --service, each with an optional --route): the TUI and `redline snapshot`
// both land through Land and LandRoute. At most one of Alert, SLO and
// Service is set; Route names a route of the service landed on.
type Entry struct {
	Alert   string // an active alert's name: the SLO it pages for
	SLO     string // "service/name"
	Service string // the worst SLO of the service, else its routes
	Route   string // a route of that service: its traces
}

// IsZero reports whether e asks for nothing: the walk's own picks apply.
func (e Entry) IsZero() bool { return e == Entry{} }

// Check reports an entry that cannot be walked, as a usage error: more
// than one of Alert, SLO and Service, or an SLO not written SERVICE/NAME.
func (e Entry) Check() error {
	n := 0
	for _, s := range []string{e.Alert, e.SLO, e.Service} {
		if s != "" {
			n++
		}
	}
	if n > 1 {
		return fmt.Errorf("--alert, --slo and --service each choose where to open: give one")
	}
	if e.SLO != "" {
		if service, name, ok := strings.Cut(e.SLO, "/"); !ok || service == "" || name == "" {
			return fmt.Errorf("--slo %q: write SERVICE/NAME, e.g. checkout/availability", e.SLO)
		}
	}
	return nil
}

// String is the entry as its flags, e.g. `--alert ShopCheckoutSlow`.
func (e Entry) String() string {
	var parts []string
	for _, f := range [...]struct{ flag, value string }{{"--alert", e.Alert}, {"--slo", e.SLO}, {"--service", e.Service}, {"--route", e.Route}} {
		if f.value != "" {
			parts = append(parts, f.flag+" "+quoteIfSpaced(f.value))
		}
	}
	return strings.Join(parts, " ")
}

func quoteIfSpaced(s string) string {
	if strings.ContainsAny(s, " \t") {
		return fmt.Sprintf("%q", s)
	}
	return s
}

// Landing is where an entry lands on the SLO step: an SLO, or, for an
// alert or a service without one, the service's routes alone.
type Landing struct {
	Status  slo.Status // the SLO landed on, when HasSLO
	HasSLO  bool
	Service string // the service whose routes open next
	How     string // how the SLO was found, for the snapshot's path
	Note    string // what the user should be told, e.g. that several SLOs matched
}

// Miss is an entry that names nothing the backends know. Its message says
// what exists instead, e.g. `no firing alert named "X"; firing: A, B`.
type Miss struct{ msg string }

func (m *Miss) Error() string { return m.msg }

func missf(format string, args ...any) *Miss { return &Miss{msg: fmt.Sprintf(format, args...)} }

// Land finds where e lands among report's SLOs: the SLO an alert pages for
// (the most urgent when several, saying so), else the service an unmatched
// alert names; the named SLO; the worst SLO of a service, else that
// service's routes. A name that matches nothing is a *Miss listing what
// exists. The zero entry lands on the worst SLO, or nowhere (a zero
// Landing) when there is none.
func Land(report slo.Report, e Entry) (Landing, error) {
	statuses := SLOs(report.Statuses)
	switch {
	case e.Alert != "":
		return landAlert(statuses, report.Unmatched, e.Alert)
	case e.SLO != "":
		return landSLO(statuses, e.SLO)
	case e.Service != "":
		return landService(statuses, e.Service), nil
	}
	if len(statuses) == 0 {
		return Landing{}, nil
	}
	return Landing{Status: statuses[0], HasSLO: true, Service: statuses[0].Objective.Service, How: "worst by severity"}, nil
}

func landAlert(statuses []slo.Status, unmatched []alert.Alert, name string) (Landing, error) {
	var hits []slo.Status
	for _, s := range statuses {
		if slices.ContainsFunc(s.Alerts, func(a alert.Alert) bool { return a.Name == name }) {
			hits = append(hits, s)
		}
	}
	if len(hits) > 0 {
		l := Landing{Status: hits[0], HasSLO: true, Service: hits[0].Objective.Service, How: "alert " + name}
		if len(hits) > 1 {
			l.How += fmt.Sprintf(", the most urgent of %d SLOs", len(hits))
			l.Note = fmt.Sprintf("alert %s pages for %d SLOs (%s): took the most urgent, %s",
				name, len(hits), strings.Join(sloNames(hits), ", "), sloName(hits[0]))
		}
		return l, nil
	}
	i := slices.IndexFunc(unmatched, func(a alert.Alert) bool { return a.Name == name })
	if i < 0 {
		return Landing{}, missf("no firing alert named %q; %s", name, activeAlerts(statuses, unmatched))
	}
	service := unmatched[i].Service()
	if service == "" {
		return Landing{}, missf("alert %s pages for no SLO and names no service (labels service, service_name or job)", name)
	}
	return Landing{Service: service, How: "alert " + name,
		Note: fmt.Sprintf("alert %s pages for no SLO: took the routes of the service it names, %s", name, service)}, nil
}

func landSLO(statuses []slo.Status, name string) (Landing, error) {
	i := slices.IndexFunc(statuses, func(s slo.Status) bool { return sloName(s) == name })
	if i < 0 {
		return Landing{}, missf("no SLO %q; SLOs: %s", name, listOrNone(sloNames(statuses)))
	}
	return Landing{Status: statuses[i], HasSLO: true, Service: statuses[i].Objective.Service, How: "given"}, nil
}

// landService lands on the service's worst SLO, or without one on its
// routes: ServiceMiss tells when it has none either.
func landService(statuses []slo.Status, service string) Landing {
	if st, ok := WorstSLO(statuses, service); ok {
		return Landing{Status: st, HasSLO: true, Service: service, How: "worst of service " + service}
	}
	return Landing{Service: service, Note: fmt.Sprintf("no SLO of service %q: starting at its routes", service)}
}

// ServiceMiss is the miss of a landing without an SLO whose service turned
// out to have no routes either: the services with SLOs are what exists.
func ServiceMiss(report slo.Report, service string) *Miss {
	var services []string
	for _, s := range SLOs(report.Statuses) {
		if !slices.Contains(services, s.Objective.Service) {
			services = append(services, s.Objective.Service)
		}
	}
	return missf("no service %q with SLOs or routes in the range; services: %s", service, listOrNone(services))
}

// LandRoute is the row of the route named name among rows (ranked as the
// RED step ranks them), or the top-ranked one when name is "". A named
// route without a row is a *Miss listing the service's routes.
func LandRoute(rows []red.Row, service, name string) (red.Row, error) {
	row, ok := Route(rows, name)
	if ok {
		return row, nil
	}
	if name == "" {
		return row, missf("service %q has no routes with traffic in the range", service)
	}
	var names []string
	for _, r := range Routes(rows) {
		names = append(names, r.Route)
	}
	return row, missf("no route %q of service %s; routes: %s", name, service, listOrNone(names))
}

// listMax is how many names a miss lists before counting the rest.
const listMax = 10

// listOrNone joins names, at most listMax of them, or says "none".
func listOrNone(names []string) string {
	if len(names) == 0 {
		return "none"
	}
	if len(names) > listMax {
		return strings.Join(names[:listMax], ", ") + fmt.Sprintf(" and %d more", len(names)-listMax)
	}
	return strings.Join(names, ", ")
}

// activeAlerts lists the names of the active alerts, firing then pending,
// most urgent first: what a missed --alert could have named.
func activeAlerts(statuses []slo.Status, unmatched []alert.Alert) string {
	all := slices.Clone(unmatched)
	for _, s := range statuses {
		all = append(all, s.Alerts...)
	}
	alert.Sort(all)
	byState := map[alert.State][]string{}
	for _, a := range all {
		if !slices.Contains(byState[a.State], a.Name) {
			byState[a.State] = append(byState[a.State], a.Name)
		}
	}
	out := "firing: " + listOrNone(byState[alert.Firing])
	if pending := byState[alert.Pending]; len(pending) > 0 {
		out += "; pending: " + listOrNone(pending)
	}
	return out
}

func sloName(s slo.Status) string { return s.Objective.Service + "/" + s.Objective.Name }

func sloNames(statuses []slo.Status) []string {
	out := make([]string, len(statuses))
	for i, s := range statuses {
		out[i] = sloName(s)
	}
	return out
}

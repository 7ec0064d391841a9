package walk

import (
	"errors"
	"testing"

	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
)

func alertOf(name string, state alert.State, labels map[string]string) alert.Alert {
	return alert.Alert{Name: name, State: state, Severity: labels["severity"], Labels: labels, ActiveAt: t0}
}

// entryReport: shop has two SLOs, both paged for by ShopCheckoutSlow
// (service label), its latency SLO the worse; cart's SLO has a pending
// Sloth alert; two firing alerts match no SLO, one naming a service.
func entryReport() slo.Report {
	slow := alertOf("ShopCheckoutSlow", alert.Firing, map[string]string{"severity": "page", "service": "shop"})
	return slo.Report{
		Statuses: []slo.Status{
			{Objective: slo.Objective{Service: "cart", Name: "availability"}, Verdict: slo.OK,
				Alerts: []alert.Alert{alertOf("CartBurn", alert.Pending, map[string]string{"sloth_service": "cart", "sloth_slo": "availability"})}},
			{Objective: slo.Objective{Service: "shop", Name: "availability"}, Verdict: slo.Increasing, Alerts: []alert.Alert{slow}},
			{Objective: slo.Objective{Service: "shop", Name: "latency"}, Verdict: slo.Critical, Alerts: []alert.Alert{slow}},
		},
		Unmatched: []alert.Alert{
			alertOf("DiskFull", alert.Firing, map[string]string{"instance": "db-1"}),
			alertOf("QueueBacklog", alert.Firing, map[string]string{"job": "billing"}),
		},
	}
}

func TestLand(t *testing.T) {
	tests := []struct {
		name    string
		entry   Entry
		slo     string // service/name landed on, "" for none
		service string
		how     string
		note    string
		miss    string
	}{
		{name: "no entry: the worst SLO", slo: "shop/latency", service: "shop", how: "worst by severity"},
		{name: "alert on several SLOs: the most urgent, said", entry: Entry{Alert: "ShopCheckoutSlow"}, slo: "shop/latency", service: "shop",
			how: "alert ShopCheckoutSlow, the most urgent of 2 SLOs", note: "alert ShopCheckoutSlow pages for 2 SLOs (shop/latency, shop/availability): took the most urgent, shop/latency"},
		{name: "pending alert on one SLO", entry: Entry{Alert: "CartBurn"}, slo: "cart/availability", service: "cart", how: "alert CartBurn"},
		{name: "unmatched alert naming a service: its routes", entry: Entry{Alert: "QueueBacklog"}, service: "billing", how: "alert QueueBacklog",
			note: "alert QueueBacklog pages for no SLO: took the routes of the service it names, billing"},
		{name: "unmatched alert naming no service", entry: Entry{Alert: "DiskFull"},
			miss: "alert DiskFull pages for no SLO and names no service (labels service, service_name or job)"},
		{name: "unknown alert lists the active ones", entry: Entry{Alert: "Nope"},
			miss: `no firing alert named "Nope"; firing: ShopCheckoutSlow, DiskFull, QueueBacklog; pending: CartBurn`},
		{name: "alert names are exact", entry: Entry{Alert: "shopcheckoutslow"},
			miss: `no firing alert named "shopcheckoutslow"; firing: ShopCheckoutSlow, DiskFull, QueueBacklog; pending: CartBurn`},
		{name: "named SLO", entry: Entry{SLO: "shop/availability"}, slo: "shop/availability", service: "shop", how: "given"},
		{name: "unknown SLO lists the SLOs", entry: Entry{SLO: "shop/errors"},
			miss: `no SLO "shop/errors"; SLOs: shop/latency, shop/availability, cart/availability`},
		{name: "service: its worst SLO", entry: Entry{Service: "shop"}, slo: "shop/latency", service: "shop", how: "worst of service shop"},
		{name: "service without an SLO: its routes", entry: Entry{Service: "billing"}, service: "billing",
			note: `no SLO of service "billing": starting at its routes`},
		{name: "route alone: the worst SLO's service", entry: Entry{Route: "GET /a"}, slo: "shop/latency", service: "shop", how: "worst by severity"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := Land(entryReport(), tt.entry)
			if tt.miss != "" {
				var miss *Miss
				if !errors.As(err, &miss) || err.Error() != tt.miss {
					t.Fatalf("err = %v, want the miss %q", err, tt.miss)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := ""
			if l.HasSLO {
				got = sloName(l.Status)
			}
			if got != tt.slo || l.Service != tt.service || l.How != tt.how || l.Note != tt.note {
				t.Errorf("landed on %q service %q how %q note %q\nwant %q service %q how %q note %q", got, l.Service, l.How, l.Note, tt.slo, tt.service, tt.how, tt.note)
			}
		})
	}
}

func TestLandWithoutSLOs(t *testing.T) {
	if l, err := Land(slo.Report{}, Entry{}); err != nil || l.Service != "" || l.HasSLO {
		t.Errorf("no SLOs landed on %+v, %v; want nowhere", l, err)
	}
	if _, err := Land(slo.Report{}, Entry{Alert: "X"}); err == nil || err.Error() != `no firing alert named "X"; firing: none` {
		t.Errorf("err = %v", err)
	}
	if _, err := Land(slo.Report{}, Entry{SLO: "a/b"}); err == nil || err.Error() != `no SLO "a/b"; SLOs: none` {
		t.Errorf("err = %v", err)
	}
}

func TestServiceMiss(t *testing.T) {
	if got, want := ServiceMiss(entryReport(), "billing").Error(), `no service "billing" with SLOs or routes in the range; services: shop, cart`; got != want {
		t.Errorf("ServiceMiss = %q, want %q", got, want)
	}
}

func TestLandRoute(t *testing.T) {
	rows := []red.Row{{Route: "GET /a", Rate: 10, BadRate: 0.1}, {Route: "POST /b", Rate: 10, BadRate: 5}}
	tests := []struct {
		name, route, want, miss string
		rows                    []red.Row
	}{
		{name: "named", route: "GET /a", want: "GET /a", rows: rows},
		{name: "none named: the top one", want: "POST /b", rows: rows},
		{name: "unknown route lists the routes, ranked", route: "GET /gone", rows: rows, miss: `no route "GET /gone" of service shop; routes: POST /b, GET /a`},
		{name: "no routes", route: "GET /a", miss: `no route "GET /a" of service shop; routes: none`},
		{name: "no routes, none named", miss: `service "shop" has no routes with traffic in the range`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			row, err := LandRoute(tt.rows, "shop", tt.route)
			if tt.miss != "" {
				if err == nil || err.Error() != tt.miss {
					t.Fatalf("err = %v, want %q", err, tt.miss)
				}
				return
			}
			if err != nil || row.Route != tt.want {
				t.Errorf("route = %q, %v; want %q", row.Route, err, tt.want)
			}
		})
	}
}

func TestListOrNoneCountsTheRest(t *testing.T) {
	names := make([]string, listMax+3)
	for i := range names {
		names[i] = "r"
	}
	if got := listOrNone(names); got != "r, r, r, r, r, r, r, r, r, r and 3 more" {
		t.Errorf("listOrNone = %q", got)
	}
}

func TestEntryCheckAndString(t *testing.T) {
	for _, tt := range []struct {
		e    Entry
		ok   bool
		text string
	}{
		{Entry{}, true, ""},
		{Entry{Alert: "A", Route: "GET /x"}, true, `--alert A --route "GET /x"`},
		{Entry{SLO: "shop/latency"}, true, "--slo shop/latency"},
		{Entry{Service: "shop", Route: "GET /x"}, true, `--service shop --route "GET /x"`},
		{Entry{Alert: "A", Service: "shop"}, false, ""},
		{Entry{SLO: "shop"}, false, ""},
		{Entry{SLO: "/latency"}, false, ""},
	} {
		if err := tt.e.Check(); (err == nil) != tt.ok {
			t.Errorf("%+v: Check() = %v", tt.e, err)
		}
		if tt.ok && tt.e.String() != tt.text {
			t.Errorf("%+v: String() = %q, want %q", tt.e, tt.e.String(), tt.text)
		}
	}
	if !(Entry{}).IsZero() || (Entry{Route: "x"}).IsZero() {
		t.Error("IsZero")
	}
}

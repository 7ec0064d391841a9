package prometheus

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/alert"
)

// slothAlerts: a firing page for Sloth's shop SLO, a pending ticket for
// it, a firing alert of no SLO and a resolved-looking inactive one.
const slothAlerts = `{"alerts":[
 {"labels":{"alertname":"ShopAvailabilityBurnTicket","severity":"ticket","sloth_service":"shop","sloth_slo":"requests-availability"},"state":"pending","activeAt":"2026-11-21T20:55:00Z","value":"1"},
 {"labels":{"alertname":"ShopAvailabilityBurnPage","severity":"page","sloth_service":"shop","sloth_slo":"requests-availability"},"state":"firing","activeAt":"2026-11-21T20:48:00Z","value":"1"},
 {"labels":{"alertname":"DiskAlmostFull","severity":"warning","instance":"db-1"},"state":"firing","activeAt":"2026-11-21T18:00:00Z","value":"1"},
 {"labels":{"alertname":"Quiet","service":"payments"},"state":"inactive","value":"0"}
]}`

func TestSLOsCarryTheirAlerts(t *testing.T) {
	fx := loadFixture(t, "sloth.json")
	fx.Alerts = json.RawMessage(slothAlerts)
	f := newFakeProm(t, fx)
	c := f.client(t, Config{})
	c.now = func() time.Time { return fixtureNow }
	rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
	if err != nil {
		t.Fatal(err)
	}
	shop := statusOf(t, rep, "shop", "requests-availability")
	if len(shop.Alerts) != 2 || shop.Alerts[0].Name != "ShopAvailabilityBurnPage" || shop.Alerts[0].State != alert.Firing || shop.Alerts[1].State != alert.Pending {
		t.Errorf("shop alerts %+v, want the firing page then the pending ticket", shop.Alerts)
	}
	if want := time.Date(2026, 11, 21, 20, 48, 0, 0, time.UTC); !shop.Alerts[0].ActiveAt.Equal(want) || shop.Alerts[0].Severity != "page" {
		t.Errorf("page alert %+v, want severity page active since %s", shop.Alerts[0], want)
	}
	if len(rep.Unmatched) != 1 || rep.Unmatched[0].Name != "DiskAlmostFull" {
		t.Errorf("unmatched %+v, want only the firing DiskAlmostFull", rep.Unmatched)
	}
	if rep.Statuses[0].Objective.Service != "shop" {
		t.Errorf("the paging SLO is not first: %s", rep.Statuses[0].Objective.Service)
	}
}

func TestAlertsFailureIsAWarning(t *testing.T) {
	fx := loadFixture(t, "sloth.json")
	c := clientFailingOn(t, fx, "/api/v1/alerts", http.StatusInternalServerError, "boom")
	rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
	if err != nil || len(rep.Statuses) != 2 {
		t.Fatalf("SLOs failed with the alerts endpoint: %v, %d statuses", err, len(rep.Statuses))
	}
	if !strings.Contains(strings.Join(rep.Warnings, "\n"), "active alerts") {
		t.Errorf("warnings %q do not say the alerts could not be read", rep.Warnings)
	}
	if _, err := c.Alerts(context.Background()); err == nil || !strings.Contains(err.Error(), "500") {
		t.Errorf("Alerts error %v does not name the status", err)
	}
}

// clientFailingOn is a client of the fake Prometheus serving fx, but for
// path, which answers code with body.
func clientFailingOn(t *testing.T, fx fixture, path string, code int, body string) *Client {
	t.Helper()
	f := newFakeProm(t, fx)
	mux := http.NewServeMux()
	mux.HandleFunc(path, func(w http.ResponseWriter, _ *http.Request) { http.Error(w, body, code) })
	mux.Handle("/", f.srv.Config.Handler)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return fixtureNow }
	return c
}

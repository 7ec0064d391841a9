package alertmanager

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel/alert"
)

// now is when the answers in testdata were given.
var now = time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC)

// fakeAM answers /api/v2/alerts and /api/v2/status from testdata files,
// checking that the client asks for every kind of alert.
func fakeAM(t *testing.T, alertsFile string) (*httptest.Server, *[]http.Header) {
	t.Helper()
	var headers []http.Header
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/alerts", func(w http.ResponseWriter, r *http.Request) {
		headers = append(headers, r.Header.Clone())
		for _, k := range []string{"active", "unprocessed", "silenced", "inhibited"} {
			if r.URL.Query().Get(k) != "true" {
				t.Errorf("the client does not ask for %s alerts: %s", k, r.URL.RawQuery)
			}
		}
		serveFile(t, w, alertsFile)
	})
	mux.HandleFunc("GET /api/v2/status", func(w http.ResponseWriter, _ *http.Request) { serveFile(t, w, "status.json") })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, &headers
}

func serveFile(t *testing.T, w http.ResponseWriter, name string) {
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Error(err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(raw)
}

func newClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	c.now = func() time.Time { return now }
	return c
}

// TestAlertsStates: active and unprocessed alerts are firing; silenced,
// inhibited (and both: the silence wins) are firing and muted; a resolved
// one is left out.
func TestAlertsStates(t *testing.T) {
	srv, _ := fakeAM(t, "alerts.json")
	got, err := newClient(t, Config{URL: srv.URL}).Alerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]alert.Mute{
		"ShopAvailabilityBurnPage":   alert.Unmuted,
		"PaymentsDown":               alert.Unmuted,
		"DiskAlmostFull":             alert.Silenced,
		"ShopAvailabilityBurnTicket": alert.Inhibited,
		"ShopLatencyBurnPage":        alert.Silenced,
	}
	mutes := map[string]alert.Mute{}
	for _, a := range got {
		mutes[a.Name] = a.Mute
		if a.State != alert.Firing {
			t.Errorf("%s: state %s, want firing", a.Name, a.State)
		}
	}
	if !reflect.DeepEqual(mutes, want) {
		t.Errorf("alerts and mutes %v, want %v", mutes, want)
	}
	page := got[0]
	if page.Severity != "page" || page.Labels["sloth_slo"] != "requests-availability" || !page.ActiveAt.Equal(time.Date(2026, 11, 21, 20, 48, 0, 0, time.UTC)) {
		t.Errorf("first alert %+v: want severity page, its labels, active since startsAt", page)
	}
	if got := page.Summary(now); got != "● ShopAvailabilityBurnPage page firing 12m" {
		t.Errorf("Summary = %q", got)
	}
}

// TestAlertsMatchSLOs: Alertmanager's alerts match SLOs as Prometheus'
// do, and a silenced page does not make its SLO page.
func TestAlertsMatchSLOs(t *testing.T) {
	srv, _ := fakeAM(t, "alerts.json")
	got, err := newClient(t, Config{URL: srv.URL}).Alerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	targets := []alert.Target{{Service: "shop", Name: "requests-availability"}, {Service: "shop", Name: "latency"}, {Service: "payments", Name: "availability"}}
	matched, unmatched := alert.Match(got, targets)
	names := func(as []alert.Alert) (out []string) {
		for _, a := range as {
			out = append(out, a.Name)
		}
		return out
	}
	// The notifying page first, then the muted ones, longest muted first
	// (ShopLatencyBurnPage names only the service, so every shop SLO).
	if n := names(matched[0]); !reflect.DeepEqual(n, []string{"ShopAvailabilityBurnPage", "ShopLatencyBurnPage", "ShopAvailabilityBurnTicket"}) {
		t.Errorf("shop availability: %v", n)
	}
	if alert.Pages(matched[1]) || !alert.Pages(matched[2]) {
		t.Errorf("shop latency (silenced page) pages %v, payments (unprocessed critical) pages %v: want false, true",
			alert.Pages(matched[1]), alert.Pages(matched[2]))
	}
	if n := names(unmatched); !reflect.DeepEqual(n, []string{"DiskAlmostFull"}) {
		t.Errorf("unmatched %v, want the silenced DiskAlmostFull", n)
	}
}

// TestAlertsHostileLabels: hostile label text is decoded as sent, for the
// UI's one cleaning boundary, and cannot forge another alert.
func TestAlertsHostileLabels(t *testing.T) {
	srv, _ := fakeAM(t, "hostile.json")
	got, err := newClient(t, Config{URL: srv.URL}).Alerts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || !strings.HasPrefix(got[0].Name, "Evil\x1b[31m") || got[0].Labels["sloth_slo"] != `"},{"alertname":"Forged"` {
		t.Errorf("hostile answer decoded as %+v", got)
	}
}

// TestAlertsMany: thousands of alerts are all read.
func TestAlertsMany(t *testing.T) {
	const n = 5000
	var b strings.Builder
	b.WriteString("[")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"labels":{"alertname":"A%d","service":"s%d"},"startsAt":"2026-11-21T20:00:00Z","endsAt":"2026-11-21T21:05:00Z","receivers":[],"fingerprint":"%x","updatedAt":"2026-11-21T20:59:00Z","annotations":{},"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}`, i, i%7, i)
	}
	b.WriteString("]")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte(b.String())) }))
	t.Cleanup(srv.Close)
	got, err := newClient(t, Config{URL: srv.URL}).Alerts(context.Background())
	if err != nil || len(got) != n {
		t.Fatalf("read %d alerts (%v), want %d", len(got), err, n)
	}
	small := newClient(t, Config{URL: srv.URL, MaxBody: 64 << 10})
	if _, err := small.Alerts(context.Background()); err == nil || !strings.Contains(err.Error(), "alertmanager") || !strings.Contains(err.Error(), "too large") {
		t.Errorf("an answer over the body cap gave %v, want an error naming alertmanager and the cap", err)
	}
}

// TestAlertsErrorsNameAlertmanager: every failure names the backend and
// the cause.
func TestAlertsErrorsNameAlertmanager(t *testing.T) {
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		want    string
	}{
		{"500", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "cluster not settled", 500) }, "500"},
		{"not JSON", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("<html>login</html>")) }, "malformed"},
		{"v1 answer", func(w http.ResponseWriter, _ *http.Request) {
			json.NewEncoder(w).Encode(map[string]any{"status": "success", "data": []any{}})
		}, "malformed"},
		{"404", http.NotFound, "404"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(tt.handler)
			t.Cleanup(srv.Close)
			_, err := newClient(t, Config{URL: srv.URL}).Alerts(context.Background())
			if err == nil || !strings.HasPrefix(err.Error(), "alertmanager: ") || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to name alertmanager and %q", err, tt.want)
			}
		})
	}
}

// TestTenantAndPrefix: the tenant is sent as X-Scope-OrgID and a path
// prefix is kept (Mimir serves Alertmanager under /alertmanager).
func TestTenantAndPrefix(t *testing.T) {
	var path, tenant string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, tenant = r.URL.Path, r.Header.Get("X-Scope-OrgID")
		w.Write([]byte("[]"))
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, Config{URL: srv.URL + "/alertmanager", Tenant: "team-a"})
	if _, err := c.Alerts(context.Background()); err != nil {
		t.Fatal(err)
	}
	if path != "/alertmanager/api/v2/alerts" || tenant != "team-a" {
		t.Errorf("asked %s with tenant %q", path, tenant)
	}
}

func TestPing(t *testing.T) {
	srv, _ := fakeAM(t, "alerts.json")
	info, err := newClient(t, Config{URL: srv.URL}).Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"version 0.25.0", "cluster ready", "5 firing alerts (3 silenced or inhibited)"}
	if got := info.Summary(); !reflect.DeepEqual(got, want) {
		t.Errorf("Summary = %q, want %q", got, want)
	}
}

func TestNewRefusesABadURL(t *testing.T) {
	if _, err := New(Config{URL: "127.0.0.1:9093"}); err == nil || !strings.Contains(err.Error(), "alertmanager") {
		t.Errorf("New accepted a URL without scheme: %v", err)
	}
}

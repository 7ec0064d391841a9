package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/sources/alertmanager"
	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/sources/prometheus"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// healthyAlert is the one alert healthyAlertmanager holds: a page for
// shop, the service healthyPrometheus knows.
const healthyAlert = "ShopBurnFromAM"

// healthyAlertmanager answers /api/v2/alerts with healthyAlert firing and
// /api/v2/status as Alertmanager 0.25 does, recording the headers asked
// with.
func healthyAlertmanager(headers *sync.Map) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v2/alerts", func(w http.ResponseWriter, r *http.Request) {
		if headers != nil {
			headers.Store(r.Header.Get("X-Scope-OrgID")+"|"+r.Header.Get("X-Team"), true)
		}
		serveJSON(w, []any{map[string]any{
			"labels":   map[string]string{"alertname": healthyAlert, "severity": "page", "service": "shop"},
			"startsAt": clock.Add(-9 * time.Minute).Format(time.RFC3339), "endsAt": time.Now().Add(time.Hour).Format(time.RFC3339),
			"updatedAt": clock.Format(time.RFC3339), "fingerprint": "1", "receivers": []any{map[string]string{"name": "pager"}},
			"annotations": map[string]string{}, "status": map[string]any{"state": "active", "silencedBy": []string{}, "inhibitedBy": []string{}},
		}})
	})
	mux.HandleFunc("GET /api/v2/status", func(w http.ResponseWriter, _ *http.Request) {
		serveJSON(w, map[string]any{"cluster": map[string]string{"status": "disabled"}, "versionInfo": map[string]string{"version": "0.25.0"}})
	})
	return mux
}

// TestAlertmanagerFaults: whatever way Alertmanager fails, the SLO step
// still lists the SLOs, says the alerts are not shown naming alertmanager
// and the cause, keeps Prometheus healthy, and shows the alerts again once
// Alertmanager recovers.
func TestAlertmanagerFaults(t *testing.T) {
	for _, f := range faults {
		t.Run(f.name, func(t *testing.T) {
			leaks := goleak.IgnoreCurrent()
			t.Cleanup(func() { goleak.VerifyNone(t, leaks) })
			prom := newBackendServer(t, healthyPrometheus(), false)
			am := newBackendServer(t, healthyAlertmanager(nil), f.untrustedTLS)
			amc, err := alertmanager.New(alertmanager.Config{URL: am.URL(), HTTPClient: am.client, MaxBody: bodyCap})
			failOn(t, err)
			pc, err := prometheus.New(prometheus.Config{URL: prom.URL(), HTTPClient: prom.client, MaxBody: bodyCap, Timeout: clientTimeout, Alerts: amc})
			failOn(t, err)
			src := demo.New(demo.Options{Seed: 1, Now: fixedNow})
			opts := ui.Options{Sources: ui.Sources{Metrics: pc, Traces: src, Logs: src}, Now: fixedNow, Context: "faults", Ticker: uitest.NeverTick}
			am.set(t, &f)
			d := uitest.New(t, ui.New(opts), 160, 48)
			failing := screen(d)
			if !strings.Contains(failing, "shop") || strings.Contains(failing, healthyAlert) {
				t.Errorf("the SLOs are not listed without their alerts:\n%s", failing)
			}
			warning := lineContaining(failing, "alerts not shown")
			assertNamesCause(t, "the alerts warning", warning, "alertmanager", f.want)
			assertStatus(t, failing, "prometheus", "✔")

			am.set(t, nil)
			d.Keys("r")
			if recovered := screen(d); !strings.Contains(recovered, healthyAlert) || strings.Contains(recovered, "alerts not shown") {
				t.Errorf("no recovery after Alertmanager came back:\n%s", recovered)
			}
		})
	}
}

func lineContaining(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// TestAlertmanagerFromConfig: an alertmanager section is opened with the
// endpoint's settings (tenant, headers), its alerts reach the SLO step in
// place of Prometheus' own, and config check pings it.
func TestAlertmanagerFromConfig(t *testing.T) {
	dir := isolateConfig(t)
	var headers sync.Map
	prom := newBackendServer(t, healthyPrometheus(), false)
	am := newBackendServer(t, healthyAlertmanager(&headers), false)
	path := filepath.Join(dir, "redline.yaml")
	os.WriteFile(path, []byte(`contexts:
  prod:
    prometheus: {url: "`+prom.URL()+`"}
    alertmanager:
      url: "`+am.URL()+`"
      tenant: team-a
      headers: {X-Team: sre}
`), 0o600)
	r, err := resolve(endpointFlags{configPath: path})
	failOn(t, err)
	b, err := openBackends(r)
	failOn(t, err)
	t.Cleanup(b.close)
	rep, err := b.Metrics.SLOs(context.Background(), funnel.Last(time.Hour, time.Now()))
	failOn(t, err)
	if len(rep.Statuses) == 0 || len(rep.Statuses[0].Alerts) == 0 || rep.Statuses[0].Alerts[0].Name != healthyAlert {
		t.Errorf("the first SLO does not carry Alertmanager's alert: %+v", rep.Statuses)
	}
	if _, ok := headers.Load("team-a|sre"); !ok {
		t.Error("Alertmanager was not asked with the tenant and the extra headers")
	}
	var stdout, stderr bytes.Buffer
	code := run([]string{"config", "check", "--config", path}, &stdout, &stderr)
	out := stdout.String()
	if code != 0 || !strings.Contains(out, "✔ ok  alertmanager  "+am.URL()) || !strings.Contains(out, "version 0.25.0") ||
		!strings.Contains(out, "1 firing alert") || strings.Index(out, "prometheus") > strings.Index(out, "alertmanager") {
		t.Errorf("config check (code %d) does not ping alertmanager after prometheus:\n%s%s", code, out, stderr.String())
	}
}

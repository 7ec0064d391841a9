//go:build integration

package alertmanager

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel/alert"
)

// itClient connects to the CI stack's Alertmanager (REDLINE_IT_ALERTMANAGER,
// Debian's 0.25, fed by Prometheus 2.42). A missing variable fails the test
// with REDLINE_INTEGRATION=1 and skips it otherwise.
func itClient(t *testing.T) (*Client, string) {
	t.Helper()
	url := os.Getenv("REDLINE_IT_ALERTMANAGER")
	if url == "" {
		if os.Getenv("REDLINE_INTEGRATION") == "1" {
			t.Fatal("REDLINE_IT_ALERTMANAGER is not set (bash .ci/stack.sh up prints it)")
		}
		t.Skip("REDLINE_IT_ALERTMANAGER is not set (bash .ci/stack.sh up prints it)")
	}
	c, err := New(Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	return c, url
}

// waitAlert polls until the Alertmanager holds the alert named name and
// ok holds for it.
func waitAlert(t *testing.T, c *Client, name string, ok func(alert.Alert) bool) alert.Alert {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		alerts, err := c.Alerts(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if i := slices.IndexFunc(alerts, func(a alert.Alert) bool { return a.Name == name && ok(a) }); i >= 0 {
			return alerts[i]
		}
		if time.Now().After(deadline) {
			t.Fatalf("Alertmanager never held %s as wanted; it holds %+v", name, alerts)
		}
		time.Sleep(2 * time.Second)
	}
}

// TestIntegrationAlertmanagerHoldsPrometheusAlerts: the page Prometheus
// fires on the test service's slow checkouts reaches redline through
// Alertmanager with its labels, severity and start, notifying.
func TestIntegrationAlertmanagerHoldsPrometheusAlerts(t *testing.T) {
	c, _ := itClient(t)
	a := waitAlert(t, c, "ShopCheckoutSlow", func(alert.Alert) bool { return true })
	if a.State != alert.Firing || a.Severity != "page" || a.Labels["service"] != "shop" || a.Mute != alert.Unmuted {
		t.Errorf("ShopCheckoutSlow read as %+v: want a notifying firing page of service shop", a)
	}
	if a.ActiveAt.IsZero() || a.ActiveAt.After(time.Now()) {
		t.Errorf("ShopCheckoutSlow active since %s", a.ActiveAt)
	}
	info, err := c.Ping(context.Background())
	if err != nil || info.Version != "0.25.0" || info.Cluster != "disabled" || info.Alerts == 0 {
		t.Errorf("Ping = %+v, %v: want version 0.25.0, clustering disabled, the firing alerts counted", info, err)
	}
}

// TestIntegrationSilencedAlertIsMuted: once a silence matches it, the
// Alertmanager reports CheckoutP99AboveHalfSecond silenced and redline marks it so;
// the silence is expired at the end.
func TestIntegrationSilencedAlertIsMuted(t *testing.T) {
	c, url := itClient(t)
	const name = "CheckoutP99AboveHalfSecond"
	waitAlert(t, c, name, func(alert.Alert) bool { return true })
	id := silence(t, url, name, 2*time.Minute)
	t.Cleanup(func() { expire(t, url, id) })
	a := waitAlert(t, c, name, func(a alert.Alert) bool { return a.Mute == alert.Silenced })
	if got := a.Summary(time.Now()); a.State != alert.Firing || !strings.HasPrefix(got, "⊘ "+name+" ticket silenced") {
		t.Errorf("the silenced alert reads %q (state %s), want it marked silenced", got, a.State)
	}
}

// silence creates a silence of the alert named name through the v2 API.
func silence(t *testing.T, url, name string, d time.Duration) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{
		"matchers":  []map[string]any{{"name": "alertname", "value": name, "isRegex": false, "isEqual": true}},
		"startsAt":  time.Now().UTC().Format(time.RFC3339),
		"endsAt":    time.Now().Add(d).UTC().Format(time.RFC3339),
		"createdBy": "redline integration test",
		"comment":   "TestIntegrationSilencedAlertIsMuted",
	})
	resp, err := http.Post(url+"/api/v2/silences", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		SilenceID string `json:"silenceID"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK || out.SilenceID == "" {
		t.Fatalf("creating a silence: HTTP %d, %v, %+v", resp.StatusCode, err, out)
	}
	return out.SilenceID
}

func expire(t *testing.T, url, id string) {
	req, _ := http.NewRequest(http.MethodDelete, url+"/api/v2/silence/"+id, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Errorf("expiring silence %s: %v", id, err)
		return
	}
	resp.Body.Close()
}

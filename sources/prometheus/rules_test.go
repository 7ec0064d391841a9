package prometheus

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/slo"
)

func TestSelectorsIn(t *testing.T) {
	for _, tt := range []struct {
		expr string
		want []exprSelector
	}{
		{`slo:sli_error:ratio_rate5m{sloth_service="shop", sloth_slo=~"avail.*"} > (14.4 * 0.001)`, []exprSelector{
			{metric: "slo:sli_error:ratio_rate5m", matchers: []matcher{eq("sloth_service", "shop"), re("sloth_slo", "avail.*")}},
		}},
		{`sum by (job) (rate(http_requests_total{code=~"5..", path="a}b,c"}[5m] offset 1h)) / 1e3 > 0`, []exprSelector{
			{metric: "sum"}, {metric: "by"}, {metric: "job"}, {metric: "rate"},
			{metric: "http_requests_total", matchers: []matcher{re("code", "5.."), eq("path", "a}b,c")}},
			{metric: "offset"},
		}},
		{`label_replace(up, "x", '$1', 'job', "(.*)") and on() vector(1)`, []exprSelector{
			{metric: "label_replace"}, {metric: "up"}, {metric: "and"}, {metric: "on"}, {metric: "vector"},
		}},
		{`{"http.server.duration", "service.name"="shop"}`, nil},
		{`rule:x{job="unterminated`, nil},
		{`rule:y{job=}`, nil},
	} {
		got := selectorsIn(tt.expr)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("selectorsIn(%q)\n = %+v\nwant %+v", tt.expr, got, tt.want)
		}
	}
}

// recordingRules: Sloth's rules of shop's availability SLO and of
// payments' latency SLO (one name, told apart by their labels), Pyrra's
// rule of checkout's SLO, and alerting rules that read them without
// carrying an SLO label themselves.
const recordingRules = `{"groups":[
 {"name":"sloth-slo-sli-recordings-shop","file":"sloth.yml","interval":30,"rules":[
  {"type":"recording","name":"slo:sli_error:ratio_rate5m","query":"sum(rate(errors[5m]))/sum(rate(total[5m]))","labels":{"sloth_id":"shop-requests-availability","sloth_service":"shop","sloth_slo":"requests-availability","sloth_window":"5m"},"health":"ok"},
  {"type":"recording","name":"slo:sli_error:ratio_rate5m","query":"…","labels":{"sloth_id":"payments-charge-latency","sloth_service":"payments","sloth_slo":"charge-latency","sloth_window":"5m"},"health":"ok"}
 ]},
 {"name":"pyrra","file":"pyrra.yml","interval":30,"rules":[
  {"type":"recording","name":"http_requests:burnrate5m","query":"…","labels":{"slo":"checkout-availability"},"health":"ok"}
 ]},
 {"name":"team","file":"team.yml","interval":30,"rules":[
  {"type":"alerting","name":"ShopErrorsHigh","query":"slo:sli_error:ratio_rate5m{sloth_service=\"shop\"} > 0.01","duration":60,"labels":{"severity":"page"},"annotations":{},"alerts":[],"health":"ok"},
  {"type":"alerting","name":"AnyErrorsHigh","query":"max(slo:sli_error:ratio_rate5m) > 0.5","duration":60,"labels":{"severity":"ticket"},"annotations":{},"alerts":[],"health":"ok"},
  {"type":"alerting","name":"PaymentsLatencyRegex","query":"slo:sli_error:ratio_rate5m{sloth_id=~\"payments-.*\"} > 0.1","duration":0,"labels":{"severity":"page","team":"{{ $labels.team }}"},"annotations":{},"alerts":[],"health":"ok"},
  {"type":"alerting","name":"DiskAlmostFull","query":"node_filesystem_avail_bytes{job=\"node\"} < 1e9","duration":0,"labels":{"severity":"warning"},"annotations":{},"alerts":[],"health":"ok"}
 ]}
]}`

// ruleAlerts fire from those rules with no SLO or service label.
const ruleAlerts = `{"alerts":[
 {"labels":{"alertname":"ShopErrorsHigh","severity":"page"},"state":"firing","activeAt":"2026-11-21T20:50:00Z","value":"0.02"},
 {"labels":{"alertname":"AnyErrorsHigh","severity":"ticket"},"state":"firing","activeAt":"2026-11-21T20:52:00Z","value":"0.6"},
 {"labels":{"alertname":"PaymentsLatencyRegex","severity":"page","team":"pay"},"state":"pending","activeAt":"2026-11-21T20:58:00Z","value":"0.2"},
 {"labels":{"alertname":"DiskAlmostFull","severity":"warning","instance":"db-1"},"state":"firing","activeAt":"2026-11-21T18:00:00Z","value":"1"}
]}`

// TestAlertsMatchedByRecordingRules: an alert without SLO labels matches
// the SLO whose recording rules its rule's expression reads; one reading
// the rules of every SLO, or none, matches none.
func TestAlertsMatchedByRecordingRules(t *testing.T) {
	fx := loadFixture(t, "sloth.json")
	fx.Rules, fx.Alerts = json.RawMessage(recordingRules), json.RawMessage(ruleAlerts)
	c := newFakeProm(t, fx).client(t, Config{})
	c.now = func() time.Time { return fixtureNow }
	rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
	if err != nil {
		t.Fatal(err)
	}
	assertAlertsOn(t, rep, "shop", "requests-availability", "ShopErrorsHigh")
	assertAlertsOn(t, rep, "payments", "charge-latency", "PaymentsLatencyRegex")
	if got := alertNames(rep.Unmatched); !reflect.DeepEqual(got, []string{"DiskAlmostFull", "AnyErrorsHigh"}) {
		t.Errorf("unmatched %v, want the alert reading every SLO's rules and the disk alert", got)
	}
}

// fixedAlerts is an AlertSource answering alerts, as an Alertmanager does.
type fixedAlerts struct {
	alerts []alert.Alert
	err    error
}

func (f fixedAlerts) Alerts(context.Context) ([]alert.Alert, error) { return f.alerts, f.err }

// TestAlertSourceJoinedToRules: alerts from another source (an
// Alertmanager's, with no expression) are joined to the alerting rules by
// name and static labels; Prometheus' own alerts are not read.
func TestAlertSourceJoinedToRules(t *testing.T) {
	fx := loadFixture(t, "sloth.json")
	fx.Rules = json.RawMessage(recordingRules)
	f := newFakeProm(t, fx)
	am := fixedAlerts{alerts: []alert.Alert{
		{Name: "ShopErrorsHigh", State: alert.Firing, Severity: "page", Labels: map[string]string{"alertname": "ShopErrorsHigh", "severity": "page"}},
		// Same name, another severity: not this rule's alert.
		{Name: "ShopErrorsHigh", State: alert.Firing, Severity: "info", Labels: map[string]string{"alertname": "ShopErrorsHigh", "severity": "info"}},
	}}
	c := f.client(t, Config{Alerts: am})
	c.now = func() time.Time { return fixtureNow }
	rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
	if err != nil {
		t.Fatal(err)
	}
	assertAlertsOn(t, rep, "shop", "requests-availability", "ShopErrorsHigh")
	if len(rep.Unmatched) != 1 || rep.Unmatched[0].Severity != "info" {
		t.Errorf("unmatched %+v, want the info alert the rule's labels do not fit", rep.Unmatched)
	}
	if slices.ContainsFunc(f.asked, func(a string) bool { return strings.HasPrefix(a, "/api/v1/alerts") }) {
		t.Error("Prometheus' alerts were read although another source is configured")
	}
}

// TestAlertSourceFailureIsAWarning: a failing alert source leaves the SLOs
// and a warning naming it and the cause, first.
func TestAlertSourceFailureIsAWarning(t *testing.T) {
	f := newFakeProm(t, loadFixture(t, "sloth.json"))
	c := f.client(t, Config{Alerts: fixedAlerts{err: errAM}})
	c.now = func() time.Time { return fixtureNow }
	rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
	if err != nil || len(rep.Statuses) != 2 {
		t.Fatalf("SLOs: %v, %d statuses", err, len(rep.Statuses))
	}
	if len(rep.Warnings) == 0 || rep.Warnings[0] != "alerts not shown: "+errAM.Error() {
		t.Errorf("warnings %q do not say first that the alerts could not be read", rep.Warnings)
	}
}

var errAM = errors.New("alertmanager: dial tcp 127.0.0.1:9093: connection refused")

// TestRulesFailureIsAWarning: when the rules cannot be read, alerts that
// match no SLO say so; the alerts are still shown.
func TestRulesFailureIsAWarning(t *testing.T) {
	fx := loadFixture(t, "sloth.json")
	fx.Alerts = json.RawMessage(ruleAlerts)
	c := clientFailingOn(t, fx, "/api/v1/rules", http.StatusServiceUnavailable, "rules unavailable")
	rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Unmatched) != 3 || !strings.Contains(strings.Join(rep.Warnings, "\n"), "recording rules they read: prometheus") {
		t.Errorf("unmatched %v, warnings %q: want the firing alerts and a warning naming the rules' failure", alertNames(rep.Unmatched), rep.Warnings)
	}
}

func assertAlertsOn(t *testing.T, rep slo.Report, service, name string, want ...string) {
	t.Helper()
	if got := alertNames(statusOf(t, rep, service, name).Alerts); !reflect.DeepEqual(got, want) {
		t.Errorf("%s/%s alerts %v, want %v", service, name, got, want)
	}
}

func alertNames(as []alert.Alert) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

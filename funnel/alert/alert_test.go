package alert

import (
	"reflect"
	"testing"
	"time"
)

var now = time.Date(2026, 11, 21, 21, 0, 0, 0, time.UTC)

func mk(name string, state State, severity string, ago time.Duration, labels ...string) Alert {
	l := map[string]string{"alertname": name}
	for i := 0; i+1 < len(labels); i += 2 {
		l[labels[i]] = labels[i+1]
	}
	return Alert{Name: name, State: state, Severity: severity, Labels: l, ActiveAt: now.Add(-ago)}
}

func names(as []Alert) []string {
	out := []string{}
	for _, a := range as {
		out = append(out, a.Name)
	}
	return out
}

func TestMatch(t *testing.T) {
	targets := []Target{
		{Service: "checkout", Name: "availability"},
		{Service: "checkout", Name: "latency"},
		{Service: "payments", Name: "availability"},
	}
	alerts := []Alert{
		mk("SlothPage", Firing, "page", 5*time.Minute, "sloth_service", "checkout", "sloth_slo", "latency"),
		mk("PyrraTicket", Pending, "ticket", time.Minute, "slo", "availability", "service", "payments"),
		mk("ServiceDown", Firing, "critical", time.Hour, "service", "checkout"),
		mk("Disk", Firing, "warning", 3*time.Hour, "instance", "db-1"),
		mk("PendingElsewhere", Pending, "page", time.Minute, "job", "nobody"),
		mk("WrongSlothSLO", Firing, "page", time.Minute, "sloth_service", "checkout", "sloth_slo", "nope"),
	}
	matched, unmatched := Match(alerts, targets)
	want := [][]string{
		{"ServiceDown"},
		{"ServiceDown", "SlothPage"}, // both firing pages: longest active first
		{"PyrraTicket"},
	}
	for i := range targets {
		if got := names(matched[i]); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%+v: %v, want %v", targets[i], got, want[i])
		}
	}
	if got := names(unmatched); !reflect.DeepEqual(got, []string{"WrongSlothSLO", "Disk"}) {
		t.Errorf("unmatched %v, want the firing ones only, paging first", got)
	}
	if !Pages(matched[1]) || Pages(matched[2]) {
		t.Error("Pages: a firing page pages, a pending ticket does not")
	}
}

func TestSummary(t *testing.T) {
	for _, tt := range []struct {
		a    Alert
		want string
	}{
		{mk("CheckoutBurn", Firing, "page", 12*time.Minute), "● CheckoutBurn page firing 12m"},
		{mk("Slow", Pending, "", 90*time.Second), "○ Slow pending 1m30s"},
		{Alert{Name: "NoTime", State: Firing}, "● NoTime firing"},
	} {
		if got := tt.a.Summary(now); got != tt.want {
			t.Errorf("Summary = %q, want %q", got, tt.want)
		}
	}
	if got := mk("CheckoutBurn", Firing, "page", 12*time.Minute).Brief(now); got != "● page firing 12m CheckoutBurn" {
		t.Errorf("Brief = %q", got)
	}
}

func TestService(t *testing.T) {
	for _, tt := range []struct {
		labels map[string]string
		want   string
	}{
		{map[string]string{"service": "shop", "job": "shop-scrape"}, "shop"},
		{map[string]string{"service_name": "cart"}, "cart"},
		{map[string]string{"job": "billing"}, "billing"},
		{map[string]string{"instance": "db-1"}, ""},
	} {
		if got := (Alert{Labels: tt.labels}).Service(); got != tt.want {
			t.Errorf("%v: Service() = %q, want %q", tt.labels, got, tt.want)
		}
	}
}

// TestMatchByRuleLabels: an alert with no SLO labels of its own matches by
// the labels of the recording rules its expression reads; its own labels
// win over them.
func TestMatchByRuleLabels(t *testing.T) {
	targets := []Target{{Service: "checkout", Name: "availability"}, {Service: "checkout", Name: "latency"}, {Service: "node", Name: "up"}}
	viaSloth := mk("ErrorBudgetFast", Firing, "page", time.Minute, "job", "node")
	viaSloth.RuleLabels = map[string]string{"sloth_service": "checkout", "sloth_slo": "latency"}
	viaPyrra := mk("PyrraRule", Firing, "ticket", time.Minute)
	viaPyrra.RuleLabels = map[string]string{"slo": "availability", "service": "checkout"}
	own := mk("OwnLabelsWin", Firing, "ticket", time.Minute, "sloth_service", "checkout", "sloth_slo", "availability")
	own.RuleLabels = map[string]string{"sloth_slo": "latency"}
	matched, unmatched := Match([]Alert{viaSloth, viaPyrra, own}, targets)
	want := [][]string{{"OwnLabelsWin", "PyrraRule"}, {"ErrorBudgetFast"}, {}}
	for i := range targets {
		if got := names(matched[i]); !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%+v: %v, want %v", targets[i], got, want[i])
		}
	}
	if len(unmatched) != 0 {
		t.Errorf("unmatched %v, want none", names(unmatched))
	}
}

// TestMutedAlertsDoNotPage: a silenced or inhibited page is shown as such,
// sorts after the notifying alerts and does not make its SLO page.
func TestMutedAlertsDoNotPage(t *testing.T) {
	silenced := mk("CheckoutBurn", Firing, "page", 12*time.Minute)
	silenced.Mute = Silenced
	inhibited := mk("CheckoutSlow", Firing, "critical", time.Hour)
	inhibited.Mute = Inhibited
	ticket := mk("CheckoutTicket", Firing, "ticket", time.Minute)
	if silenced.Paging() || inhibited.Paging() || Pages([]Alert{silenced, inhibited}) {
		t.Error("a silenced or inhibited alert pages")
	}
	if got := silenced.Summary(now); got != "⊘ CheckoutBurn page silenced 12m" {
		t.Errorf("Summary = %q", got)
	}
	if got := inhibited.Brief(now); got != "⊘ critical inhibited 1h CheckoutSlow" {
		t.Errorf("Brief = %q", got)
	}
	all := []Alert{silenced, inhibited, ticket}
	Sort(all)
	if got := names(all); !reflect.DeepEqual(got, []string{"CheckoutTicket", "CheckoutSlow", "CheckoutBurn"}) {
		t.Errorf("sorted %v, want the notifying ticket first", got)
	}
}

package prometheus

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
)

func TestResolveConventions(t *testing.T) {
	tests := []struct {
		name                         string
		family                       string
		present                      []string
		labels                       []string
		wantRequests, wantRate       string
		wantQuantile, wantErrorMatch string
	}{
		{
			name: "OTel native histograms", family: ConventionOTel,
			present:        []string{"http_server_request_duration_seconds"},
			labels:         []string{"job", "http_route", "http_request_method", "http_response_status_code"},
			wantRate:       `sum by (http_request_method, http_route) (histogram_count(rate(http_server_request_duration_seconds{job="shop"}[5m])))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (http_request_method, http_route) (rate(http_server_request_duration_seconds{job="shop"}[5m])))`,
			wantErrorMatch: `http_response_status_code=~"5.."`,
		},
		{
			name: "old OTel in milliseconds with http_target", family: ConventionOTelMS,
			present:        []string{"http_server_duration_milliseconds_bucket", "http_server_duration_milliseconds_count"},
			labels:         []string{"service_name", "job", "http_target", "http_method", "http_status_code"},
			wantRate:       `sum by (http_method, http_target) (rate(http_server_duration_milliseconds_count{service_name="shop"}[5m]))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (le, http_method, http_target) (rate(http_server_duration_milliseconds_bucket{service_name="shop"}[5m])))`,
			wantErrorMatch: `http_status_code=~"5.."`,
		},
		{
			name: "classic from the histogram only (go-http-metrics)", family: ConventionClassic,
			present:        []string{"http_request_duration_seconds_bucket", "http_request_duration_seconds_count"},
			labels:         []string{"service", "handler", "method", "code"},
			wantRate:       `sum by (method, handler) (rate(http_request_duration_seconds_count{service="shop"}[5m]))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (le, method, handler) (rate(http_request_duration_seconds_bucket{service="shop"}[5m])))`,
			wantErrorMatch: `code=~"5.."`,
		},
		{
			name: "spanmetrics in seconds without http_route", family: ConventionSpanmetric,
			present:        []string{"traces_span_metrics_calls_total", "traces_span_metrics_duration_seconds_bucket"},
			labels:         []string{"service_name", "span_name", "span_kind", "status_code"},
			wantRate:       `sum by (span_name) (rate(traces_span_metrics_calls_total{span_kind="SPAN_KIND_SERVER",service_name="shop"}[5m]))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (le, span_name) (rate(traces_span_metrics_duration_seconds_bucket{span_kind="SPAN_KIND_SERVER",service_name="shop"}[5m])))`,
			wantErrorMatch: `status_code="STATUS_CODE_ERROR"`,
		},
		{
			name: "legacy spanmetrics names", family: ConventionSpanmetric,
			present:        []string{"calls_total", "duration_milliseconds_bucket"},
			labels:         []string{"service_name", "span_name", "span_kind", "status_code", "http_route", "http_method"},
			wantRate:       `sum by (http_method, http_route) (rate(calls_total{span_kind="SPAN_KIND_SERVER",service_name="shop"}[5m]))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (le, http_method, http_route) (rate(duration_milliseconds_bucket{span_kind="SPAN_KIND_SERVER",service_name="shop"}[5m])))`,
			wantErrorMatch: `status_code="STATUS_CODE_ERROR"`,
		},
		// Prometheus 3's OTLP translation strategies.
		{
			name: "OTel NoUTF8EscapingWithSuffixes: dotted names quoted", family: ConventionOTel,
			present:        []string{"http.server.request.duration_seconds_bucket", "http.server.request.duration_seconds_count"},
			labels:         []string{"job", "http.route", "http.request.method", "http.response.status_code"},
			wantRate:       `sum by ("http.request.method", "http.route") (rate({"http.server.request.duration_seconds_count",job="shop"}[5m]))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (le, "http.request.method", "http.route") (rate({"http.server.request.duration_seconds_bucket",job="shop"}[5m])))`,
			wantErrorMatch: `"http.response.status_code"=~"5.."`,
		},
		{
			name: "OTel UnderscoreEscapingWithoutSuffixes, native histogram", family: ConventionOTel,
			present:        []string{"http_server_request_duration"},
			labels:         []string{"job", "http_route", "http_request_method", "http_response_status_code"},
			wantRate:       `sum by (http_request_method, http_route) (histogram_count(rate(http_server_request_duration{job="shop"}[5m])))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (http_request_method, http_route) (rate(http_server_request_duration{job="shop"}[5m])))`,
			wantErrorMatch: `http_response_status_code=~"5.."`,
		},
		{
			name: "OTel NoTranslation, native histogram", family: ConventionOTel,
			present:        []string{"http.server.request.duration"},
			labels:         []string{"job", "http.route", "http.request.method", "http.response.status_code"},
			wantRate:       `sum by ("http.request.method", "http.route") (histogram_count(rate({"http.server.request.duration",job="shop"}[5m])))`,
			wantQuantile:   `histogram_quantile(0.99, sum by ("http.request.method", "http.route") (rate({"http.server.request.duration",job="shop"}[5m])))`,
			wantErrorMatch: `"http.response.status_code"=~"5.."`,
		},
		{
			name: "spanmetrics NoUTF8EscapingWithSuffixes: dotted labels in fixed and error matchers", family: ConventionSpanmetric,
			present:        []string{"traces.span.metrics.calls_total", "traces.span.metrics.duration_milliseconds_bucket"},
			labels:         []string{"job", "service.name", "span.name", "span.kind", "status.code"},
			wantRate:       `sum by ("span.name") (rate({"traces.span.metrics.calls_total","span.kind"="SPAN_KIND_SERVER","service.name"="shop"}[5m]))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (le, "span.name") (rate({"traces.span.metrics.duration_milliseconds_bucket","span.kind"="SPAN_KIND_SERVER","service.name"="shop"}[5m])))`,
			wantErrorMatch: `"status.code"="STATUS_CODE_ERROR"`,
		},
		{
			name: "spanmetrics NoTranslation with http.route", family: ConventionSpanmetric,
			present:        []string{"traces.span.metrics.calls", "traces.span.metrics.duration_bucket"},
			labels:         []string{"service.name", "span.name", "span.kind", "status.code", "http.route", "http.request.method"},
			wantRate:       `sum by ("http.request.method", "http.route") (rate({"traces.span.metrics.calls","span.kind"="SPAN_KIND_SERVER","service.name"="shop"}[5m]))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (le, "http.request.method", "http.route") (rate({"traces.span.metrics.duration_bucket","span.kind"="SPAN_KIND_SERVER","service.name"="shop"}[5m])))`,
			wantErrorMatch: `"status.code"="STATUS_CODE_ERROR"`,
		},
		{
			name: "spanmetrics UnderscoreEscapingWithoutSuffixes", family: ConventionSpanmetric,
			present:        []string{"traces_span_metrics_calls", "traces_span_metrics_duration_bucket"},
			labels:         []string{"service_name", "span_name", "span_kind", "status_code"},
			wantRate:       `sum by (span_name) (rate(traces_span_metrics_calls{span_kind="SPAN_KIND_SERVER",service_name="shop"}[5m]))`,
			wantQuantile:   `histogram_quantile(0.99, sum by (le, span_name) (rate(traces_span_metrics_duration_bucket{span_kind="SPAN_KIND_SERVER",service_name="shop"}[5m])))`,
			wantErrorMatch: `status_code="STATUS_CODE_ERROR"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, _ := familyByID(tt.family)
			present := map[string]bool{}
			for _, n := range tt.present {
				present[n] = true
			}
			conv, ok := f.resolve(present, func(string) []string { return tt.labels }, "")
			if !ok {
				t.Fatal("not resolved")
			}
			ms := conv.serviceMatchers("shop")
			if got := conv.requestCount("rate", ms, conv.routeLabels(), 5*time.Minute); got != tt.wantRate {
				t.Errorf("rate\n got %s\nwant %s", got, tt.wantRate)
			}
			if got := conv.quantile(0.99, ms, conv.routeLabels(), 5*time.Minute); got != tt.wantQuantile {
				t.Errorf("quantile\n got %s\nwant %s", got, tt.wantQuantile)
			}
			if got := conv.Errors.String(); got != tt.wantErrorMatch {
				t.Errorf("errors %s, want %s", got, tt.wantErrorMatch)
			}
		})
	}
}

func TestResolveRejectsAbsentFamilies(t *testing.T) {
	f, _ := familyByID(ConventionTempo)
	if _, ok := f.resolve(map[string]bool{"traces_spanmetrics_latency_bucket": true}, func(string) []string { return []string{"service"} }, ""); ok {
		t.Error("Tempo resolved without its calls counter")
	}
	f, _ = familyByID(ConventionOTel)
	if _, ok := f.resolve(map[string]bool{"http_server_request_duration_seconds_count": true}, func(string) []string { return []string{"instance"} }, ""); ok {
		t.Error("OTel resolved without any service label")
	}
	conv, ok := f.resolve(map[string]bool{"http_server_request_duration_seconds_count": true}, func(string) []string { return []string{"job", "namespace"} }, "namespace")
	if !ok || conv.ServiceLabel != "namespace" || conv.Latency != "" {
		t.Errorf("pinned service label: %+v", conv)
	}
}

func TestPinnedConventionIsTheOnlyOneDetected(t *testing.T) {
	f := newFakeProm(t, loadFixture(t, "otel.json"))
	det, err := f.client(t, Config{Convention: ConventionClassic}).Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(det.Conventions) != 1 || det.Conventions[0].ID != ConventionClassic {
		t.Fatalf("detected %+v, want only classic", det.Conventions)
	}
}

func TestPingSummary(t *testing.T) {
	f := newFakeProm(t, loadFixture(t, "otel.json"))
	info, err := f.client(t, Config{}).Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"Prometheus 3.5.0",
		"OTel semconv (http_server_request_duration_seconds_count, service label job): payments, shop",
		"classic client_golang (http_requests_total, service label job): legacy, shop",
		"no Sloth or Pyrra SLO rules: SLOs come from config or are assumed (99.9% availability)",
	}
	if got := info.Summary(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Summary:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func BenchmarkRoutes(b *testing.B) {
	f := newFakeProm(b, loadFixture(b, "otel.json"))
	c, err := New(Config{URL: f.srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	r := funnel.Last(time.Hour, fixtureNow)
	for b.Loop() {
		if _, err := c.Routes(context.Background(), red.Query{Service: "shop", Range: r}); err != nil {
			b.Fatal(err)
		}
	}
}

package prometheus

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/common/model"

	"github.com/redline-tui/redline/funnel"
)

// answer is one series of the detection query's answer: its labels, with
// "has:" standing for a presence marker of each label listed after it.
func answer(labels ...string) *model.Sample {
	m := model.Metric{}
	for _, l := range labels {
		name, value, _ := strings.Cut(l, "=")
		if name == "has" {
			for _, carried := range strings.Split(value, ",") {
				m[model.LabelName(presenceLabel(carried))] = "1"
			}
			continue
		}
		m[model.LabelName(name)] = model.LabelValue(value)
	}
	return &model.Sample{Metric: m, Value: 1}
}

// describeConventions renders what detection resolved, one convention per
// line: id, metrics, labels and services.
func describeConventions(convs []Convention) string {
	var lines []string
	for _, c := range convs {
		lines = append(lines, fmt.Sprintf("%s requests=%s native=%v latency=%s native=%v scale=%g service=%s route=%s method=%s errors=%s services=%s",
			c.ID, c.Requests, c.RequestsNative, c.Latency, c.LatencyNative, c.LatencyScale,
			c.ServiceLabel, c.RouteLabel, c.MethodLabel, c.Errors, strings.Join(c.Services, ",")))
	}
	return strings.Join(lines, "\n")
}

func TestResolveFromInventory(t *testing.T) {
	otelLabels := "has=http_route,http_request_method,http_response_status_code"
	tests := []struct {
		name   string
		cfg    Config
		answer model.Vector
		want   []string
	}{
		{
			name:   "OTel native histograms (no _bucket series)",
			answer: model.Vector{answer("__name__=http_server_request_duration_seconds", "job=shop", otelLabels)},
			want: []string{`otel requests=http_server_request_duration_seconds native=true latency=http_server_request_duration_seconds native=true scale=1 ` +
				`service=job route=http_route method=http_request_method errors=http_response_status_code=~"5.." services=shop`},
		},
		{
			name: "old OTel in milliseconds, service_name preferred to job",
			answer: model.Vector{
				answer("__name__=http_server_duration_milliseconds_bucket", "job=otelcol", "service_name=shop", "has=http_target,http_method,http_status_code"),
				answer("__name__=http_server_duration_milliseconds_count", "job=otelcol", "service_name=shop", "has=http_target,http_method,http_status_code"),
			},
			want: []string{`otel-ms requests=http_server_duration_milliseconds_count native=false latency=http_server_duration_milliseconds_bucket native=false scale=0.001 ` +
				`service=service_name route=http_target method=http_method errors=http_status_code=~"5.." services=shop`},
		},
		{
			name: "legacy spanmetrics names: only services with server spans",
			answer: model.Vector{
				answer("__name__=calls_total", "service_name=shop", "span_kind=SPAN_KIND_SERVER", "has=span_name,status_code"),
				answer("__name__=calls_total", "service_name=loadgen", "span_kind=SPAN_KIND_CLIENT", "has=span_name,status_code"),
				answer("__name__=duration_milliseconds_bucket", "service_name=shop", "span_kind=SPAN_KIND_SERVER", "has=span_name,status_code"),
			},
			want: []string{`spanmetrics requests=calls_total native=false latency=duration_milliseconds_bucket native=false scale=0.001 ` +
				`service=service_name route=span_name method= errors=status_code="STATUS_CODE_ERROR" services=shop`},
		},
		{
			name: "classic: a service label on some series only, OTel preferred for shared services",
			answer: model.Vector{
				answer("__name__=http_requests_total", "job=api", "has=handler,method,code"),
				answer("__name__=http_requests_total", "job=api", "service=billing", "has=handler,method,code"),
				answer("__name__=http_server_request_duration_seconds_count", "job=billing", otelLabels),
			},
			want: []string{
				`otel requests=http_server_request_duration_seconds_count native=false latency= native=false scale=1 service=job route=http_route method=http_request_method errors=http_response_status_code=~"5.." services=billing`,
				`classic requests=http_requests_total native=false latency= native=false scale=1 service=service route=handler method=method errors=code=~"5.." services=billing`,
			},
		},
		{
			name: "pinned convention and service label",
			cfg:  Config{Convention: ConventionClassic, ServiceLabel: "namespace"},
			answer: model.Vector{
				answer("__name__=http_requests_total", "job=api", "namespace=checkout", "has=route,status"),
				answer("__name__=http_server_request_duration_seconds_count", "job=shop", otelLabels),
			},
			want: []string{`classic requests=http_requests_total native=false latency= native=false scale=1 service=namespace route=route method= errors=status=~"5.." services=checkout`},
		},
		{
			name:   "no service label: nothing detected",
			answer: model.Vector{answer("__name__=http_requests_total", "has=handler,code")},
		},
		{
			name:   "Tempo span metrics need their calls counter",
			answer: model.Vector{answer("__name__=traces_spanmetrics_latency_bucket", "service=shop", "span_kind=SPAN_KIND_SERVER")},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Client{cfg: tt.cfg}
			got := describeConventions(c.resolveConventions(newInventory(tt.answer, nil)))
			if want := strings.Join(tt.want, "\n"); got != want {
				t.Errorf("detected\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestDetectionQueryLabels(t *testing.T) {
	tests := []struct {
		pinned               string
		wantBy, wantNoMarker string
		wantCopied           string // the label_replace copying a UTF-8 grouping label to its escaped name
	}{
		{"", "count by (__name__, service_name, U__service_2e_name, job, service, span_kind, U__span_2e_kind, redline_has_http_route,", "redline_has_job", ""},
		{"namespace", "count by (__name__, service_name, U__service_2e_name, job, service, span_kind, U__span_2e_kind, namespace, redline_has_http_route,", "redline_has_namespace", ""},
		{"handler", "count by (__name__, service_name, U__service_2e_name, job, service, span_kind, U__span_2e_kind, handler, redline_has_http_route,", "redline_has_handler", ""},
		{"service.namespace", "count by (__name__, service_name, U__service_2e_name, job, service, span_kind, U__span_2e_kind, U__service_2e_namespace, redline_has_http_route,", "redline_has_U__service_2e_namespace", `"U__service_2e_namespace", "$1", "service.namespace", "(.*)"`},
	}
	for _, tt := range tests {
		groupBy, carried := detectionLabels(tt.pinned)
		q := detectionQuery(candidateNames(), groupBy, carried, detectLookback)
		if !strings.HasPrefix(q, tt.wantBy) {
			t.Errorf("pinned %q: query starts %q, want %q", tt.pinned, q[:min(len(tt.wantBy), len(q))], tt.wantBy)
		}
		if !strings.Contains(q, tt.wantCopied) {
			t.Errorf("pinned %q: UTF-8 grouping label not copied to its escaped name (%s): %s", tt.pinned, tt.wantCopied, q)
		}
		if strings.Contains(q, tt.wantNoMarker) {
			t.Errorf("pinned %q: a grouping label is also a presence marker (%s)", tt.pinned, tt.wantNoMarker)
		}
		if !strings.Contains(q, `le=~"|\\+Inf"}[6h])`) {
			t.Errorf("pinned %q: classic histograms not read through their +Inf bucket only: %s", tt.pinned, q)
		}
	}
}

// barrier holds every request until want requests are in flight at once,
// then lets them all through: one round of parallel requests. A request
// beyond want, or still held after a generous wait (it was sent only after
// an earlier one had been answered), fails with 503.
type barrier struct {
	next http.Handler
	want int

	mu       sync.Mutex
	arrived  int
	released chan struct{}
}

func (b *barrier) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b.mu.Lock()
	b.arrived++
	n := b.arrived
	if n == b.want {
		close(b.released)
	}
	b.mu.Unlock()
	if n > b.want {
		http.Error(w, "a request after the first round", http.StatusServiceUnavailable)
		return
	}
	select {
	case <-b.released:
		b.next.ServeHTTP(w, r)
	case <-time.After(10 * time.Second):
		http.Error(w, "sent after an earlier request was answered", http.StatusServiceUnavailable)
	}
}

func TestDetectionIsOneRound(t *testing.T) {
	f := newFakeProm(t, loadFixture(t, "otel.json"))
	// The inventory query, Sloth's services, Pyrra's SLO and rule names.
	b := &barrier{next: http.HandlerFunc(f.serve), want: 4, released: make(chan struct{})}
	srv := httptest.NewServer(b)
	defer srv.Close()
	c, err := New(Config{URL: srv.URL})
	if err != nil {
		t.Fatal(err)
	}
	det, err := c.Detect(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(det.Warnings) > 0 || len(det.Conventions) != 2 {
		t.Errorf("conventions %s, warnings %q: want OTel and classic, no warnings", describeConventions(det.Conventions), det.Warnings)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.arrived != b.want {
		t.Errorf("%d requests, want %d", b.arrived, b.want)
	}
}

func TestDetectionQueriesRecordedWhenSent(t *testing.T) {
	f := newFakeProm(t, loadFixture(t, "otel.json"))
	c := f.client(t, Config{})
	c.now = func() time.Time { return fixtureNow }
	isDetection := func(q funnel.Query) bool { return strings.Contains(q.Purpose, "detection") }
	for i, want := range []bool{true, false} {
		rep, err := c.SLOs(context.Background(), funnel.Last(time.Hour, fixtureNow))
		if err != nil {
			t.Fatal(err)
		}
		if got := slices.ContainsFunc(rep.Queries, isDetection); got != want {
			t.Errorf("SLOs call %d records the detection query: %v, want %v (sent only by the first)", i+1, got, want)
		}
	}
}

package main

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otelprom "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/metric"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
)

// durationBuckets are the boundaries the HTTP semantic conventions recommend
// for http.server.request.duration, in seconds.
var durationBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10}

func serviceResource(service string) *resource.Resource {
	return resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName(service))
}

// newTracerProvider builds the tracer provider of one service. Spans are
// exported over OTLP/HTTP to endpoint (host:port) in batches of at most a
// second, so traces show up in Jaeger quickly.
func newTracerProvider(ctx context.Context, service, endpoint string) (*sdktrace.TracerProvider, error) {
	opts := []sdktrace.TracerProviderOption{sdktrace.WithResource(serviceResource(service))}
	if endpoint != "" {
		exporter, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpoint(endpoint), otlptracehttp.WithInsecure())
		if err != nil {
			return nil, fmt.Errorf("otlp exporter for %s: %w", service, err)
		}
		opts = append(opts, sdktrace.WithBatcher(exporter, sdktrace.WithBatchTimeout(time.Second)))
	}
	return sdktrace.NewTracerProvider(opts...), nil
}

// metrics records every shop request twice: as the OTel semantic-convention
// histogram http.server.request.duration (exposed by the OTel Prometheus
// exporter as http_server_request_duration_seconds and pushed over OTLP) and
// as classic client_golang http_requests_total / http_request_duration_seconds.
type metrics struct {
	duration metric.Float64Histogram
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

// otlpEndpoints are the OTLP/HTTP receivers (host:port) the OTel metrics are
// pushed to: with the explicit buckets of the instrument, or as base-2
// exponential histograms (which Prometheus stores as native histograms).
type otlpEndpoints struct {
	explicit, exponential []string
}

// metricPushInterval is how often OTel metrics are pushed over OTLP.
const metricPushInterval = 2 * time.Second

func newMetrics(ctx context.Context, registry *prometheus.Registry, otlp otlpEndpoints) (*metrics, *sdkmetric.MeterProvider, error) {
	exporter, err := otelprom.New(otelprom.WithRegisterer(registry))
	if err != nil {
		return nil, nil, fmt.Errorf("otel prometheus exporter: %w", err)
	}
	opts := []sdkmetric.Option{sdkmetric.WithReader(exporter), sdkmetric.WithResource(serviceResource("shop"))}
	for _, endpoint := range otlp.explicit {
		reader, err := otlpReader(ctx, endpoint, sdkmetric.DefaultAggregationSelector)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, sdkmetric.WithReader(reader))
	}
	for _, endpoint := range otlp.exponential {
		reader, err := otlpReader(ctx, endpoint, exponentialHistograms)
		if err != nil {
			return nil, nil, err
		}
		opts = append(opts, sdkmetric.WithReader(reader))
	}
	provider := sdkmetric.NewMeterProvider(opts...)
	duration, err := provider.Meter("redline.ci/testsvc/shop").Float64Histogram(
		"http.server.request.duration",
		metric.WithUnit("s"),
		metric.WithDescription("Duration of HTTP server requests."),
		metric.WithExplicitBucketBoundaries(durationBuckets...),
	)
	if err != nil {
		return nil, nil, fmt.Errorf("duration histogram: %w", err)
	}
	m := &metrics{
		duration: duration,
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "http_requests_total",
			Help: "HTTP requests served, by handler, method and status code.",
		}, []string{"handler", "method", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "http_request_duration_seconds",
			Help:    "Duration of HTTP requests, by handler, method and status code.",
			Buckets: durationBuckets,
		}, []string{"handler", "method", "code"}),
	}
	if err := registry.Register(m.requests); err != nil {
		return nil, nil, err
	}
	if err := registry.Register(m.latency); err != nil {
		return nil, nil, err
	}
	return m, provider, nil
}

// otlpReader pushes metrics to the Prometheus OTLP receiver at endpoint
// (host:port) every metricPushInterval, aggregating as selector says.
func otlpReader(ctx context.Context, endpoint string, selector sdkmetric.AggregationSelector) (sdkmetric.Reader, error) {
	exporter, err := otlpmetrichttp.New(ctx,
		otlpmetrichttp.WithEndpoint(endpoint),
		otlpmetrichttp.WithURLPath("/api/v1/otlp/v1/metrics"),
		otlpmetrichttp.WithInsecure(),
		otlpmetrichttp.WithAggregationSelector(selector))
	if err != nil {
		return nil, fmt.Errorf("otlp metric exporter for %s: %w", endpoint, err)
	}
	return sdkmetric.NewPeriodicReader(exporter, sdkmetric.WithInterval(metricPushInterval)), nil
}

// exponentialHistograms aggregates histograms as base-2 exponential
// histograms and everything else as the SDK does by default.
func exponentialHistograms(kind sdkmetric.InstrumentKind) sdkmetric.Aggregation {
	if kind == sdkmetric.InstrumentKindHistogram {
		return sdkmetric.AggregationBase2ExponentialHistogram{MaxSize: 160, MaxScale: 20}
	}
	return sdkmetric.DefaultAggregationSelector(kind)
}

// observe records one finished request. ctx carries the server span, which
// the OTel SDK turns into an exemplar; the classic histogram gets the same
// trace as an explicit exemplar.
func (m *metrics) observe(ctx context.Context, route, method string, status int, elapsed time.Duration) {
	seconds := elapsed.Seconds()
	m.duration.Record(ctx, seconds, metric.WithAttributes(
		semconv.HTTPRoute(route),
		semconv.HTTPRequestMethodKey.String(method),
		semconv.HTTPResponseStatusCode(status),
	))
	code := strconv.Itoa(status)
	m.requests.WithLabelValues(route, method, code).Inc()
	observer := m.latency.WithLabelValues(route, method, code)
	if sc := trace.SpanContextFromContext(ctx); sc.IsSampled() {
		observer.(prometheus.ExemplarObserver).ObserveWithExemplar(seconds, prometheus.Labels{
			"trace_id": sc.TraceID().String(),
			"span_id":  sc.SpanID().String(),
		})
		return
	}
	observer.Observe(seconds)
}

// httpAttributes are the semantic-convention attributes of a server span.
func httpAttributes(route, method string) []attribute.KeyValue {
	return []attribute.KeyValue{
		semconv.HTTPRoute(route),
		semconv.HTTPRequestMethodKey.String(method),
		semconv.URLScheme("http"),
	}
}

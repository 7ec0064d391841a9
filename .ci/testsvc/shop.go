package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
)

// behaviour is the latency and error profile of the services.
type behaviour struct {
	checkoutMin       time.Duration
	checkoutMax       time.Duration
	checkoutErrorRate float64
	itemsErrorRate    float64
	slowThreshold     time.Duration
}

// Routes of the shop service, as they appear in span names, the http_route
// label and log lines.
const (
	routeCart     = "/api/cart"
	routeCheckout = "/api/checkout"
	routeItem     = "/api/items/{id}"
)

// shop is the service under observation.
type shop struct {
	tracer      trace.Tracer
	metrics     *metrics
	logs        *logShipper
	behaviour   behaviour
	paymentsURL string
	client      *http.Client
}

// handlerFunc serves one route inside its server span and returns the HTTP
// status it answered with; a non-nil error marks the span as failed.
type handlerFunc func(ctx context.Context, w http.ResponseWriter, r *http.Request) (int, error)

func (s *shop) routes(registry *prometheus.Registry) *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("GET "+routeCart, s.instrument(http.MethodGet, routeCart, s.cart))
	mux.Handle("POST "+routeCheckout, s.instrument(http.MethodPost, routeCheckout, s.checkout))
	mux.Handle("GET "+routeItem, s.instrument(http.MethodGet, routeItem, s.item))
	mux.Handle("GET /metrics", promhttp.HandlerFor(registry, promhttp.HandlerOpts{EnableOpenMetrics: true}))
	return mux
}

// instrument wraps a route in a server span, records its metrics and logs
// one line per request.
func (s *shop) instrument(method, route string, serve handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		ctx, span := s.tracer.Start(r.Context(), method+" "+route,
			trace.WithSpanKind(trace.SpanKindServer),
			trace.WithAttributes(httpAttributes(route, method)...))
		status, err := serve(ctx, w, r)
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		elapsed := time.Since(start)
		span.End()
		s.metrics.observe(ctx, route, method, status, elapsed)
		s.logs.add(requestLogEntry(requestRecord{
			service: "shop", route: route, method: method, status: status,
			elapsed: elapsed, err: err, span: span.SpanContext(), at: start,
		}, s.behaviour.slowThreshold))
	})
}

// cart is fast and never fails.
func (s *shop) cart(ctx context.Context, w http.ResponseWriter, _ *http.Request) (int, error) {
	_, span := s.tracer.Start(ctx, "load-cart")
	sleepBetween(5*time.Millisecond, 18*time.Millisecond)
	span.End()
	return reply(w, http.StatusOK, `{"items":3,"total_cents":4200}`), nil
}

// item is fast and fails at itemsErrorRate, inside its database span.
func (s *shop) item(ctx context.Context, w http.ResponseWriter, r *http.Request) (int, error) {
	id, err := strconv.Atoi(r.PathValue("id"))
	if err != nil || id <= 0 {
		return reply(w, http.StatusBadRequest, `{"error":"item id must be a positive integer"}`), nil
	}
	_, span := s.tracer.Start(ctx, "SELECT items", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(semconv.DBSystemNamePostgreSQL, semconv.DBOperationName("SELECT")))
	defer span.End()
	sleepBetween(5*time.Millisecond, 25*time.Millisecond)
	if rand.Float64() < s.behaviour.itemsErrorRate {
		err := fmt.Errorf("item %d: item store timed out", id)
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
		return reply(w, http.StatusInternalServerError, `{"error":"item store unavailable"}`), err
	}
	return reply(w, http.StatusOK, fmt.Sprintf(`{"id":%d,"name":"item %d"}`, id, id)), nil
}

// checkout validates the cart, then charges the card through the payments
// service: the charge is the slow part and fails at checkoutErrorRate.
func (s *shop) checkout(ctx context.Context, w http.ResponseWriter, _ *http.Request) (int, error) {
	_, validate := s.tracer.Start(ctx, "validate-cart")
	sleepBetween(5*time.Millisecond, 20*time.Millisecond)
	validate.End()

	if err := s.chargeCard(ctx); err != nil {
		return reply(w, http.StatusInternalServerError, `{"error":"payment failed"}`), err
	}
	return reply(w, http.StatusOK, `{"order":"accepted"}`), nil
}

// chargeCard is the client span charge-card calling payments' POST /charge.
func (s *shop) chargeCard(ctx context.Context) (err error) {
	ctx, span := s.tracer.Start(ctx, "charge-card", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(semconv.HTTPRequestMethodKey.String(http.MethodPost), semconv.URLFull(s.paymentsURL)))
	defer func() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.paymentsURL, nil)
	if err != nil {
		return err
	}
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("charge card: %w", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	span.SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
	if resp.StatusCode >= 400 {
		return fmt.Errorf("charge card: payments answered %s: %s", resp.Status, body)
	}
	return nil
}

// payments is the second service: one slow route, POST /charge.
type payments struct {
	tracer    trace.Tracer
	logs      *logShipper
	behaviour behaviour
}

func (p *payments) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /charge", p.charge)
	return mux
}

// errCardProcessor is the failure payments reports at checkoutErrorRate.
var errCardProcessor = errors.New("card processor declined the request: upstream timeout")

func (p *payments) charge(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	ctx := propagation.TraceContext{}.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	ctx, span := p.tracer.Start(ctx, "POST /charge", trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(httpAttributes("/charge", http.MethodPost)...))

	total := randomBetween(p.behaviour.checkoutMin, p.behaviour.checkoutMax) - 20*time.Millisecond
	_, fraud := p.tracer.Start(ctx, "fraud-check")
	time.Sleep(total / 5)
	fraud.End()
	_, authorize := p.tracer.Start(ctx, "authorize-card", trace.WithSpanKind(trace.SpanKindClient))
	time.Sleep(total - total/5)
	authorize.End()

	status, err := http.StatusOK, error(nil)
	if rand.Float64() < p.behaviour.checkoutErrorRate {
		status, err = http.StatusInternalServerError, errCardProcessor
		span.RecordError(err)
		span.SetStatus(codes.Error, err.Error())
	}
	span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	reply(w, status, `{}`)
	span.End()
	if err != nil {
		p.logs.add(requestLogEntry(requestRecord{
			service: "payments", route: "/charge", method: http.MethodPost, status: status,
			elapsed: time.Since(start), err: err, span: span.SpanContext(), at: start,
		}, p.behaviour.slowThreshold))
	}
}

func reply(w http.ResponseWriter, status int, body string) int {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, body)
	return status
}

func randomBetween(low, high time.Duration) time.Duration {
	if high <= low {
		return low
	}
	return low + rand.N(high-low)
}

func sleepBetween(low, high time.Duration) { time.Sleep(randomBetween(low, high)) }

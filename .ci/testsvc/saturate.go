package main

// Saturation mode: the incident redline must get right. Service
// "storefront" (GET /api/stock/{sku}, GET /api/stores) calls service
// "inventory" (GET /stock), whose database pool has one connection and a
// fixed query time, so it serves at most 1/queryTime requests a second. The
// load generator sends more than that: requests queue for the connection,
// storefront's call gives up after callTimeout, and inventory, whose queued
// work does not notice the caller leaving, reports its spans only once it
// got the connection or gave up waiting after acquireTimeout. Waiters get
// the connection in random order (as database/sql's connection requests
// do), so at any moment the slow traces are a mix of complete ones, whose
// time went into waiting for the connection, and partial ones, whose
// caller timed out and whose inventory spans have not arrived yet.
//
// Both services are seen only through their spans (and the span metrics
// Jaeger computes from them); they push no metrics of their own.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.37.0"
	"go.opentelemetry.io/otel/trace"
)

// saturation is the shape of the overload; the zero rate disables it.
type saturation struct {
	storefrontAddr string
	inventoryAddr  string
	rate           float64       // stock lookups a second, above 1/queryTime
	queryTime      time.Duration // fixed time of inventory's query on the connection
	callTimeout    time.Duration // storefront gives up on inventory after this
	acquireTimeout time.Duration // inventory gives up waiting for the connection
}

// Routes of the saturation services, as span names and http.route.
const (
	routeStock  = "/api/stock/{sku}"
	routeStores = "/api/stores"
	routePool   = "/stock"
	// poolWaitSpan is inventory's span waiting for the pool's connection:
	// the bottleneck of the saturated route's complete traces.
	poolWaitSpan = "wait for connection"
)

// startSaturation serves storefront and inventory and drives them for d
// (and the calm route at one request a second); the servers stop with ctx.
func startSaturation(ctx context.Context, cfg saturation, d time.Duration, otlpEndpoint string, errs chan<- error) error {
	storefrontTraces, err := newTracerProvider(ctx, "storefront", otlpEndpoint)
	if err != nil {
		return err
	}
	inventoryTraces, err := newTracerProvider(ctx, "inventory", otlpEndpoint)
	if err != nil {
		return err
	}
	inv := &inventory{tracer: inventoryTraces.Tracer("redline.ci/testsvc/inventory"), pool: &connPool{}, cfg: cfg}
	sf := &storefront{
		tracer:       storefrontTraces.Tracer("redline.ci/testsvc/storefront"),
		inventoryURL: "http://" + cfg.inventoryAddr + routePool,
		client:       &http.Client{Timeout: cfg.callTimeout},
	}
	inventoryServer := serve(cfg.inventoryAddr, inv.routes(), errs)
	storefrontServer := serve(cfg.storefrontAddr, sf.routes(), errs)
	log.Printf("testsvc: saturation: storefront on %s, inventory on %s, %.1f req/s against %.1f/s for %s",
		cfg.storefrontAddr, cfg.inventoryAddr, cfg.rate, float64(time.Second)/float64(cfg.queryTime), d)
	go func() {
		<-ctx.Done()
		shutdown("storefront server", storefrontServer.Shutdown)
		shutdown("inventory server", inventoryServer.Shutdown)
		shutdown("storefront tracer", storefrontTraces.Shutdown)
		shutdown("inventory tracer", inventoryTraces.Shutdown)
	}()
	base := "http://" + cfg.storefrontAddr
	go poisson(ctx, d, cfg.rate, func(i int) string { return fmt.Sprintf("%s/api/stock/SKU-%04d", base, i%1000) })
	go poisson(ctx, d, 1, func(int) string { return base + routeStores })
	return nil
}

// poisson sends GET requests to url(i) at rate a second on average
// (exponential gaps) for d, each in its own goroutine with a generous
// timeout, then waits for those in flight.
func poisson(ctx context.Context, d time.Duration, rate float64, url func(i int) string) {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Minute}
	var inFlight sync.WaitGroup
	defer inFlight.Wait()
	for i := 0; ; i++ {
		gap := time.Duration(rand.ExpFloat64() / rate * float64(time.Second))
		select {
		case <-ctx.Done():
			return
		case <-time.After(gap):
		}
		req, _ := http.NewRequest(http.MethodGet, url(i), nil)
		inFlight.Go(func() { send(client, req) })
	}
}

// storefront serves the stock of a product from inventory.
type storefront struct {
	tracer       trace.Tracer
	inventoryURL string
	client       *http.Client
}

func (s *storefront) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+routeStock, s.serverSpan(routeStock, s.stock))
	mux.HandleFunc("GET "+routeStores, s.serverSpan(routeStores, func(context.Context) (int, error) {
		sleepBetween(3*time.Millisecond, 12*time.Millisecond)
		return http.StatusOK, nil
	}))
	return mux
}

// serverSpan wraps a route in a server span and answers with the status it
// returns; an error fails the span.
func (s *storefront) serverSpan(route string, handle func(context.Context) (int, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, span := s.tracer.Start(r.Context(), http.MethodGet+" "+route,
			trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(httpAttributes(route, http.MethodGet)...))
		defer span.End()
		status, err := handle(ctx)
		span.SetAttributes(semconv.HTTPResponseStatusCode(status))
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		w.WriteHeader(status)
	}
}

// stock calls inventory inside a client span naming its callee.
func (s *storefront) stock(ctx context.Context) (status int, err error) {
	ctx, span := s.tracer.Start(ctx, "GET inventory", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		semconv.PeerService("inventory"), semconv.HTTPRequestMethodKey.String(http.MethodGet), semconv.URLFull(s.inventoryURL)))
	defer func() {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.inventoryURL, nil)
	if err != nil {
		return http.StatusInternalServerError, err
	}
	propagation.TraceContext{}.Inject(ctx, propagation.HeaderCarrier(req.Header))
	resp, err := s.client.Do(req)
	if err != nil {
		return http.StatusGatewayTimeout, fmt.Errorf("inventory: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	span.SetAttributes(semconv.HTTPResponseStatusCode(resp.StatusCode))
	if resp.StatusCode >= 400 {
		return http.StatusBadGateway, fmt.Errorf("inventory answered %s", resp.Status)
	}
	return http.StatusOK, nil
}

// inventory answers stock queries through its one-connection pool.
type inventory struct {
	tracer trace.Tracer
	pool   *connPool
	cfg    saturation
}

func (inv *inventory) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+routePool, inv.stock)
	return mux
}

// errPoolTimeout is inventory's answer when the connection never came.
var errPoolTimeout = errors.New("connection pool exhausted: no connection within the acquire timeout")

// stock waits for the connection and queries on it. The wait does not
// follow the caller's cancellation: the work stays queued after storefront
// gave up, so its spans arrive late.
func (inv *inventory) stock(w http.ResponseWriter, r *http.Request) {
	ctx := propagation.TraceContext{}.Extract(context.WithoutCancel(r.Context()), propagation.HeaderCarrier(r.Header))
	ctx, span := inv.tracer.Start(ctx, http.MethodGet+" "+routePool,
		trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(httpAttributes(routePool, http.MethodGet)...))
	defer span.End()
	_, wait := inv.tracer.Start(ctx, poolWaitSpan)
	got := inv.pool.acquire(inv.cfg.acquireTimeout)
	wait.End()
	if !got {
		span.RecordError(errPoolTimeout)
		span.SetStatus(codes.Error, errPoolTimeout.Error())
		span.SetAttributes(semconv.HTTPResponseStatusCode(http.StatusServiceUnavailable))
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	_, query := inv.tracer.Start(ctx, "SELECT stock", trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(semconv.DBSystemNamePostgreSQL, semconv.DBOperationName("SELECT")))
	time.Sleep(inv.cfg.queryTime)
	query.End()
	inv.pool.release()
	span.SetAttributes(semconv.HTTPResponseStatusCode(http.StatusOK))
	w.WriteHeader(http.StatusOK)
}

// connPool is a pool of one connection whose waiters are served in random
// order.
type connPool struct {
	mu      sync.Mutex
	busy    bool
	waiters []chan struct{}
}

// acquire takes the connection, waiting at most timeout; it reports whether
// it got it.
func (p *connPool) acquire(timeout time.Duration) bool {
	p.mu.Lock()
	if !p.busy {
		p.busy = true
		p.mu.Unlock()
		return true
	}
	granted := make(chan struct{}, 1)
	p.waiters = append(p.waiters, granted)
	p.mu.Unlock()
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	select {
	case <-granted:
		return true
	case <-timer.C:
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	for i, w := range p.waiters {
		if w == granted {
			p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
			return false
		}
	}
	return true // granted while the timer fired
}

// release hands the connection to a random waiter, or frees it.
func (p *connPool) release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.waiters) == 0 {
		p.busy = false
		return
	}
	i := rand.N(len(p.waiters))
	next := p.waiters[i]
	p.waiters = append(p.waiters[:i], p.waiters[i+1:]...)
	next <- struct{}{}
}

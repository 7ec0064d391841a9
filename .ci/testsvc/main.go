// Command testsvc is the instrumented service that redline's integration stack
// observes. It runs service "shop" (GET /api/cart, POST /api/checkout,
// GET /api/items/{id}) which calls service "payments" (POST /charge) over HTTP,
// exports traces over OTLP/HTTP, serves Prometheus metrics on /metrics (OTel
// semantic conventions and classic client_golang ones), pushes its OTel
// metrics over OTLP to Prometheus 3 servers and its logs to VictoriaLogs
// tenants. A bounded load generator can drive every route after start; the
// servers stay up until the process is signalled. With the load it also
// runs the saturation incident of saturate.go (storefront and inventory).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// config is everything the command line controls.
type config struct {
	shopAddr     string
	paymentsAddr string
	otlpEndpoint string
	otlpMetrics  string
	otlpExpo     string
	logsURL      string
	logsTenants  string
	load         time.Duration
	rps          float64
	behaviour    behaviour
	saturation   saturation
}

func parseFlags() config {
	var c config
	flag.StringVar(&c.shopAddr, "listen", "127.0.0.1:18080", "address of the shop service (and /metrics)")
	flag.StringVar(&c.paymentsAddr, "payments-listen", "127.0.0.1:18081", "address of the payments service")
	flag.StringVar(&c.otlpEndpoint, "otlp", "127.0.0.1:4318", "OTLP/HTTP host:port for traces; empty disables export")
	flag.StringVar(&c.otlpMetrics, "otlp-metrics", "", "comma-separated OTLP/HTTP host:port to push metrics to (explicit-bucket histograms)")
	flag.StringVar(&c.otlpExpo, "otlp-metrics-exponential", "", "comma-separated OTLP/HTTP host:port to push metrics to (exponential histograms)")
	flag.StringVar(&c.logsURL, "victorialogs", "", "VictoriaLogs base URL to push logs to; empty disables log shipping")
	flag.StringVar(&c.logsTenants, "victorialogs-tenants", "0:0", "comma-separated AccountID:ProjectID tenants that each get every log line")
	flag.DurationVar(&c.load, "load", 0, "drive all routes for this long after start (0: no load)")
	flag.Float64Var(&c.rps, "rps", 20, "requests per second of the load generator")
	flag.StringVar(&c.saturation.storefrontAddr, "storefront-listen", "127.0.0.1:18082", "address of the saturated storefront service")
	flag.StringVar(&c.saturation.inventoryAddr, "inventory-listen", "127.0.0.1:18083", "address of the inventory service behind it")
	flag.Float64Var(&c.saturation.rate, "saturate-rate", 2.4, "stock lookups a second during -load, above inventory's 2/s (0: no saturation)")
	c.saturation.queryTime, c.saturation.callTimeout, c.saturation.acquireTimeout = 500*time.Millisecond, 25*time.Second, 40*time.Second
	flag.DurationVar(&c.behaviour.checkoutMin, "checkout-min", 600*time.Millisecond, "shortest POST /api/checkout")
	flag.DurationVar(&c.behaviour.checkoutMax, "checkout-max", 1500*time.Millisecond, "longest POST /api/checkout")
	flag.Float64Var(&c.behaviour.checkoutErrorRate, "checkout-error-rate", 0.05, "share of charges that fail (checkout answers 500)")
	flag.Float64Var(&c.behaviour.itemsErrorRate, "items-error-rate", 0.10, "share of GET /api/items/{id} answering 500")
	flag.DurationVar(&c.behaviour.slowThreshold, "slow-threshold", time.Second, "requests at least this slow are logged at level warn")
	flag.Parse()
	return c
}

func main() {
	cfg := parseFlags()
	if err := run(cfg); err != nil {
		log.Fatalf("testsvc: %v", err)
	}
}

func run(cfg config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	shopTraces, err := newTracerProvider(ctx, "shop", cfg.otlpEndpoint)
	if err != nil {
		return err
	}
	defer shutdown("shop tracer", shopTraces.Shutdown)
	paymentsTraces, err := newTracerProvider(ctx, "payments", cfg.otlpEndpoint)
	if err != nil {
		return err
	}
	defer shutdown("payments tracer", paymentsTraces.Shutdown)

	registry := prometheus.NewRegistry()
	metrics, meters, err := newMetrics(ctx, registry, otlpEndpoints{explicit: splitList(cfg.otlpMetrics), exponential: splitList(cfg.otlpExpo)})
	if err != nil {
		return err
	}
	defer shutdown("meter provider", meters.Shutdown)

	targets, err := logTargets(cfg.logsURL, splitList(cfg.logsTenants))
	if err != nil {
		return err
	}
	logs := newLogShipper(targets)
	go logs.run(ctx)

	pay := &payments{tracer: paymentsTraces.Tracer("redline.ci/testsvc/payments"), logs: logs, behaviour: cfg.behaviour}
	s := &shop{
		tracer:      shopTraces.Tracer("redline.ci/testsvc/shop"),
		metrics:     metrics,
		logs:        logs,
		behaviour:   cfg.behaviour,
		paymentsURL: "http://" + cfg.paymentsAddr + "/charge",
		client:      &http.Client{Timeout: 10 * time.Second},
	}

	errs := make(chan error, 4)
	paymentsServer := serve(cfg.paymentsAddr, pay.routes(), errs)
	shopServer := serve(cfg.shopAddr, s.routes(registry), errs)
	log.Printf("testsvc: shop on %s, payments on %s", cfg.shopAddr, cfg.paymentsAddr)

	if cfg.load > 0 {
		go generateLoad(ctx, "http://"+cfg.shopAddr, cfg.load, cfg.rps)
	}
	if cfg.load > 0 && cfg.saturation.rate > 0 {
		if err := startSaturation(ctx, cfg.saturation, cfg.load, cfg.otlpEndpoint, errs); err != nil {
			return err
		}
	}

	select {
	case <-ctx.Done():
	case err = <-errs:
	}
	shutdown("shop server", shopServer.Shutdown)
	shutdown("payments server", paymentsServer.Shutdown)
	logs.flush(context.Background())
	return err
}

// serve starts an HTTP server in the background; a failure to listen or serve
// is reported on errs.
func serve(addr string, handler http.Handler, errs chan<- error) *http.Server {
	srv := &http.Server{Addr: addr, Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			errs <- fmt.Errorf("serve %s: %w", addr, err)
		}
	}()
	return srv
}

// shutdown stops one component with a bounded grace period and logs failures.
func shutdown(what string, stop func(context.Context) error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := stop(ctx); err != nil {
		log.Printf("testsvc: stopping %s: %v", what, err)
	}
}

// splitList splits a comma-separated flag, dropping blanks.
func splitList(flagValue string) []string {
	var out []string
	for _, v := range strings.Split(flagValue, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/sources/jaeger"
	"github.com/redline-tui/redline/sources/loki"
	"github.com/redline-tui/redline/sources/prometheus"
	"github.com/redline-tui/redline/sources/tempo"
	"github.com/redline-tui/redline/ui"
)

// endpointFlags choose the backends: a config file context, and one-off
// endpoint flags that need no file.
type endpointFlags struct {
	configPath string
	context    string
	prometheus string
	tempo      string
	jaeger     string
	loki       string
}

// any reports whether a one-off endpoint flag was given.
func (f endpointFlags) any() bool {
	return f.prometheus != "" || f.tempo != "" || f.jaeger != "" || f.loki != ""
}

// backends are the live sources redline talks to.
type backends struct {
	resolved // the context, config file and snapshot settings they come from
	metrics  ui.Metrics
	traces   ui.Traces
	logs     ui.Logs
	checks   []check
	close    func()
}

// check pings one backend for `redline config check`.
type check struct {
	backend  string
	endpoint string
	ping     func(context.Context) ([]string, error)
}

// errNoBackends means neither flags nor a config file name any backend.
var errNoBackends = errors.New("no backends configured")

// resolved is what the command line and the config file select.
type resolved struct {
	context  *config.Context
	path     string          // the config file read, "" when none
	snapshot config.Snapshot // the file's snapshot settings (zero without a file)
}

// resolve loads the config file (if any) and applies the one-off flags,
// which replace whole endpoints (never inheriting credentials).
func resolve(f endpointFlags) (resolved, error) {
	file, err := config.Load(f.configPath)
	switch {
	case errors.Is(err, config.ErrNoFile):
		if f.context != "" {
			return resolved{}, fmt.Errorf("--context %q given, but there is no config file at %s (create it, or pass --config FILE)", f.context, config.DefaultPath())
		}
	case err != nil:
		return resolved{}, err
	}
	r := resolved{context: &config.Context{}}
	if file != nil {
		r.path, r.snapshot = file.Path(), file.Snapshot
		if f.context != "" || !f.any() {
			if r.context, err = file.Context(f.context); err != nil {
				return resolved{path: r.path}, err
			}
		}
	}
	c := r.context
	applyFlags(c, f)
	if c.Prometheus == nil && c.Tempo == nil && c.Jaeger == nil && c.Loki == nil {
		return resolved{path: r.path}, errNoBackends
	}
	if c.Name == "" {
		c.Name = flagsContextName(c)
	}
	return r, nil
}

// flagsContextName names a context made of one-off flags after the host
// of its metrics backend, the first thing redline shows in the breadcrumb.
func flagsContextName(c *config.Context) string {
	if c.Prometheus != nil {
		if u, err := url.Parse(c.Prometheus.URL); err == nil && u.Host != "" {
			return u.Host
		}
	}
	return "command line"
}

func applyFlags(c *config.Context, f endpointFlags) {
	if f.prometheus != "" {
		c.Prometheus = &config.Prometheus{Endpoint: config.NewEndpoint(f.prometheus)}
	}
	if f.tempo != "" {
		c.Tempo, c.Jaeger = &config.Tempo{Endpoint: config.NewEndpoint(f.tempo)}, nil
	}
	if f.jaeger != "" {
		c.Jaeger, c.Tempo = jaegerFromFlag(f.jaeger), nil
	}
	if f.loki != "" {
		c.Loki = &config.Loki{Endpoint: config.NewEndpoint(f.loki)}
	}
}

// jaegerFromFlag reads --jaeger: an http(s) URL selects the HTTP API,
// anything else is the host:port of the gRPC query service.
func jaegerFromFlag(v string) *config.Jaeger {
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		return &config.Jaeger{Endpoint: config.NewEndpoint(v)}
	}
	return &config.Jaeger{Endpoint: config.NewEndpoint(""), GRPC: v}
}

// openBackends builds a source per configured endpoint. A backend that is
// not configured stays nil: the UI explains how to add it.
func openBackends(r resolved) (*backends, error) {
	c := r.context
	b := &backends{resolved: r, close: func() {}}
	if c.Prometheus == nil {
		return nil, fmt.Errorf("%s: no Prometheus configured: every step starts from metrics (pass --prometheus URL or set prometheus.url in the context)", contextLabel(c, r.path))
	}
	if err := b.openPrometheus(c.Prometheus); err != nil {
		return nil, err
	}
	if err := b.openTraces(c); err != nil {
		return nil, err
	}
	if c.Loki != nil {
		if err := b.openLoki(c.Loki); err != nil {
			return nil, err
		}
	}
	return b, nil
}

func contextLabel(c *config.Context, path string) string {
	if path == "" {
		return "command line"
	}
	return fmt.Sprintf("%s (context %s)", path, c.Name)
}

func (b *backends) openPrometheus(p *config.Prometheus) error {
	hc, err := p.HTTPClient("prometheus")
	if err != nil {
		return err
	}
	src, err := prometheus.New(prometheus.Config{
		URL: p.URL, HTTPClient: hc, Tenant: p.Tenant, MaxBody: p.MaxResponseBytes,
		Timeout: p.RequestTimeout(), SLOs: sloSpecs(p.SLOs),
		Convention: p.Convention, ServiceLabel: p.ServiceLabel,
	})
	if err != nil {
		return err
	}
	b.metrics = src
	b.addCheck("prometheus", p.URL, func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return info.Summary(), err
	})
	return nil
}

func sloSpecs(in []config.SLO) []prometheus.SLOSpec {
	out := make([]prometheus.SLOSpec, len(in))
	for i, s := range in {
		out[i] = prometheus.SLOSpec{
			Service: s.Service, Name: s.Name, Objective: s.Ratio(), Period: time.Duration(s.Period),
			ErrorQuery: s.ErrorQuery, TotalQuery: s.TotalQuery,
		}
	}
	return out
}

func (b *backends) openTraces(c *config.Context) error {
	switch {
	case c.Tempo != nil:
		return b.openTempo(c.Tempo)
	case c.Jaeger != nil:
		return b.openJaeger(c.Jaeger)
	}
	return nil
}

func (b *backends) openTempo(t *config.Tempo) error {
	hc, err := t.HTTPClient("tempo")
	if err != nil {
		return err
	}
	src, err := tempo.New(tempo.Config{URL: t.URL, HTTPClient: hc, Tenant: t.Tenant, MaxBody: t.MaxResponseBytes, Limit: t.Limit})
	if err != nil {
		return err
	}
	b.traces = src
	b.addCheck("tempo", t.URL, func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return append(versionLine(info.Version), info.Notes...), err
	})
	return nil
}

func (b *backends) openJaeger(j *config.Jaeger) error {
	cfg, err := jaegerConfig(j)
	if err != nil {
		return err
	}
	src, err := jaeger.New(cfg)
	if err != nil {
		return err
	}
	b.traces = src
	prev := b.close
	b.close = func() { prev(); src.Close() }
	endpoint := j.GRPC
	if endpoint == "" {
		endpoint = j.URL
	}
	b.addCheck("jaeger", endpoint, func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return info.Notes, err
	})
	return nil
}

// jaegerConfig reads a Jaeger endpoint. The gRPC address wins when both
// are set (as in jaeger.New): its TLS and bearer token come from tls_config
// and authorization; the HTTP API gets the endpoint's HTTP client.
func jaegerConfig(j *config.Jaeger) (jaeger.Config, error) {
	cfg := jaeger.Config{GRPCAddr: j.GRPC, HTTPURL: j.URL, Tenant: j.Tenant, MaxBody: j.MaxResponseBytes, Limit: j.Limit}
	var err error
	if j.GRPC != "" {
		cfg.TLS, cfg.Token, err = j.GRPCAuth("jaeger")
	} else {
		cfg.HTTPClient, err = j.HTTPClient("jaeger")
	}
	return cfg, err
}

func (b *backends) openLoki(l *config.Loki) error {
	hc, err := l.HTTPClient("loki")
	if err != nil {
		return err
	}
	src, err := loki.New(loki.Config{
		URL: l.URL, HTTPClient: hc, Tenant: l.Tenant, MaxBody: l.MaxResponseBytes,
		Limit: l.Limit, Shift: time.Duration(l.Shift), ServiceLabel: l.ServiceLabel, TraceField: l.TraceField,
	})
	if err != nil {
		return err
	}
	b.logs = src
	b.addCheck("loki", l.URL, func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return lokiLines(info), err
	})
	return nil
}

func (b *backends) addCheck(backend, endpoint string, ping func(context.Context) ([]string, error)) {
	b.checks = append(b.checks, check{backend: backend, endpoint: endpoint, ping: ping})
}

func versionLine(v string) []string {
	if v == "" {
		return nil
	}
	return []string{"version " + v}
}

package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/snapshot"
	"github.com/redline-tui/redline/sources/alertmanager"
	"github.com/redline-tui/redline/sources/budget"
	"github.com/redline-tui/redline/sources/jaeger"
	"github.com/redline-tui/redline/sources/loki"
	"github.com/redline-tui/redline/sources/prometheus"
	"github.com/redline-tui/redline/sources/tempo"
	"github.com/redline-tui/redline/sources/victorialogs"
	"github.com/redline-tui/redline/ui"
)

// endpointFlags choose the backends: a config file context, and one-off
// endpoint flags that need no file.
type endpointFlags struct {
	configPath string
	context    string
	urls       map[string]string // backend name → the value of its flag
}

// any reports whether a one-off endpoint flag was given.
func (f endpointFlags) any() bool {
	for _, v := range f.urls {
		if v != "" {
			return true
		}
	}
	return false
}

// backends are the live sources redline talks to.
type backends struct {
	resolved   // the context, config file and snapshot settings they come from
	ui.Sources // nil where the context configures no backend of the role
	checks     []check
	close      func()
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
	budget   int64           // the file's response budget (the default without a file)
}

// responses is the process's response budget: every backend of every
// context and SSH session reads its answers within it.
var responses = budget.New(budget.Default)

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
	r := resolved{context: &config.Context{}, budget: file.Budget()}
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
	if len(c.Sections()) == 0 {
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
	if m, ok := firstOfRole(c, config.Metrics); ok {
		if u, err := url.Parse(m.Endpoint.URL); err == nil && u.Host != "" {
			return u.Host
		}
	}
	return "command line"
}

// applyFlags replaces the context's backends with those given by flags: a
// flag's backend replaces any other of its role.
func applyFlags(c *config.Context, f endpointFlags) {
	for _, spec := range backendSpecs {
		v := f.urls[spec.name]
		if v == "" {
			continue
		}
		for _, s := range c.Sections() {
			if s.Role == spec.role {
				s.Unset()
			}
		}
		spec.fromFlag(c, v)
	}
}

// openBackends builds a source per configured endpoint. A backend that is
// not configured stays nil: the UI explains how to add it. The context's
// credentials join the process's secrets first.
func openBackends(r resolved) (*backends, error) {
	c := r.context
	responses.SetLimit(r.budget)
	c.AddSecrets(secrets)
	b := &backends{resolved: r, close: func() {}}
	b.AddTraces, b.AddLogs = howToAdd(config.Traces), howToAdd(config.Logs)
	if _, ok := firstOfRole(c, config.Metrics); !ok {
		return nil, fmt.Errorf("%s: no metrics backend configured: every step starts from metrics (pass %s or set %s in the context)", contextLabel(c, r.path), flagsOf(config.Metrics), configKeysOf(config.Metrics))
	}
	var got deps
	for _, spec := range openOrder() {
		if _, ok := c.Section(spec.name); !ok {
			continue
		}
		o, err := spec.open(c, got)
		if err != nil {
			b.close()
			return nil, err
		}
		got.alerts = cmp.Or(o.alerts, got.alerts)
		b.add(spec.name, o)
	}
	slices.SortStableFunc(b.checks, func(x, y check) int { return cmp.Compare(specIndex(x.backend), specIndex(y.backend)) })
	return b, nil
}

// deps is what an opened backend gives those opened after it: an
// Alertmanager's alerts, which the metrics backend matches to its SLOs.
type deps struct {
	alerts prometheus.AlertSource // nil: the metrics backend reads its own
}

// openOrder is backendSpecs with the alert backends first, so the metrics
// backend is opened with their alerts.
func openOrder() []backendSpec {
	out := slices.Clone(backendSpecs)
	slices.SortStableFunc(out, func(x, y backendSpec) int {
		return cmp.Compare(boolRank(x.role != config.Alerts), boolRank(y.role != config.Alerts))
	})
	return out
}

func boolRank(b bool) int {
	if b {
		return 1
	}
	return 0
}

// specIndex is the place of the backend named name in backendSpecs.
func specIndex(name string) int {
	return slices.IndexFunc(backendSpecs, func(s backendSpec) bool { return s.name == name })
}

// firstOfRole is the context's backend serving role.
func firstOfRole(c *config.Context, role config.Role) (config.Section, bool) {
	for _, s := range c.Sections() {
		if s.Role == role {
			return s, true
		}
	}
	return config.Section{}, false
}

// howToAdd says how to configure a backend of role: "start redline with
// --tempo URL or --jaeger ADDR".
func howToAdd(role config.Role) string {
	return "start redline with " + flagsOf(role)
}

// add keeps an opened backend: its source, its check and its cleanup.
func (b *backends) add(name string, o opened) {
	b.Metrics = cmp.Or(o.Metrics, b.Metrics)
	b.Traces = cmp.Or(o.Traces, b.Traces)
	b.Logs = cmp.Or(o.Logs, b.Logs)
	b.checks = append(b.checks, check{backend: name, endpoint: o.endpoint, ping: o.ping})
	if o.close != nil {
		prev := b.close
		b.close = func() { prev(); o.close() }
	}
}

func contextLabel(c *config.Context, path string) string {
	if path == "" {
		return "command line"
	}
	return fmt.Sprintf("%s (context %s)", path, c.Name)
}

// jaegerFromFlag reads --jaeger: an http(s) URL selects the HTTP API,
// anything else is the host:port of the gRPC query service.
func jaegerFromFlag(v string) *config.Jaeger {
	if strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://") {
		return &config.Jaeger{Endpoint: config.NewEndpoint(v)}
	}
	return &config.Jaeger{Endpoint: config.NewEndpoint(""), GRPC: v}
}

// backendSpec is one kind of backend redline can talk to.
type backendSpec struct {
	name     string      // flag, config key, Grafana datasources key, name in `config check`
	role     config.Role // the step it serves; a context has one backend per role
	metavar  string      // what its flag takes, in usage text: URL or ADDR
	usage    string      // its flag's help, metavar in backquotes (see pflag.UnquoteUsage)
	key      string      // the config key that turns it on, in hints, e.g. "tempo.url"
	language funnel.Language
	// grafana is its Grafana datasource kind, for snapshot deep links; the
	// UID comes from the context's grafana.datasources under name.
	grafana snapshot.Datasource
	// fromFlag sets the context's section from the flag's value.
	fromFlag func(c *config.Context, v string)
	// open builds the source from the context's section and what the
	// backends opened before it give (see openOrder).
	open func(c *config.Context, d deps) (opened, error)
}

// opened is a backend ready to use.
type opened struct {
	ui.Sources                        // the source, under its role
	alerts     prometheus.AlertSource // an alert backend's source, for the metrics backend
	endpoint   string
	ping       func(context.Context) ([]string, error) // for `config check`
	close      func()                                  // nil when there is nothing to release
}

// backendSpecs are every backend redline knows, in the order flags, usage
// text, `config check` and Grafana datasources list them. Adding a backend
// is a sources/<name> package, its config section and one entry here.
var backendSpecs = []backendSpec{
	{
		name: "prometheus", role: config.Metrics, metavar: "URL", key: "prometheus.url", language: funnel.PromQL,
		usage:    "Prometheus-compatible base `URL`, e.g. http://127.0.0.1:9090",
		grafana:  snapshot.Datasource{Type: "prometheus", Query: map[string]any{"range": true, "instant": false}},
		fromFlag: func(c *config.Context, v string) { c.Prometheus = &config.Prometheus{Endpoint: config.NewEndpoint(v)} },
		open: func(c *config.Context, d deps) (opened, error) {
			return openPrometheus(c.Prometheus, c.Assume, d.alerts)
		},
	},
	{
		name: "tempo", role: config.Traces, metavar: "URL", key: "tempo.url", language: funnel.TraceQL,
		usage:    "Tempo base `URL`, e.g. http://127.0.0.1:3200",
		grafana:  snapshot.Datasource{Type: "tempo", Query: map[string]any{"queryType": "traceql"}, Traces: true},
		fromFlag: func(c *config.Context, v string) { c.Tempo = &config.Tempo{Endpoint: config.NewEndpoint(v)} },
		open:     func(c *config.Context, _ deps) (opened, error) { return openTempo(c.Tempo) },
	},
	{
		name: "jaeger", role: config.Traces, metavar: "ADDR", key: "jaeger.grpc", language: funnel.JaegerQuery,
		usage:    "Jaeger query `ADDR`: gRPC host:port (e.g. 127.0.0.1:16685) or HTTP URL (http://127.0.0.1:16686)",
		grafana:  snapshot.Datasource{Type: "jaeger", Traces: true},
		fromFlag: func(c *config.Context, v string) { c.Jaeger = jaegerFromFlag(v) },
		open:     func(c *config.Context, _ deps) (opened, error) { return openJaeger(c.Jaeger) },
	},
	{
		name: "loki", role: config.Logs, metavar: "URL", key: "loki.url", language: funnel.LogQL,
		usage:    "Loki base `URL`, e.g. http://127.0.0.1:3100",
		grafana:  snapshot.Datasource{Type: "loki", Query: map[string]any{"queryType": "range", "maxLines": 1000}},
		fromFlag: func(c *config.Context, v string) { c.Loki = &config.Loki{Endpoint: config.NewEndpoint(v)} },
		open:     func(c *config.Context, _ deps) (opened, error) { return openLoki(c.Loki) },
	},
	{
		name: "victorialogs", role: config.Logs, metavar: "URL", key: "victorialogs.url", language: funnel.LogsQL,
		usage:   "VictoriaLogs base `URL`, e.g. http://127.0.0.1:9428",
		grafana: snapshot.Datasource{Type: "victoriametrics-logs-datasource", Query: map[string]any{"queryType": "instant"}},
		fromFlag: func(c *config.Context, v string) {
			c.VictoriaLogs = &config.VictoriaLogs{Endpoint: config.NewEndpoint(v)}
		},
		open: func(c *config.Context, _ deps) (opened, error) { return openVictoriaLogs(c.VictoriaLogs) },
	},
	{
		name: "alertmanager", role: config.Alerts, metavar: "URL", key: "alertmanager.url",
		usage: "Alertmanager base `URL` to read firing alerts from (not Prometheus), e.g. http://127.0.0.1:9093",
		fromFlag: func(c *config.Context, v string) {
			c.Alertmanager = &config.Alertmanager{Endpoint: config.NewEndpoint(v)}
		},
		open: func(c *config.Context, _ deps) (opened, error) { return openAlertmanager(c.Alertmanager) },
	},
}

// specsOf lists the backends serving role.
func specsOf(role config.Role) []backendSpec {
	var out []backendSpec
	for _, s := range backendSpecs {
		if s.role == role {
			out = append(out, s)
		}
	}
	return out
}

// flagsOf is the flag choice of a role in words, e.g. "--tempo URL or
// --jaeger ADDR".
func flagsOf(role config.Role) string { return flagChoice(role, " or ") }

// flagChoice joins the flags of a role's backends with sep.
func flagChoice(role config.Role, sep string) string {
	var out []string
	for _, s := range specsOf(role) {
		out = append(out, "--"+s.name+" "+s.metavar)
	}
	return strings.Join(out, sep)
}

// configKeysOf is the config choice of a role, e.g. "tempo.url or jaeger.grpc".
func configKeysOf(role config.Role) string {
	var out []string
	for _, s := range specsOf(role) {
		out = append(out, s.key)
	}
	return strings.Join(out, " or ")
}

// roles are the funnel's roles in order, then the alerts of its first
// step; metrics is required.
var roles = []config.Role{config.Metrics, config.Traces, config.Logs, config.Alerts}

// flagSynopsis is the backend flags of every role, optional ones in
// brackets: "--prometheus URL [--tempo URL | --jaeger ADDR] [--loki URL]".
func flagSynopsis() string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = flagChoice(r, " | ")
		if r != config.Metrics {
			out[i] = "[" + out[i] + "]"
		}
	}
	return strings.Join(out, " ")
}

// backendFlagList names every backend flag: "--prometheus, --tempo, …".
func backendFlagList() string {
	out := make([]string, len(backendSpecs))
	for i, s := range backendSpecs {
		out[i] = "--" + s.name
	}
	return strings.Join(out, ", ")
}

// endpointFlagSet declares the flags choosing backends, shared by every
// command that talks to them: --config, --context and one flag per entry
// of backendSpecs.
func endpointFlagSet(fs *pflag.FlagSet, e *endpointFlags) {
	fs.StringVar(&e.configPath, "config", "", "config `FILE` (default $REDLINE_CONFIG, else $XDG_CONFIG_HOME/redline/config.yaml)")
	fs.StringVar(&e.context, "context", "", "use the config file's context `NAME` (default its current-context)")
	e.urls = map[string]string{}
	for _, spec := range backendSpecs {
		fs.Func(spec.name, spec.usage, func(v string) error {
			e.urls[spec.name] = v
			return nil
		})
	}
}

// grafanaDatasources are the Grafana datasources a context names, in the
// order of backendSpecs.
func grafanaDatasources(uids map[string]string) []snapshot.Datasource {
	var out []snapshot.Datasource
	for _, spec := range backendSpecs {
		if uid := uids[spec.name]; uid != "" && spec.grafana.Type != "" {
			ds := spec.grafana
			ds.UID, ds.Language = uid, string(spec.language)
			out = append(out, ds)
		}
	}
	return out
}

func openPrometheus(p *config.Prometheus, assume *config.Assume, alerts prometheus.AlertSource) (opened, error) {
	hc, err := p.HTTPClient("prometheus")
	if err != nil {
		return opened{}, err
	}
	src, err := prometheus.New(prometheus.Config{
		URL: p.URL, HTTPClient: hc, Tenant: p.Tenant, MaxBody: p.MaxResponseBytes, Budget: responses,
		Timeout: p.RequestTimeout(), SLOs: sloSpecs(p.SLOs),
		Convention: p.Convention, ServiceLabel: p.ServiceLabel, Assume: assumeSpec(assume), Alerts: alerts,
	})
	if err != nil {
		return opened{}, err
	}
	return opened{Sources: ui.Sources{Metrics: src}, endpoint: p.URL, ping: func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return info.Summary(), err
	}}, nil
}

// assumeSpec turns the context's assume key into the source's settings.
func assumeSpec(a *config.Assume) prometheus.Assume {
	if a == nil {
		return prometheus.Assume{}
	}
	out := prometheus.Assume{
		Off:            a.Off,
		Availability:   a.Availability.Ratio(),
		Latency:        a.Latency.Ratio(),
		NoAvailability: a.Availability.Off,
		NoLatency:      a.Latency.Off,
	}
	for service, t := range a.Thresholds {
		if out.Thresholds == nil {
			out.Thresholds = map[string]time.Duration{}
		}
		out.Thresholds[service] = time.Duration(t)
	}
	return out
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

func openTempo(t *config.Tempo) (opened, error) {
	hc, err := t.HTTPClient("tempo")
	if err != nil {
		return opened{}, err
	}
	src, err := tempo.New(tempo.Config{URL: t.URL, HTTPClient: hc, Tenant: t.Tenant, MaxBody: t.MaxResponseBytes, Budget: responses, Limit: t.Limit})
	if err != nil {
		return opened{}, err
	}
	return opened{Sources: ui.Sources{Traces: src}, endpoint: t.URL, ping: func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return append(versionLine(info.Version), info.Notes...), err
	}}, nil
}

func openJaeger(j *config.Jaeger) (opened, error) {
	cfg, err := jaegerConfig(j)
	if err != nil {
		return opened{}, err
	}
	src, err := jaeger.New(cfg)
	if err != nil {
		return opened{}, err
	}
	return opened{Sources: ui.Sources{Traces: src}, endpoint: cmp.Or(j.GRPC, j.URL), close: func() { src.Close() }, ping: func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return info.Notes, err
	}}, nil
}

// jaegerConfig reads a Jaeger endpoint. The gRPC address wins when both
// are set (as in jaeger.New): its TLS and bearer token come from tls_config
// and authorization, its timeout bounds each step's calls; the HTTP API gets the
// endpoint's HTTP client.
func jaegerConfig(j *config.Jaeger) (jaeger.Config, error) {
	cfg := jaeger.Config{GRPCAddr: j.GRPC, HTTPURL: j.URL, Tenant: j.Tenant, MaxBody: j.MaxResponseBytes, Budget: responses, Limit: j.Limit}
	var err error
	if j.GRPC != "" {
		cfg.Timeout = j.RequestTimeout()
		cfg.TLS, cfg.Token, err = j.GRPCAuth("jaeger")
	} else {
		cfg.HTTPClient, err = j.HTTPClient("jaeger")
	}
	return cfg, err
}

func openLoki(l *config.Loki) (opened, error) {
	hc, err := l.HTTPClient("loki")
	if err != nil {
		return opened{}, err
	}
	src, err := loki.New(loki.Config{
		URL: l.URL, HTTPClient: hc, Tenant: l.Tenant, MaxBody: l.MaxResponseBytes, Budget: responses,
		Limit: l.Limit, Shift: time.Duration(l.Shift), ServiceLabel: l.ServiceLabel, TraceField: l.TraceField,
	})
	if err != nil {
		return opened{}, err
	}
	return opened{Sources: ui.Sources{Logs: src}, endpoint: l.URL, ping: func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return lokiLines(info), err
	}}, nil
}

// lokiLines describes the Loki and the service labels found.
func lokiLines(info loki.Info) []string {
	lines := versionLine(info.Version)
	if len(info.ServiceLabels) > 0 {
		lines = append(lines, "service labels: "+list(info.ServiceLabels))
	} else if len(info.Labels) > 0 {
		lines = append(lines, "no usual service label found; stream labels are "+list(info.Labels)+" (pin one with loki.service_label)")
	}
	return lines
}

// list joins at most ten items.
func list(items []string) string {
	if len(items) > 10 {
		return strings.Join(items[:10], ", ") + fmt.Sprintf(" and %d more", len(items)-10)
	}
	if len(items) == 0 {
		return "(none)"
	}
	return strings.Join(items, ", ")
}

func openVictoriaLogs(v *config.VictoriaLogs) (opened, error) {
	hc, err := v.HTTPClient("victorialogs")
	if err != nil {
		return opened{}, err
	}
	src, err := victorialogs.New(victorialogs.Config{
		URL: v.URL, HTTPClient: hc, Tenant: v.Tenant, MaxBody: v.MaxResponseBytes, Budget: responses,
		Limit: v.Limit, Shift: time.Duration(v.Shift), ServiceField: v.ServiceField, TraceField: v.TraceField,
	})
	if err != nil {
		return opened{}, err
	}
	return opened{Sources: ui.Sources{Logs: src}, endpoint: v.URL, ping: func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return victoriaLogsLines(info), err
	}}, nil
}

// victoriaLogsLines describes what VictoriaLogs holds in the last hour: the
// service fields and where trace IDs are.
func victoriaLogsLines(info victorialogs.Info) []string {
	var lines []string
	switch {
	case len(info.ServiceFields) > 0:
		lines = append(lines, "service fields: "+list(info.ServiceFields))
	case len(info.Fields) > 0:
		lines = append(lines, "no usual service field found; fields are "+list(info.Fields)+" (pin one with victorialogs.service_field)")
	default:
		return []string{"no logs in the last hour"}
	}
	if len(info.TraceFields) > 0 {
		lines = append(lines, "trace ID fields: "+list(info.TraceFields))
	} else {
		lines = append(lines, "no trace ID field: trace IDs are looked for in _msg")
	}
	if len(info.StreamFields) > 0 {
		lines = append(lines, "stream fields: "+list(info.StreamFields))
	}
	return lines
}

func openAlertmanager(a *config.Alertmanager) (opened, error) {
	hc, err := a.HTTPClient("alertmanager")
	if err != nil {
		return opened{}, err
	}
	src, err := alertmanager.New(alertmanager.Config{URL: a.URL, HTTPClient: hc, Tenant: a.Tenant, MaxBody: a.MaxResponseBytes, Budget: responses})
	if err != nil {
		return opened{}, err
	}
	return opened{alerts: src, endpoint: a.URL, ping: func(ctx context.Context) ([]string, error) {
		info, err := src.Ping(ctx)
		return info.Summary(), err
	}}, nil
}

func versionLine(v string) []string {
	if v == "" {
		return nil
	}
	return []string{"version " + v}
}

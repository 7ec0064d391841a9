// Package config loads redline's configuration file: named contexts,
// kubectl-style, each naming its Prometheus, Tempo or Jaeger, Loki or
// VictoriaLogs, and Alertmanager endpoints with the HTTP client settings Prometheus users already write
// (basic_auth, authorization, tls_config, proxy_url… from
// prometheus/common/config), a tenant, extra headers and a timeout.
//
// Every error names the file, the key and the fix.
package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	pc "github.com/prometheus/common/config"
	"gopkg.in/yaml.v3"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/sources/budget"
)

// File is the whole configuration file.
type File struct {
	CurrentContext string              `yaml:"current-context"`
	Contexts       map[string]*Context `yaml:"contexts"`
	Snapshot       Snapshot            `yaml:"snapshot"`
	Serve          Serve               `yaml:"serve"`
	// ResponseBudget bounds the bytes of backend answers the process holds
	// at once, every context and SSH session together; 0 means
	// budget.Default. See Budget.
	ResponseBudget int64 `yaml:"response_budget_bytes"`

	path string
}

// Context is one named set of backends (e.g. "prod-eu").
type Context struct {
	Prometheus *Prometheus `yaml:"prometheus"`
	Tempo      *Tempo      `yaml:"tempo"`
	Jaeger     *Jaeger     `yaml:"jaeger"`
	Loki       *Loki       `yaml:"loki"`
	// VictoriaLogs is the other log backend; a context has one of the two.
	VictoriaLogs *VictoriaLogs `yaml:"victorialogs"`
	// Alertmanager, when set, is where the SLO step reads firing alerts
	// instead of prometheus' /api/v1/alerts.
	Alertmanager *Alertmanager `yaml:"alertmanager"`
	Grafana      *Grafana      `yaml:"grafana"`
	// JaegerUI is the Jaeger UI base URL for trace deep links.
	JaegerUI string   `yaml:"jaeger_ui_url"`
	Assume   *Assume  `yaml:"assume"`  // SLOs assumed for services that define none
	Window   Duration `yaml:"window"`  // default time range, e.g. 1h
	Refresh  Duration `yaml:"refresh"` // live refresh interval, e.g. 30s

	Name string `yaml:"-"`
}

// Endpoint is what every HTTP backend shares.
type Endpoint struct {
	URL              string            `yaml:"url"`
	Tenant           string            `yaml:"tenant"` // sent as X-Scope-OrgID
	Headers          map[string]string `yaml:"headers"`
	Timeout          Duration          `yaml:"timeout"`
	MaxResponseBytes int64             `yaml:"max_response_bytes"`
	// HTTP holds basic_auth, authorization, oauth2, tls_config, proxy_url,
	// follow_redirects, enable_http2, exactly as in Prometheus' own config.
	HTTP pc.HTTPClientConfig `yaml:",inline"`

	secrets *sanitize.Secrets // set by AddSecrets: where its clients add the credentials they send
}

// Prometheus is a Prometheus-compatible endpoint (Prometheus, Mimir, Thanos,
// VictoriaMetrics); a path prefix such as Mimir's /prometheus goes in url.
type Prometheus struct {
	Endpoint     `yaml:",inline"`
	Convention   string `yaml:"convention"`    // pin: otel, otel-ms, classic, spanmetrics, tempo-spanmetrics
	ServiceLabel string `yaml:"service_label"` // pin the label naming the service
	SLOs         []SLO  `yaml:"slos"`
}

// SLO is an objective defined in the config file.
type SLO struct {
	Service    string   `yaml:"service"`
	Name       string   `yaml:"name"`
	Objective  float64  `yaml:"objective"` // percent (99.9) or ratio (0.999)
	Period     Duration `yaml:"period"`
	ErrorQuery string   `yaml:"error_query"` // counter of bad events, e.g. http_requests_total{job="api",code=~"5.."}
	TotalQuery string   `yaml:"total_query"` // counter of all events
}

// Tempo is a Grafana Tempo endpoint.
type Tempo struct {
	Endpoint `yaml:",inline"`
	Limit    int `yaml:"limit"`
}

// Jaeger is a Jaeger query endpoint: grpc (host:port of the api_v2 query
// service, usually 16685) or url (the HTTP API, usually :16686), or both.
type Jaeger struct {
	Endpoint `yaml:",inline"`
	GRPC     string `yaml:"grpc"`
	Limit    int    `yaml:"limit"`
}

// Loki is a Grafana Loki endpoint.
type Loki struct {
	Endpoint     `yaml:",inline"`
	ServiceLabel string   `yaml:"service_label"` // pin the label naming the service
	TraceField   string   `yaml:"trace_field"`   // pin: metadata, json:<field>, logfmt:<field>, text
	Shift        Duration `yaml:"shift"`         // widen the trace's time window by this much on each side
	Limit        int      `yaml:"limit"`
}

// VictoriaLogs is a VictoriaLogs endpoint. Its tenant is written as
// VictoriaLogs writes it, "ACCOUNT:PROJECT" (e.g. "12:0"; "12" means
// project 0), and sent as the AccountID and ProjectID headers.
type VictoriaLogs struct {
	Endpoint     `yaml:",inline"`
	ServiceField string   `yaml:"service_field"` // pin the field naming the service
	TraceField   string   `yaml:"trace_field"`   // pin the field holding trace IDs, or _msg
	Shift        Duration `yaml:"shift"`         // widen the trace's time window by this much on each side
	Limit        int      `yaml:"limit"`
}

// Alertmanager is a Prometheus Alertmanager (or Mimir's, with its
// /alertmanager prefix in url and the tenant): its /api/v2/alerts.
type Alertmanager struct {
	Endpoint `yaml:",inline"`
}

// Grafana enables Explore deep links in snapshots.
type Grafana struct {
	URL         string            `yaml:"url"`
	OrgID       int               `yaml:"org_id"`
	Datasources map[string]string `yaml:"datasources"` // prometheus, tempo, jaeger, loki, victorialogs → datasource UID
}

// Snapshot configures incident snapshots.
type Snapshot struct {
	DenyKeys []string `yaml:"deny_keys"` // attribute/label keys whose values are masked (added to the defaults)
	Dir      string   `yaml:"dir"`       // where snapshot files are written
}

// Serve configures `redline serve`, the SSH server. Paths are relative to
// the config file; empty ones take the defaults of package serve.
type Serve struct {
	Listen         string   `yaml:"listen"`          // host:port, default 127.0.0.1:2222
	HostKey        string   `yaml:"host_key"`        // ed25519 host key, generated when missing
	AuthorizedKeys string   `yaml:"authorized_keys"` // OpenSSH authorized_keys of the users let in
	IdleTimeout    Duration `yaml:"idle_timeout"`    // a session without keys for this long is closed; default 30m
	MaxSessions    int      `yaml:"max_sessions"`    // sessions open at once; 0 means the default
	AuditLog       string   `yaml:"audit_log"`       // file of JSON audit lines; default stderr
}

// Duration is a time.Duration written as "30s", "1h", "7d".
type Duration time.Duration

// UnmarshalYAML parses Go durations plus a "d" (day) suffix.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return err
	}
	*d = Duration(v)
	return nil
}

// ParseDuration parses a Go duration or a whole number of days ("30d").
func ParseDuration(s string) (time.Duration, error) {
	var days int
	if n, err := fmt.Sscanf(s, "%dd", &days); err == nil && n == 1 && fmt.Sprintf("%dd", days) == s {
		return time.Duration(days) * 24 * time.Hour, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not a duration: write e.g. 30s, 5m, 1h or 30d", s)
	}
	return d, nil
}

// Error is a configuration error: the file, the key (a dotted path), the
// line when known, what is wrong and how to fix it.
type Error struct {
	File string
	Key  string
	Line int
	Msg  string
	Fix  string
}

func (e *Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	s := loc
	if e.Key != "" {
		s += ": " + e.Key
	}
	s += ": " + e.Msg
	if e.Fix != "" {
		s += " (" + e.Fix + ")"
	}
	return s
}

// DefaultPath is where the config file is looked for when neither --config
// nor REDLINE_CONFIG names one: $XDG_CONFIG_HOME/redline/config.yaml, else
// ~/.config/redline/config.yaml.
func DefaultPath() string {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return ""
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "redline", "config.yaml")
}

// ErrNoFile is returned by Load when the default file does not exist.
var ErrNoFile = errors.New("no config file")

// Load reads and validates the file at path. An empty path means
// REDLINE_CONFIG, else DefaultPath; a missing default file returns
// ErrNoFile, a missing named file is an error.
func Load(path string) (*File, error) {
	named := path != ""
	if !named {
		path = os.Getenv("REDLINE_CONFIG")
		named = path != ""
	}
	if !named {
		path = DefaultPath()
	}
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) && !named {
		return nil, ErrNoFile
	}
	if err != nil {
		return nil, &Error{File: path, Msg: "cannot read the config file: " + err.Error(), Fix: "check the path given by --config or REDLINE_CONFIG"}
	}
	return Parse(path, data)
}

// Parse decodes and validates data read from path.
func Parse(path string, data []byte) (*File, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, &Error{File: path, Msg: "not valid YAML: " + err.Error(), Fix: "fix the YAML syntax"}
	}
	f := &File{path: path}
	if len(root.Content) == 0 {
		return f, nil
	}
	if err := checkKeys(path, root.Content[0], fileSchema, ""); err != nil {
		return nil, err
	}
	if err := root.Content[0].Decode(f); err != nil {
		return nil, &Error{File: path, Msg: err.Error(), Fix: "see the configuration section of README.md"}
	}
	applyHTTPDefaults(root.Content[0], f)
	dir := filepath.Dir(path)
	f.Serve.setDirectory(dir)
	for name, c := range f.Contexts {
		if c == nil {
			c = &Context{}
			f.Contexts[name] = c
		}
		c.Name = name
		c.setDirectory(dir)
	}
	return f, f.validate()
}

// Budget is the response budget in bytes, budget.Default when not set.
func (f *File) Budget() int64 {
	if f == nil || f.ResponseBudget == 0 {
		return budget.Default
	}
	return f.ResponseBudget
}

// Path is the file the configuration was read from.
func (f *File) Path() string { return f.path }

// Context returns the named context, or the current one when name is "",
// or the only one when there is exactly one.
func (f *File) Context(name string) (*Context, error) {
	if name == "" {
		name = f.CurrentContext
	}
	if name == "" && len(f.Contexts) == 1 {
		for n := range f.Contexts {
			name = n
		}
	}
	if name == "" {
		return nil, &Error{File: f.path, Key: "current-context", Msg: "no context chosen and several are defined: " + f.contextNames(), Fix: "pass --context NAME or set current-context"}
	}
	c, ok := f.Contexts[name]
	if !ok {
		return nil, &Error{File: f.path, Key: "contexts." + name, Msg: "no such context; defined: " + f.contextNames(), Fix: "pass one of those to --context, or add it under contexts"}
	}
	return c, nil
}

func (f *File) contextNames() string {
	names := f.sortedContexts()
	if len(names) == 0 {
		return "(none)"
	}
	return fmt.Sprint(names)
}

// sortedContexts lists the context names in order, so that every walk over
// the contexts (and so the first error reported) is the same on every run.
func (f *File) sortedContexts() []string {
	return slices.Sorted(maps.Keys(f.Contexts))
}

// NewEndpoint is an endpoint with only a URL and Prometheus' HTTP defaults,
// as given by a one-off command-line flag.
func NewEndpoint(url string) Endpoint {
	return Endpoint{URL: url, HTTP: pc.DefaultHTTPClientConfig}
}

func (s *Serve) setDirectory(dir string) {
	for _, p := range []*string{&s.HostKey, &s.AuthorizedKeys, &s.AuditLog} {
		if *p != "" && !filepath.IsAbs(*p) {
			*p = filepath.Join(dir, *p)
		}
	}
}

func (c *Context) setDirectory(dir string) {
	for _, s := range c.Sections() {
		s.Endpoint.HTTP.SetDirectory(dir)
	}
}

// Role is the step of the funnel a backend serves: a context has at most
// one backend per role.
type Role string

// Roles, in the order of the funnel.
const (
	Metrics Role = "metrics"
	Traces  Role = "traces"
	Logs    Role = "logs"
	Alerts  Role = "alerts" // the alerts shown on the SLO step
)

// Section is one configured backend of a context.
type Section struct {
	Key      string // its key in the context, e.g. "tempo"
	Role     Role
	Endpoint *Endpoint
	// Refuse lists the settings the backend cannot honour, by key, with the
	// reason; validation refuses a section that sets one.
	Refuse map[string]string
	// Unset removes the section from its context.
	Unset func()
	// URLOptional is set when the section reaches its backend another way
	// (a Jaeger grpc address).
	URLOptional bool
}

// Sections lists the context's configured backends in a fixed order.
func (c *Context) Sections() []Section {
	var out []Section
	add := func(key string, role Role, e *Endpoint, refuse map[string]string, unset func()) {
		out = append(out, Section{Key: key, Role: role, Endpoint: e, Refuse: refuse, Unset: unset})
	}
	if c.Prometheus != nil {
		add("prometheus", Metrics, &c.Prometheus.Endpoint, nil, func() { c.Prometheus = nil })
	}
	if c.Tempo != nil {
		add("tempo", Traces, &c.Tempo.Endpoint, nil, func() { c.Tempo = nil })
	}
	if c.Jaeger != nil {
		add("jaeger", Traces, &c.Jaeger.Endpoint, c.Jaeger.refused(), func() { c.Jaeger = nil })
		out[len(out)-1].URLOptional = c.Jaeger.GRPC != ""
	}
	if c.Loki != nil {
		add("loki", Logs, &c.Loki.Endpoint, nil, func() { c.Loki = nil })
	}
	if c.VictoriaLogs != nil {
		add("victorialogs", Logs, &c.VictoriaLogs.Endpoint, nil, func() { c.VictoriaLogs = nil })
	}
	if c.Alertmanager != nil {
		add("alertmanager", Alerts, &c.Alertmanager.Endpoint, nil, func() { c.Alertmanager = nil })
	}
	return out
}

// Section returns the configured backend of that key, if any.
func (c *Context) Section(key string) (Section, bool) {
	for _, s := range c.Sections() {
		if s.Key == key {
			return s, true
		}
	}
	return Section{}, false
}

// refused lists what a gRPC Jaeger endpoint cannot honour: it has no HTTP
// headers, proxy or HTTP authentication schemes. Its timeout is honoured
// as the deadline of every call of a step, a stream's to its end.
func (j *Jaeger) refused() map[string]string {
	if j.GRPC == "" {
		return nil
	}
	h := j.HTTP
	out := map[string]string{}
	set := func(key string, isSet bool, why string) {
		if isSet {
			out[key] = why
		}
	}
	set("headers", len(j.Headers) > 0, "a gRPC endpoint sends no HTTP headers (use tenant, or authorization with a bearer token)")
	set("http_headers", h.HTTPHeaders != nil, "a gRPC endpoint sends no HTTP headers (use tenant, or authorization with a bearer token)")
	set("follow_redirects", !h.FollowRedirects, "a gRPC endpoint follows no HTTP redirects")
	set("enable_http2", !h.EnableHTTP2, "gRPC always speaks HTTP/2")
	set("proxy_url", h.ProxyURL.URL != nil, "a gRPC endpoint is not reached through an HTTP proxy")
	set("proxy_from_environment", h.ProxyFromEnvironment, "a gRPC endpoint is not reached through an HTTP proxy")
	set("basic_auth", h.BasicAuth != nil, "a gRPC endpoint takes only a bearer token (authorization or bearer_token)")
	set("oauth2", h.OAuth2 != nil, "a gRPC endpoint takes only a bearer token (authorization or bearer_token)")
	set("authorization", h.Authorization != nil && h.Authorization.Type != "" && !strings.EqualFold(h.Authorization.Type, "Bearer"),
		"a gRPC endpoint takes only a bearer token (authorization type Bearer)")
	return out
}

package prometheus

import (
	"slices"
	"strings"
)

// Convention IDs, usable as Config.Convention pins.
const (
	ConventionOTel       = "otel"              // OTel semconv http.server.request.duration (seconds)
	ConventionOTelMS     = "otel-ms"           // OTel semconv ≤ 1.20 http.server.duration (milliseconds)
	ConventionClassic    = "classic"           // client_golang style http_requests_total
	ConventionSpanmetric = "spanmetrics"       // OTel Collector spanmetrics connector
	ConventionTempo      = "tempo-spanmetrics" // Tempo metrics-generator span metrics
)

// variant is one naming of a family's metrics; the first variant whose
// metrics exist wins. Prometheus 3's OTLP translation strategies name one
// OTel metric four ways: http_server_request_duration_seconds (the default,
// UnderscoreEscapingWithSuffixes), http.server.request.duration_seconds
// (NoUTF8EscapingWithSuffixes), http_server_request_duration
// (UnderscoreEscapingWithoutSuffixes) and http.server.request.duration
// (NoTranslation); the dotted ones keep dotted label names too.
type variant struct {
	requests  string  // request counter; "" when requests are counted from the histogram
	histogram string  // histogram base name, without _bucket/_count
	scale     float64 // seconds per histogram unit
	dotted    bool    // labels keep OTel attribute names (span.kind, not span_kind)
}

// otelVariants lists the names an OTel histogram of unit suffix (e.g.
// "_seconds") gets under each translation strategy.
func otelVariants(dotted string, suffix string, scale float64) []variant {
	underscored := strings.ReplaceAll(dotted, ".", "_")
	return []variant{
		{histogram: underscored + suffix, scale: scale},
		{histogram: dotted + suffix, scale: scale, dotted: true},
		{histogram: underscored, scale: scale},
		{histogram: dotted, scale: scale, dotted: true},
	}
}

// spanVariants lists the span-metrics names under each translation strategy:
// the calls counter and the duration histogram (milliseconds, the
// connector's default unit, when the name carries no unit).
func spanVariants(namespace string) []variant {
	underscored := strings.ReplaceAll(namespace, ".", "_")
	return []variant{
		{requests: underscored + "_calls_total", histogram: underscored + "_duration_milliseconds", scale: 0.001},
		{requests: underscored + "_calls_total", histogram: underscored + "_duration_seconds", scale: 1},
		{requests: namespace + ".calls_total", histogram: namespace + ".duration_milliseconds", scale: 0.001, dotted: true},
		{requests: namespace + ".calls_total", histogram: namespace + ".duration_seconds", scale: 1, dotted: true},
		{requests: underscored + "_calls", histogram: underscored + "_duration", scale: 0.001},
		{requests: namespace + ".calls", histogram: namespace + ".duration", scale: 0.001, dotted: true},
	}
}

// attributeNames maps the span-metrics labels of fixed and error matchers to
// the OTel attribute names dotted variants keep.
var attributeNames = map[string]string{"span_kind": "span.kind", "status_code": "status.code"}

// dottedMatchers renames ms' labels as attributeNames says.
func dottedMatchers(ms ...matcher) []matcher {
	out := make([]matcher, len(ms))
	for i, m := range ms {
		if dotted, ok := attributeNames[m.Label]; ok {
			m.Label = dotted
		}
		out[i] = m
	}
	return out
}

// family describes one metric convention before detection: candidate names
// and labels in preference order.
type family struct {
	id, title     string
	variants      []variant
	serviceLabels []string
	routeLabels   []string
	methodLabels  []string // used only with an HTTP route label
	statusLabels  []string // errors are status=~"5.."
	errorMatcher  matcher  // fixed error matcher when there is no status code
	fixed         []matcher
}

// spanNameLabels are the span-metrics route labels used when http_route is
// absent: the span name, which for HTTP servers reads "GET /route".
var spanNameLabels = []string{"span_name", "span.name"}

var serverSpans = []matcher{eq("span_kind", "SPAN_KIND_SERVER")}

// families lists every convention in preference order: OTel semconv, then
// classic, then span metrics.
var families = []family{
	{
		id: ConventionOTel, title: "OTel semconv",
		variants:      otelVariants("http.server.request.duration", "_seconds", 1),
		serviceLabels: []string{"service_name", "service.name", "job"},
		routeLabels:   []string{"http_route", "http.route"},
		methodLabels:  []string{"http_request_method", "http.request.method"},
		statusLabels:  []string{"http_response_status_code", "http.response.status_code"},
	},
	{
		id: ConventionOTelMS, title: "OTel semconv (old, ms)",
		variants:      otelVariants("http.server.duration", "_milliseconds", 0.001),
		serviceLabels: []string{"service_name", "service.name", "job"},
		routeLabels:   []string{"http_route", "http_target", "http.route", "http.target"},
		methodLabels:  []string{"http_method", "http_request_method", "http.method", "http.request.method"},
		statusLabels:  []string{"http_status_code", "http_response_status_code", "http.status_code", "http.response.status_code"},
	},
	{
		id: ConventionClassic, title: "classic client_golang",
		variants: []variant{
			{requests: "http_requests_total", histogram: "http_request_duration_seconds", scale: 1},
			{histogram: "http_request_duration_seconds", scale: 1},
		},
		serviceLabels: []string{"service", "job"},
		routeLabels:   []string{"http_route", "route", "handler", "path", "uri", "endpoint"},
		methodLabels:  []string{"method", "http_method", "http_request_method"},
		statusLabels:  []string{"code", "status", "status_code", "http_response_status_code"},
	},
	{
		id: ConventionSpanmetric, title: "spanmetrics connector",
		variants: append(spanVariants("traces.span.metrics"),
			variant{requests: "calls_total", histogram: "duration_milliseconds", scale: 0.001}),
		serviceLabels: []string{"service_name", "service.name"},
		routeLabels:   slices.Concat([]string{"http_route", "http.route"}, spanNameLabels),
		methodLabels:  []string{"http_request_method", "http_method", "http.request.method"},
		errorMatcher:  eq("status_code", "STATUS_CODE_ERROR"),
		fixed:         serverSpans,
	},
	{
		id: ConventionTempo, title: "Tempo metrics-generator",
		variants:      []variant{{requests: "traces_spanmetrics_calls_total", histogram: "traces_spanmetrics_latency", scale: 1}},
		serviceLabels: []string{"service"},
		routeLabels:   []string{"http_route", spanNameLabels[0]},
		methodLabels:  []string{"http_request_method", "http_method"},
		errorMatcher:  eq("status_code", "STATUS_CODE_ERROR"),
		fixed:         serverSpans,
	},
}

func familyByID(id string) (family, bool) {
	i := slices.IndexFunc(families, func(f family) bool { return f.id == id })
	if i < 0 {
		return family{}, false
	}
	return families[i], true
}

// candidateNames lists every metric name detection looks for.
func candidateNames() []string {
	var names []string
	for _, f := range families {
		for _, v := range f.variants {
			names = append(names, v.requests, v.histogram, v.histogram+"_bucket", v.histogram+"_count")
		}
	}
	slices.Sort(names)
	return slices.Compact(nonEmpty(names))
}

// detectionLabels lists what the detection query needs per metric: the
// labels whose values it groups by (every candidate service label, the
// pinned one, and the labels of fixed matchers) and the labels whose mere
// presence it reports (route, method and status candidates).
func detectionLabels(pinnedService string) (groupBy, carried []string) {
	for _, f := range families {
		groupBy = append(groupBy, f.serviceLabels...)
		for _, m := range slices.Concat(f.fixed, dottedMatchers(f.fixed...)) {
			groupBy = append(groupBy, m.Label)
		}
		carried = slices.Concat(carried, f.routeLabels, f.methodLabels, f.statusLabels)
	}
	groupBy = uniqueInOrder(append(groupBy, pinnedService))
	carried = slices.DeleteFunc(uniqueInOrder(carried), func(l string) bool { return slices.Contains(groupBy, l) })
	return groupBy, carried
}

// uniqueInOrder drops empty and repeated strings, keeping the first of each.
func uniqueInOrder(ss []string) []string {
	var out []string
	for _, s := range ss {
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// Convention is a detected metric convention with every name resolved: the
// one place PromQL for RED and assumed SLOs is built from (see queries.go).
type Convention struct {
	ID    string // ConventionOTel, …
	Title string // "OTel semconv", "classic client_golang", …

	// Requests is the request counter (a _total or _count series), or the
	// native histogram counted with histogram_count when RequestsNative.
	Requests       string
	RequestsNative bool
	// Latency is the _bucket series, or the native histogram when
	// LatencyNative; "" when the convention has no latency histogram.
	Latency       string
	LatencyNative bool
	LatencyScale  float64 // seconds per histogram unit (0.001 for ms)

	ServiceLabel string
	RouteLabel   string // "" when no route label exists
	MethodLabel  string // "" when absent; rows then read just the route
	Errors       matcher
	Fixed        []matcher

	Services []string // values of ServiceLabel, sorted
}

// HasErrors reports whether failed requests can be told apart.
func (c Convention) HasErrors() bool { return !c.Errors.isZero() }

// Describe names the convention and its metric, e.g.
// "OTel semconv (http_server_request_duration_seconds_count, service label job)".
func (c Convention) Describe() string {
	s := c.Title + " (" + c.Requests
	if c.RequestsNative {
		s += ", native histogram"
	}
	return s + ", service label " + c.ServiceLabel + ")"
}

// resolve turns a family into a Convention given the metric names present
// and a function returning the label names of a metric. ok is false when the
// family's metrics are absent.
func (f family) resolve(present map[string]bool, labelsOf func(metric string) []string, serviceLabel string) (Convention, bool) {
	c, ok := f.pickVariant(present)
	if !ok {
		return c, false
	}
	c.pickLabels(f, labelsOf(c.Requests), serviceLabel)
	return c, c.ServiceLabel != ""
}

// pickVariant returns the first variant whose metrics are present, preferring
// one with a latency histogram (spanmetrics share one counter between a
// milliseconds and a seconds histogram).
func (f family) pickVariant(present map[string]bool) (Convention, bool) {
	var fallback *Convention
	for _, v := range f.variants {
		c, ok := f.resolveVariant(v, present)
		switch {
		case ok && c.Latency != "":
			return c, true
		case ok && fallback == nil:
			fallback = &c
		}
	}
	if fallback == nil {
		return Convention{}, false
	}
	return *fallback, true
}

func (f family) resolveVariant(v variant, present map[string]bool) (Convention, bool) {
	c := Convention{ID: f.id, Title: f.title, LatencyScale: v.scale, Fixed: f.fixed, Errors: f.errorMatcher}
	if v.dotted {
		c.Fixed, c.Errors = dottedMatchers(f.fixed...), dottedMatchers(f.errorMatcher)[0]
	}
	switch {
	case present[v.histogram+"_bucket"]:
		c.Latency = v.histogram + "_bucket"
	case present[v.histogram]:
		c.Latency, c.LatencyNative = v.histogram, true
	}
	switch {
	case v.requests != "" && present[v.requests]:
		c.Requests = v.requests
	case v.requests != "":
		return c, false // this variant is defined by its counter
	case present[v.histogram+"_count"]:
		c.Requests = v.histogram + "_count"
	case c.LatencyNative:
		c.Requests, c.RequestsNative = v.histogram, true
	default:
		return c, false
	}
	return c, true
}

func (c *Convention) pickLabels(f family, labels []string, serviceLabel string) {
	has := func(l string) bool { return slices.Contains(labels, l) }
	first := func(cands []string) string {
		i := slices.IndexFunc(cands, has)
		if i < 0 {
			return ""
		}
		return cands[i]
	}
	c.ServiceLabel = first(f.serviceLabels)
	if serviceLabel != "" && has(serviceLabel) {
		c.ServiceLabel = serviceLabel
	}
	c.RouteLabel = first(f.routeLabels)
	if !slices.Contains(spanNameLabels, c.RouteLabel) {
		c.MethodLabel = first(f.methodLabels)
	}
	if status := first(f.statusLabels); status != "" {
		c.Errors = re(status, "5..")
	}
}

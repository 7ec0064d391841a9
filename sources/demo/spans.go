package demo

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel/trace"
)

// resourceSet is the resource attributes of one pod.
type resourceSet []trace.Attr

// podsPerService is how many replicas each demo service runs.
const podsPerService = 3

// serviceVersions are the deployed versions; payments was deployed just
// before the incident, a red herring on-call engineers must rule out.
var serviceVersions = map[string]string{
	"frontend": "2.14.3", "checkout": "1.42.0", "payments": "3.8.1",
	"inventory": "0.19.7", "cart": "1.7.2", "shipping": "0.4.0",
}

// buildResources names every pod of every service, deterministically.
func buildResources(seed int64) map[string][]resourceSet {
	out := make(map[string][]resourceSet, len(serviceNames))
	for si, service := range serviceNames {
		replicaSet := fmt.Sprintf("%08x", hashOf(uint64(seed), uint64(si), 0x9e5)&0xffffffff)[:8]
		for p := range podsPerService {
			suffix := fmt.Sprintf("%05x", hashOf(uint64(seed), uint64(si), uint64(p), 0x90d)&0xfffff)
			pod := fmt.Sprintf("%s-%s-%s", service, replicaSet[:6], suffix)
			out[service] = append(out[service], resourceSet{
				{Key: "service.name", Value: service},
				{Key: "service.namespace", Value: "shop"},
				{Key: "service.version", Value: serviceVersions[service]},
				{Key: "deployment.environment.name", Value: "production"},
				{Key: "host.name", Value: pod},
				{Key: "k8s.namespace.name", Value: "shop"},
				{Key: "k8s.pod.name", Value: pod},
				{Key: "k8s.node.name", Value: fmt.Sprintf("ip-10-0-%d-%d.eu-west-1.compute.internal", 16+p*16, 10+si*7)},
				{Key: "telemetry.sdk.language", Value: "go"},
			})
		}
	}
	return out
}

// podOf is the pod of service serving this trace.
func (g *generator) podOf(service string) resourceSet {
	pods := g.src.resources[service]
	return pods[hashOf(g.plan.hash, hashString(service), 0x90d)%uint64(len(pods))]
}

// decorateServer sets the attributes of a server span (and its resource
// attributes on every span of the trace once generation ends).
func (g *generator) decorateServer(idx, route int) {
	r := routeTable[route]
	rnd := newRNG(g.plan.hash, uint64(idx), 0xa77)
	sp := &g.spans[idx]
	sp.Attributes = []trace.Attr{
		{Key: "http.request.method", Value: r.method},
		{Key: "http.route", Value: r.path},
		{Key: "url.path", Value: concretePath(r.path, &rnd)},
		{Key: "url.scheme", Value: "http"},
		{Key: "server.address", Value: r.service},
		{Key: "server.port", Value: "8080"},
		{Key: "network.protocol.version", Value: "1.1"},
		{Key: "http.response.status_code", Value: "200"},
	}
	if r.service == "frontend" {
		sp.Attributes = append(sp.Attributes,
			trace.Attr{Key: "client.address", Value: fmt.Sprintf("203.0.113.%d", 1+rnd.intn(250))},
			trace.Attr{Key: "user_agent.original", Value: userAgents[rnd.intn(len(userAgents))]})
	}
	if r.key() == "checkout POST /api/checkout" && rnd.chance(0.25) {
		sp.Links = append(sp.Links, trace.Link{
			TraceID:    fmt.Sprintf("%016x%016x", rnd.next(), rnd.next()),
			SpanID:     fmt.Sprintf("%016x", rnd.next()|1),
			Attributes: pairs("link.reason", "cart last modified"),
		})
	}
}

var userAgents = []string{
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
	"Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
	"shop-android/5.12.0 okhttp/4.12.0",
}

// concretePath fills a route template with plausible identifiers.
func concretePath(template string, rnd *rng) string {
	if !strings.Contains(template, "{") {
		return template
	}
	r := strings.NewReplacer(
		"{id}", fmt.Sprintf("ord_%08x", rnd.next()&0xffffffff),
		"{sku}", fmt.Sprintf("SKU-%05d", rnd.intn(100000)),
	)
	return r.Replace(template)
}

// calleeEndpoint is the host, scheme and port an HTTP call to service
// goes to: the service itself inside the cluster, else its public API.
func calleeEndpoint(service, method, path string) (host, scheme, port string) {
	if external(service + " " + method + " " + path) {
		return "api." + service + ".example", "https", "443"
	}
	return service, "http", "8080"
}

// httpClientAttributes describes an HTTP call to service.
func (g *generator) httpClientAttributes(service, method, path string, status int) []trace.Attr {
	rnd := newRNG(g.plan.hash, uint64(len(g.spans)), 0xc11)
	host, scheme, port := calleeEndpoint(service, method, path)
	return []trace.Attr{
		{Key: "http.request.method", Value: method},
		{Key: "url.full", Value: scheme + "://" + host + ":" + port + concretePath(path, &rnd)},
		{Key: "server.address", Value: host},
		{Key: "server.port", Value: port},
		{Key: "net.peer.name", Value: host},
		{Key: "http.response.status_code", Value: strconv.Itoa(status)},
	}
}

// workAttributes describes a query, cache command, in-process step or publish.
func (g *generator) workAttributes(r *routeSpec, s step) []trace.Attr {
	rnd := newRNG(g.plan.hash, uint64(len(g.spans)), 0x3a7)
	switch s.kind {
	case stepDB:
		host := "pg-" + r.service + "-primary"
		return []trace.Attr{
			{Key: "db.system", Value: "postgresql"},
			{Key: "db.name", Value: r.service},
			{Key: "db.operation", Value: s.verb},
			{Key: "db.statement", Value: statement(s.verb, s.target)},
			{Key: "db.sql.table", Value: s.target},
			{Key: "net.peer.name", Value: host},
			{Key: "server.address", Value: host},
			{Key: "server.port", Value: "5432"},
		}
	case stepCache:
		host := "redis-" + r.service
		return []trace.Attr{
			{Key: "db.system", Value: "redis"},
			{Key: "db.operation", Value: s.verb},
			{Key: "db.statement", Value: s.verb + " " + s.target + ":" + hex16(rnd.next())[10:]},
			{Key: "db.redis.database_index", Value: "0"},
			{Key: "net.peer.name", Value: host},
			{Key: "server.address", Value: host},
			{Key: "server.port", Value: "6379"},
		}
	case stepPublish:
		return []trace.Attr{
			{Key: "messaging.system", Value: "kafka"},
			{Key: "messaging.operation.type", Value: "publish"},
			{Key: "messaging.destination.name", Value: s.target},
			{Key: "messaging.kafka.message.key", Value: fmt.Sprintf("ord_%08x", rnd.next()&0xffffffff)},
			{Key: "server.address", Value: "kafka-0.kafka.shop.svc"},
			{Key: "server.port", Value: "9092"},
		}
	default:
		return []trace.Attr{{Key: "code.function", Value: r.service + "." + camel(s.target)}}
	}
}

// statement is a parameterised SQL statement for verb on table.
func statement(verb, table string) string {
	switch verb {
	case "SELECT":
		return "SELECT * FROM " + table + " WHERE id = $1"
	case "INSERT":
		return "INSERT INTO " + table + " (id, order_id, payload, created_at) VALUES ($1, $2, $3, now())"
	case "UPDATE":
		return "UPDATE " + table + " SET state = $1, updated_at = now() WHERE id = $2"
	default:
		return verb + " FROM " + table + " WHERE id = $1"
	}
}

// camel turns "fraud score" into "FraudScore".
func camel(s string) string {
	var b strings.Builder
	for _, w := range strings.Fields(s) {
		b.WriteString(strings.ToUpper(w[:1]) + w[1:])
	}
	return b.String()
}

// exceptionTypeOf is the Go error type a failing step reports.
func exceptionTypeOf(s step) string {
	switch s.kind {
	case stepDB:
		return "*pq.Error"
	case stepCache:
		return "redis.Error"
	case stepPublish:
		return "kafka.Error"
	default:
		return "*errors.errorString"
	}
}

// errorType is the error.type attribute of a failure: the status code for
// HTTP errors, else the exception type.
func errorType(f failure, excType string) string {
	switch {
	case f.status >= 500:
		return strconv.Itoa(f.status)
	case excType != "":
		return excType
	default:
		return "_OTHER"
	}
}

// exceptionEvent is the OpenTelemetry exception event of a failed span.
func exceptionEvent(sp *trace.Span, excType, message string) trace.Event {
	return trace.Event{
		Time: sp.End().Add(-time.Microsecond),
		Name: "exception",
		Attributes: pairs(
			"exception.type", excType,
			"exception.message", message,
			"exception.stacktrace", stacktrace(sp),
			"exception.escaped", "false",
		),
	}
}

// stacktrace is a plausible Go stack for an error raised in sp.
func stacktrace(sp *trace.Span) string {
	pkg := "github.com/shop/" + sp.Service
	fn := camel(strings.NewReplacer("/", " ", "{", "", "}", "", "_", " ", "-", " ").Replace(sp.Name))
	h := hashString(sp.SpanID)
	return fmt.Sprintf("goroutine %d [running]:\n"+
		"%s/internal/handler.(*Handler).%s(0xc000%06x, {0x1b2e4c0, 0xc0004a2f00})\n\t/src/%s/internal/handler/%s.go:%d +0x%x\n"+
		"net/http.HandlerFunc.ServeHTTP(0xc0001a6240, {0x1b2e4c0, 0xc0004a2f00}, 0xc0002c8000)\n\t/usr/local/go/src/net/http/server.go:2220 +0x29\n"+
		"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp.(*middleware).serveHTTP(0xc00021e0a0, {0x1b2f8e0, 0xc0004a2e40}, 0xc0002c7e00, {0x1b1a9a0, 0xc0001a6240})\n\t/go/pkg/mod/go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp@v0.63.0/handler.go:179 +0x1a6d\n"+
		"net/http.(*conn).serve(0xc000318000, {0x1b30a58, 0xc0002a4f30})\n\t/usr/local/go/src/net/http/server.go:2102 +0x625",
		7+h%400, pkg, fn, h>>8&0xffffff, sp.Service, strings.ToLower(fn), 40+h>>32%400, 0x40+h>>40%0x400)
}

// pairs turns key, value, key, value… into attributes.
func pairs(kv ...string) []trace.Attr {
	out := make([]trace.Attr, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, trace.Attr{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

// setAttr sets key to value, replacing an existing attribute.
func setAttr(attrs *[]trace.Attr, key, value string) {
	for i := range *attrs {
		if (*attrs)[i].Key == key {
			(*attrs)[i].Value = value
			return
		}
	}
	*attrs = append(*attrs, trace.Attr{Key: key, Value: value})
}

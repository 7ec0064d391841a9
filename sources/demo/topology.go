package demo

import (
	"fmt"
	"strings"
	"time"
)

// stepKind is what one step of a route handler does.
type stepKind int

const (
	stepCall     stepKind = iota // HTTP call to another route of the demo
	stepDB                       // PostgreSQL statement
	stepCache                    // Redis command
	stepInternal                 // in-process work
	stepPublish                  // Kafka publish
	stepGateway                  // HTTPS call to the external card gateway
)

// step is one piece of work a route handler does, in order.
type step struct {
	kind     stepKind
	target   string        // call: route key; db: table; cache: key prefix; internal: operation; publish: topic
	verb     string        // db: SELECT/INSERT/UPDATE; cache: GET/SET/HGET
	nominal  time.Duration // typical duration of one iteration
	perItem  bool          // repeated once per line item (the trace's item count)
	parallel bool          // perItem iterations run concurrently, in batches of fanoutBatch
	prob     float64       // probability the step runs; 0 means always
	timeout  time.Duration // client-side deadline of a call; 0 means none
	incident bool          // the step leading to the card gateway, elastic during the incident
}

// fanoutBatch is how many perItem calls a handler runs concurrently.
const fanoutBatch = 8

func call(routeKey string, ms float64) step {
	return step{kind: stepCall, target: routeKey, nominal: millis(ms)}
}

func db(verb, table string, ms float64) step {
	return step{kind: stepDB, verb: verb, target: table, nominal: millis(ms)}
}

func cache(verb, keyPrefix string, ms float64) step {
	return step{kind: stepCache, verb: verb, target: keyPrefix, nominal: millis(ms)}
}

func internal(operation string, ms float64) step {
	return step{kind: stepInternal, target: operation, nominal: millis(ms)}
}

func publish(topic string, ms float64) step {
	return step{kind: stepPublish, target: topic, nominal: millis(ms)}
}

func gateway(ms float64) step {
	return step{kind: stepGateway, target: "POST /v1/charges", nominal: millis(ms)}
}

func (s step) items() step                 { s.perItem = true; return s }
func (s step) fanout() step                { s.perItem, s.parallel = true, true; return s }
func (s step) maybe(p float64) step        { s.prob = p; return s }
func (s step) within(d time.Duration) step { s.timeout = d; return s }
func (s step) onIncidentPath() step        { s.incident = true; return s }

func millis(ms float64) time.Duration { return time.Duration(ms * float64(time.Millisecond)) }

// nominalFor is the typical time the step takes for a trace with n items.
func (s step) nominalFor(n int) time.Duration {
	switch {
	case s.perItem && s.parallel:
		return s.nominal * time.Duration((n+fanoutBatch-1)/fanoutBatch)
	case s.perItem:
		return s.nominal * time.Duration(n)
	default:
		return s.nominal
	}
}

// iterations is how many spans-worth of work the step repeats for n items.
func (s step) iterations(n int) int {
	if s.perItem {
		return n
	}
	return 1
}

// routeSpec is one HTTP route of one demo service with its traffic, latency
// and error model and the work its handler does.
type routeSpec struct {
	service  string
	method   string
	path     string
	rate     float64       // requests per second at the daily mean
	median   time.Duration // median latency outside the incident
	sigma    float64       // log-normal shape of the latency
	baseErr  float64       // steady-state error ratio
	minItems int           // line items, products, parcels… per request
	maxItems int
	// via is the route key whose handler calls this route: traces of this
	// route are rooted there (e.g. checkout's routes are called by frontend).
	via   string
	steps []step
	// incidentErrShare is the share of gateway-timeout requests that end in
	// an error on this route (0 when the route is not on the incident path).
	incidentErrShare float64
	// blip marks routes hit by the inventory database failover.
	blip bool
	// failure is the error a request fails with outside the incident.
	failure string
}

// key identifies the route: "service METHOD /path".
func (r *routeSpec) key() string { return r.service + " " + r.name() }

// name is the route as the RED step shows it: "METHOD /path".
func (r *routeSpec) name() string { return r.method + " " + r.path }

// onIncidentPath reports whether the route's requests reach the card gateway.
func (r *routeSpec) onIncidentPath() bool { return r.incidentErrShare > 0 }

// incidentStep is the index of the step leading to the card gateway, or -1.
func (r *routeSpec) incidentStep() int {
	for i, s := range r.steps {
		if s.incident {
			return i
		}
	}
	return -1
}

// callStep is the index of the step calling routeKey, or -1.
func (r *routeSpec) callStep(routeKey string) int {
	for i, s := range r.steps {
		if s.kind == stepCall && s.target == routeKey {
			return i
		}
	}
	return -1
}

// The demo's services, in the order the SLO step lists them before ranking.
var serviceNames = []string{"frontend", "checkout", "payments", "inventory", "cart", "shipping"}

// Timeouts of the incident: the payments service gives the card gateway
// gatewayTimeout per attempt; checkout gives payments checkoutDeadline.
const (
	gatewayTimeout   = 2500 * time.Millisecond
	retryBackoff     = 100 * time.Millisecond
	checkoutDeadline = 5 * time.Second
	networkHop       = 400 * time.Microsecond
)

// routeTable is every route of the demo. Indexes into it are encoded in trace
// IDs: append only.
var routeTable = []*routeSpec{
	// frontend: the web tier; every page fans out to fragment caches.
	{service: "frontend", method: "GET", path: "/", rate: 40, median: millis(60), sigma: 0.4, baseErr: 0.0004, minItems: 18, maxItems: 60,
		failure: "render: template home.html: context canceled",
		steps: []step{cache("GET", "session", 0.8), cache("GET", "fragment", 0.6).fanout(), call("cart GET /api/cart/{id}", 8),
			call("inventory GET /api/products", 25), internal("render home", 6)}},
	{service: "frontend", method: "GET", path: "/product/{id}", rate: 60, median: millis(45), sigma: 0.4, baseErr: 0.0003, minItems: 18, maxItems: 40,
		failure: "product page: upstream 500 from inventory",
		steps: []step{cache("GET", "session", 0.8), cache("GET", "reco", 0.5).fanout(), call("inventory GET /api/products/{id}", 10),
			call("inventory GET /api/stock/{sku}", 6), internal("render product", 5)}},
	{service: "frontend", method: "GET", path: "/cart", rate: 20, median: millis(40), sigma: 0.4, baseErr: 0.0004, minItems: 18, maxItems: 50,
		failure: "cart page: upstream 500 from checkout",
		steps: []step{cache("GET", "session", 0.8), cache("GET", "img", 0.4).fanout(), call("checkout GET /api/cart/summary", 18),
			call("payments GET /payment-methods", 8), internal("render cart", 4)}},
	{service: "frontend", method: "POST", path: "/cart", rate: 8, median: millis(35), sigma: 0.4, baseErr: 0.0005, minItems: 18, maxItems: 40,
		failure: "add to cart: upstream 500 from cart",
		steps: []step{cache("GET", "session", 0.8), cache("GET", "fragment", 0.5).fanout(), call("cart POST /api/cart/items", 12).maybe(0.75),
			call("cart DELETE /api/cart/items/{sku}", 9).maybe(0.25), internal("render cart", 4)}},
	{service: "frontend", method: "POST", path: "/checkout", rate: 12, median: millis(220), sigma: 0.45, baseErr: 0.0006, minItems: 8, maxItems: 120,
		incidentErrShare: 0.7, failure: "checkout: upstream 500 from checkout",
		steps: []step{cache("GET", "session", 0.8), internal("validate checkout form", 2),
			call("checkout POST /api/checkout", 180).within(10 * time.Second).onIncidentPath(), internal("render confirmation", 4)}},
	{service: "frontend", method: "GET", path: "/search", rate: 15, median: millis(80), sigma: 0.5, baseErr: 0.0006, minItems: 18, maxItems: 48,
		failure: "search: upstream 500 from inventory",
		steps:   []step{cache("GET", "session", 0.8), cache("GET", "tile", 0.5).fanout(), call("inventory GET /api/products", 40), internal("render results", 5)}},
	{service: "frontend", method: "GET", path: "/orders/{id}", rate: 10, median: millis(50), sigma: 0.45, baseErr: 0.0004, minItems: 14, maxItems: 60,
		failure: "order page: upstream 500 from checkout",
		steps:   []step{cache("GET", "session", 0.8), call("checkout GET /api/checkout/{id}", 30), internal("render order", 4)}},

	// checkout: the order service, where the incident shows first.
	{service: "checkout", method: "POST", path: "/api/checkout", rate: 12, median: millis(180), sigma: 0.45, baseErr: 0.0006, minItems: 8, maxItems: 120,
		via: "frontend POST /checkout", incidentErrShare: 0.7, failure: "insert order: pq: deadlock detected",
		steps: []step{cache("GET", "session", 1), call("cart GET /api/cart/{id}", 10), cache("HGET", "price", 0.4).items(),
			call("inventory POST /api/reserve", 15).fanout(),
			call("payments POST /charge", 120).within(checkoutDeadline).onIncidentPath(),
			db("INSERT", "orders", 6), db("INSERT", "order_items", 0.8).items(), publish("orders.created", 3)}},
	{service: "checkout", method: "GET", path: "/api/checkout/{id}", rate: 10, median: millis(35), sigma: 0.5, baseErr: 0.0005, minItems: 14, maxItems: 60,
		via: "frontend GET /orders/{id}", failure: "load order: pq: canceling statement due to statement timeout",
		steps: []step{cache("HGET", "price", 0.3).items(), db("SELECT", "orders", 4), db("SELECT", "order_items", 3), internal("render receipt", 2)}},
	{service: "checkout", method: "GET", path: "/api/cart/summary", rate: 20, median: millis(18), sigma: 0.4, baseErr: 0.0003, minItems: 18, maxItems: 50,
		via: "frontend GET /cart", failure: "cart summary: upstream 500 from cart",
		steps: []step{call("cart GET /api/cart/{id}", 8), cache("HGET", "price", 0.3).items(), internal("compute totals", 1)}},
	{service: "checkout", method: "POST", path: "/api/coupons", rate: 3, median: millis(30), sigma: 0.4, baseErr: 0.0008, minItems: 18, maxItems: 40,
		failure: "apply coupon: redis: connection pool timeout",
		steps:   []step{db("SELECT", "coupons", 5), cache("HGET", "price", 0.4).items(), internal("apply coupon rules", 3), cache("SET", "coupon", 0.6)}},
	{service: "checkout", method: "GET", path: "/api/checkout/{id}/status", rate: 5, median: millis(12), sigma: 0.35, baseErr: 0.0003, minItems: 18, maxItems: 40,
		failure: "order status: pq: connection reset by peer",
		steps:   []step{cache("GET", "order-status", 0.5), db("SELECT", "orders", 3).maybe(0.3), cache("GET", "fulfilment", 0.3).items()}},
	{service: "checkout", method: "POST", path: "/api/checkout/{id}/cancel", rate: 0.5, median: millis(90), sigma: 0.45, baseErr: 0.002, minItems: 8, maxItems: 40,
		failure: "cancel order: pq: could not serialize access due to concurrent update",
		steps:   []step{db("UPDATE", "orders", 5), call("inventory POST /api/release", 10).fanout(), call("payments POST /refund", 60), publish("orders.cancelled", 3)}},

	// payments: charges cards through the external card gateway.
	{service: "payments", method: "POST", path: "/charge", rate: 12, median: millis(120), sigma: 0.4, baseErr: 0.0005, minItems: 8, maxItems: 120,
		via: "checkout POST /api/checkout", incidentErrShare: 0.3, failure: "charge: card declined by issuer (do_not_honor)",
		steps: []step{db("SELECT", "payment_methods", 3), internal("fraud score", 8), gateway(90).onIncidentPath(),
			db("INSERT", "payments", 4), publish("payments.captured", 2)}},
	{service: "payments", method: "POST", path: "/refund", rate: 0.5, median: millis(60), sigma: 0.4, baseErr: 0.002, minItems: 8, maxItems: 40,
		via: "checkout POST /api/checkout/{id}/cancel", failure: "refund: gateway returned 422 charge_already_refunded",
		steps: []step{db("SELECT", "payments", 3), call("card-gateway POST /v1/refunds", 45), db("INSERT", "refunds", 4)}},
	{service: "payments", method: "GET", path: "/payment-methods", rate: 20, median: millis(9), sigma: 0.35, baseErr: 0.0002, minItems: 18, maxItems: 50,
		via: "frontend GET /cart", failure: "payment methods: pq: too many connections",
		steps: []step{cache("GET", "payment-methods", 0.6), db("SELECT", "payment_methods", 3).maybe(0.2)}},
	{service: "payments", method: "POST", path: "/payment-methods", rate: 1, median: millis(150), sigma: 0.4, baseErr: 0.001, minItems: 18, maxItems: 30,
		failure: "tokenise card: gateway returned 402 card_declined",
		steps: []step{internal("validate card", 2), call("card-gateway POST /v1/tokens", 110), db("INSERT", "payment_methods", 4),
			cache("DEL", "payment-methods", 0.4).items()}},
	{service: "payments", method: "POST", path: "/webhooks/card-gateway", rate: 2, median: millis(40), sigma: 0.45, baseErr: 0.0005, minItems: 18, maxItems: 80,
		failure: "webhook: signature mismatch",
		steps:   []step{internal("verify signature", 1), db("UPDATE", "payments", 1).items(), publish("payments.settled", 2)}},

	// inventory: products and stock; its database failed over three hours ago.
	{service: "inventory", method: "GET", path: "/api/products/{id}", rate: 80, median: millis(10), sigma: 0.4, baseErr: 0.0001, minItems: 18, maxItems: 40,
		via: "frontend GET /product/{id}", failure: "load product: pq: connection refused",
		steps: []step{cache("GET", "product", 0.5), db("SELECT", "products", 3).maybe(0.2)}},
	{service: "inventory", method: "GET", path: "/api/products", rate: 30, median: millis(35), sigma: 0.5, baseErr: 0.00015, minItems: 18, maxItems: 48,
		via: "frontend GET /search", failure: "list products: pq: canceling statement due to statement timeout",
		steps: []step{db("SELECT", "products", 8), cache("GET", "product", 0.4).items()}},
	{service: "inventory", method: "POST", path: "/api/reserve", rate: 45, median: millis(15), sigma: 0.4, baseErr: 0.00015, minItems: 8, maxItems: 120,
		via: "checkout POST /api/checkout", blip: true, failure: "reserve stock: pq: the database system is in recovery mode",
		steps: []step{db("UPDATE", "stock", 4), db("INSERT", "reservations", 3)}},
	{service: "inventory", method: "POST", path: "/api/release", rate: 2, median: millis(10), sigma: 0.4, baseErr: 0.0005, minItems: 8, maxItems: 40,
		via: "checkout POST /api/checkout/{id}/cancel", failure: "release stock: pq: deadlock detected",
		steps: []step{db("DELETE", "reservations", 3), db("UPDATE", "stock", 3)}},
	{service: "inventory", method: "GET", path: "/api/stock/{sku}", rate: 25, median: millis(6), sigma: 0.35, baseErr: 0.0001, minItems: 18, maxItems: 40,
		via: "frontend GET /product/{id}", blip: true, failure: "read stock: pq: the database system is in recovery mode",
		steps: []step{cache("GET", "stock", 0.4), db("SELECT", "stock", 2).maybe(0.3)}},

	// cart: carts in Redis with a PostgreSQL fallback.
	{service: "cart", method: "GET", path: "/api/cart/{id}", rate: 50, median: millis(8), sigma: 0.35, baseErr: 0.0002, minItems: 18, maxItems: 50,
		via: "checkout GET /api/cart/summary", failure: "load cart: redis: i/o timeout",
		steps: []step{cache("HGETALL", "cart", 0.8), db("SELECT", "cart_items", 3).maybe(0.15)}},
	{service: "cart", method: "POST", path: "/api/cart/items", rate: 6, median: millis(12), sigma: 0.4, baseErr: 0.0004, minItems: 18, maxItems: 40,
		via: "frontend POST /cart", failure: "add item: redis: READONLY You can't write against a read only replica",
		steps: []step{call("inventory GET /api/stock/{sku}", 5), cache("HSET", "cart", 0.6), db("INSERT", "cart_items", 3)}},
	{service: "cart", method: "DELETE", path: "/api/cart/items/{sku}", rate: 2, median: millis(9), sigma: 0.4, baseErr: 0.0003, minItems: 18, maxItems: 40,
		via: "frontend POST /cart", failure: "remove item: redis: i/o timeout",
		steps: []step{cache("HDEL", "cart", 0.5), db("DELETE", "cart_items", 3)}},
	{service: "cart", method: "POST", path: "/api/cart/merge", rate: 1.5, median: millis(25), sigma: 0.45, baseErr: 0.0005, minItems: 18, maxItems: 60,
		failure: "merge carts: redis: EXECABORT Transaction discarded",
		steps:   []step{cache("HGETALL", "cart", 0.8), cache("HSET", "cart", 0.3).items(), db("UPDATE", "cart_items", 4)}},

	// shipping: low traffic, to exercise the low-traffic caveat.
	{service: "shipping", method: "POST", path: "/api/quote", rate: 0.05, median: millis(320), sigma: 0.5, baseErr: 0.0006, minItems: 18, maxItems: 40,
		failure: "quote: carrier API returned 503",
		steps:   []step{internal("load rate tables", 4), call("carrier-api POST /v2/rates", 180).fanout(), db("INSERT", "quotes", 3)}},
	{service: "shipping", method: "GET", path: "/api/shipments/{id}", rate: 0.03, median: millis(40), sigma: 0.4, baseErr: 0.0004, minItems: 18, maxItems: 80,
		failure: "shipment: pq: connection refused",
		steps:   []step{db("SELECT", "shipments", 3), db("SELECT", "tracking_events", 0.8).items()}},
	{service: "shipping", method: "POST", path: "/api/labels", rate: 0.02, median: millis(450), sigma: 0.5, baseErr: 0.0008, minItems: 18, maxItems: 30,
		failure: "labels: carrier API returned 400 invalid postcode",
		steps:   []step{db("SELECT", "shipments", 3), call("carrier-api POST /v2/labels", 60).items(), db("UPDATE", "shipments", 3)}},
}

// routesByKey indexes routeTable by route key; externalIndex names the
// external APIs the demo calls but does not own.
var routesByKey = indexRoutes()

func indexRoutes() map[string]int {
	m := make(map[string]int, len(routeTable))
	for i, r := range routeTable {
		m[r.key()] = i
	}
	return m
}

// external reports whether a call target is an API outside the demo (card
// gateway, carrier API): its calls have no server span.
func external(routeKey string) bool {
	_, ok := routesByKey[routeKey]
	return !ok
}

// splitKey splits "service METHOD /path" into its parts.
func splitKey(key string) (service, method, path string) {
	parts := strings.SplitN(key, " ", 3)
	if len(parts) != 3 {
		panic(fmt.Sprintf("demo: malformed route key %q", key))
	}
	return parts[0], parts[1], parts[2]
}

// routeIndexes returns the indexes of service's routes in routeTable.
func routeIndexes(service string) []int {
	var out []int
	for i, r := range routeTable {
		if r.service == service {
			out = append(out, i)
		}
	}
	return out
}

// findRoute resolves a route as the UI names it ("POST /api/checkout", or
// just the path "/api/checkout") within service.
func findRoute(service, route string) (int, bool) {
	route = strings.TrimSpace(route)
	for i, r := range routeTable {
		if r.service == service && (r.name() == route || r.path == route) {
			return i, true
		}
	}
	return 0, false
}

package demo

import (
	"math"
	"time"
)

// serverOverhead is the self time of a server span on the elastic path:
// half before its first step, half after its last.
const serverOverhead = time.Millisecond

// plan is a trace's shape decided from its key alone, before any span
// exists: the chain of server spans from the root to the span whose
// duration is pinned (the matched route, or the payments span holding the
// gateway timeout), and the duration of each.
type plan struct {
	key     traceKey
	hash    uint64
	items   int
	path    []int           // route indexes, root first
	matched int             // position of the matched route in path
	natural []time.Duration // duration each path span would take uncut
	actual  []time.Duration // duration each path span takes (deadlines cut)
	slots   []time.Duration // duration of the call from path[i] to path[i+1]
	failed  []bool          // whether each path span fails
}

// newPlan lays out the path of k and its durations.
func newPlan(k traceKey) *plan {
	p := &plan{key: k, hash: k.hash(), items: k.itemCount()}
	p.path = viaChain(k.route)
	p.matched = len(p.path) - 1
	if k.timedOut() {
		p.path = extendToGateway(p.path)
	}
	n := len(p.path)
	p.natural = make([]time.Duration, n)
	p.failed = make([]bool, n)
	p.slots = make([]time.Duration, n)
	p.natural[n-1], p.failed[n-1] = p.terminal()
	for i := n - 2; i >= 0; i-- {
		p.natural[i], p.slots[i], p.failed[i] = p.ancestor(i)
	}
	p.actual = make([]time.Duration, n)
	p.actual[0] = p.natural[0]
	for i := 1; i < n; i++ {
		p.actual[i] = p.slots[i-1] - 2*networkHop
	}
	return p
}

// viaChain returns the routes whose handlers lead to route, root first.
func viaChain(route int) []int {
	chain := []int{route}
	for via := routeTable[route].via; via != ""; via = routeTable[chain[0]].via {
		chain = append([]int{routesByKey[via]}, chain...)
	}
	return chain
}

// extendToGateway follows the incident steps from the end of path down to
// the route that calls the card gateway.
func extendToGateway(path []int) []int {
	for {
		r := routeTable[path[len(path)-1]]
		i := r.incidentStep()
		if i < 0 || r.steps[i].kind != stepCall {
			return path
		}
		path = append(path, routesByKey[r.steps[i].target])
	}
}

// holdsGateway reports whether route is the one whose span holds the card
// gateway call (payments POST /charge): the end of every timeout's path.
func holdsGateway(route int) bool {
	path := extendToGateway(viaChain(route))
	return path[len(path)-1] == route
}

// terminal is the duration and failure of the last path span.
func (p *plan) terminal() (time.Duration, bool) {
	k := p.key
	switch k.shape {
	case shapeStress:
		return time.Duration(k.quantile) * time.Millisecond, false
	case shapeTimeout, shapeUnreported:
		return p.gatewayHolder()
	}
	r := routeTable[k.route]
	d := float64(r.median) * math.Exp(r.sigma*normalQuantile(k.quantileFraction()))
	return time.Duration(d).Round(time.Microsecond), k.failed
}

// gatewayHolder is the duration of payments' span around the card gateway
// under the key's outcome. A hanging retry takes "forever": checkout's
// deadline cuts it.
func (p *plan) gatewayHolder() (time.Duration, bool) {
	pos := len(p.path) - 1
	r := routeTable[p.path[pos]]
	elastic := r.incidentStep()
	outcome, retry := p.key.outcome()
	var gw time.Duration
	switch outcome {
	case outcomeBreaker:
		gw = gatewayTimeout
	case outcomeDeadline:
		gw = time.Hour
	case outcomeLateSuccess:
		gw = gatewayTimeout + retryBackoff + retry
	}
	failed := outcome != outcomeLateSuccess
	return serverOverhead + p.othersNominal(pos, elastic, failed) + gw, failed
}

// ancestor is the duration, the slot of its call down the path, and the
// failure of path span i, given the span below it.
func (p *plan) ancestor(i int) (time.Duration, time.Duration, bool) {
	r := routeTable[p.path[i]]
	elastic := r.callStep(routeTable[p.path[i+1]].key())
	slot := p.natural[i+1] + 2*networkHop
	failed := p.failed[i+1]
	if limit := r.steps[elastic].timeout; limit > 0 && slot > limit {
		slot, failed = limit, true
	}
	return serverOverhead + p.othersNominal(i, elastic, failed) + slot, slot, failed
}

// othersNominal sums the nominal durations of the steps of path span pos
// other than the elastic one, skipping those after it when it fails.
func (p *plan) othersNominal(pos, elastic int, failed bool) time.Duration {
	route := p.path[pos]
	var sum time.Duration
	for j, s := range routeTable[route].steps {
		if j == elastic || !p.runs(route, j, pathInstance) {
			continue
		}
		if failed && j > elastic {
			break
		}
		sum += s.nominalFor(p.items)
	}
	return sum
}

// pathInstance identifies spans on the path when deciding optional steps;
// other server spans use their span index.
const pathInstance = -1

// runs decides whether optional step j of route runs in one server span.
func (p *plan) runs(route, j, instance int) bool {
	s := routeTable[route].steps[j]
	if s.prob == 0 {
		return true
	}
	return unit(hashOf(p.hash, uint64(route), uint64(j), uint64(instance), 0x0b7)) < s.prob
}

// matchedDuration is the duration of the matched route's server span.
func (p *plan) matchedDuration() time.Duration { return p.actual[p.matched] }

// matchedFailed reports whether the matched route's server span fails.
func (p *plan) matchedFailed() bool { return p.failed[p.matched] }

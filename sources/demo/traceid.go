package demo

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"time"
)

// shape is the kind of trace a trace ID stands for.
type shape uint8

const (
	shapeNormal  shape = iota // the route's everyday latency and errors
	shapeTimeout              // the request hit the card-gateway timeout
	shapeStress               // 100,000 spans, for stress testing the UI
	// shapeUnreported is a timeout whose retry still hangs in payments:
	// checkout gave up at its deadline, payments has not reported its
	// spans yet, so the trace is partial.
	shapeUnreported
)

// timedOut reports whether the key's request hit the card-gateway timeout.
func (k traceKey) timedOut() bool { return k.shape == shapeTimeout || k.shape == shapeUnreported }

// stressSpanCount is the exact size of a stress trace.
const stressSpanCount = 100_000

// traceKey is everything a trace ID encodes: Trace rebuilds the whole trace
// from it, without any state.
//
// Layout of the 128 bits before scrambling: route 8, shape 2, failed 1,
// quantile 16, start in Unix milliseconds 44, nonce 25, checksum 32.
type traceKey struct {
	route    int
	shape    shape
	failed   bool      // normal shape: the matched request failed
	quantile uint16    // normal: latency quantile; timeout: outcome; stress: duration in ms
	start    time.Time // millisecond precision
	nonce    uint32    // 25 bits: varies the trace's shape
}

const (
	nonceBits   = 25
	startBits   = 44
	idChecksum  = 0x5eed_cafe_f00d_d00d
	feistelKeys = 4
)

// canonical returns k as decodeTraceID would return it from k's ID: nonce
// cut to its bits, start in UTC at millisecond precision. Keys must be
// canonical before anything is derived from them.
func (k traceKey) canonical() traceKey {
	k.nonce &= 1<<nonceBits - 1
	k.start = time.UnixMilli(k.start.UnixMilli()).UTC()
	return k
}

// encode returns the trace ID of k: 32 lower-case hex characters.
func (k traceKey) encode() string {
	failed := uint64(0)
	if k.failed {
		failed = 1
	}
	ms := uint64(k.start.UnixMilli()) & (1<<startBits - 1)
	a := uint64(k.route)<<56 | uint64(k.shape)<<54 | failed<<53 | uint64(k.quantile)<<37 | ms>>7
	b := (ms&0x7f)<<nonceBits | uint64(k.nonce&(1<<nonceBits-1))
	lo := b<<32 | hashOf(a, b, idChecksum)&0xffffffff
	hi, lo := scramble(a, lo)
	var raw [16]byte
	binary.BigEndian.PutUint64(raw[:8], hi)
	binary.BigEndian.PutUint64(raw[8:], lo)
	return hex.EncodeToString(raw[:])
}

// decodeTraceID parses a normalised 32-character trace ID minted by encode.
func decodeTraceID(id string) (traceKey, bool) {
	raw, err := hex.DecodeString(id)
	if err != nil || len(raw) != 16 {
		return traceKey{}, false
	}
	a, lo := unscramble(binary.BigEndian.Uint64(raw[:8]), binary.BigEndian.Uint64(raw[8:]))
	b := lo >> 32
	if lo&0xffffffff != hashOf(a, b, idChecksum)&0xffffffff {
		return traceKey{}, false
	}
	k := traceKey{
		route:    int(a >> 56),
		shape:    shape(a >> 54 & 3),
		failed:   a>>53&1 == 1,
		quantile: uint16(a >> 37),
		start:    time.UnixMilli(int64((a&(1<<37-1))<<7 | b>>nonceBits)).UTC(),
		nonce:    uint32(b & (1<<nonceBits - 1)),
	}
	return k, k.valid()
}

// valid rejects keys encode never produces for a consistent route table.
func (k traceKey) valid() bool {
	if k.route >= len(routeTable) || k.shape > shapeUnreported {
		return false
	}
	switch k.shape {
	case shapeTimeout:
		return routeTable[k.route].onIncidentPath()
	case shapeUnreported:
		return routeTable[k.route].onIncidentPath() && !holdsGateway(k.route)
	case shapeStress:
		return routeTable[k.route].key() == stressRoute
	}
	return true
}

// stressRoute is the route whose search lists the stress trace.
const stressRoute = "checkout GET /api/checkout/{id}"

// scramble makes IDs look random: a four-round Feistel network over the two
// halves, reversible by unscramble.
func scramble(l, r uint64) (uint64, uint64) {
	for i := range feistelKeys {
		l, r = r, l^hashOf(r, uint64(i), idChecksum)
	}
	return l, r
}

func unscramble(l, r uint64) (uint64, uint64) {
	for i := feistelKeys - 1; i >= 0; i-- {
		l, r = r^hashOf(l, uint64(i), idChecksum), l
	}
	return l, r
}

// quantileFraction maps the 16-bit quantile to (0, 1).
func (k traceKey) quantileFraction() float64 {
	return (float64(k.quantile) + 0.5) / 65536
}

// hash is a word identifying the trace, seeding everything random in it.
func (k traceKey) hash() uint64 {
	return hashOf(uint64(k.route), uint64(k.shape), uint64(k.quantile), uint64(k.start.UnixMilli()), uint64(k.nonce))
}

// itemCount is the trace's number of line items (products, parcels…),
// log-uniform over the matched route's range.
func (k traceKey) itemCount() int {
	r := routeTable[k.route]
	lo, hi := math.Log(float64(r.minItems)), math.Log(float64(r.maxItems)+0.999)
	return int(math.Exp(lo + (hi-lo)*unit(hashOf(k.hash(), 0x17e5))))
}

// gatewayOutcome is how a gateway-timeout request ends.
type gatewayOutcome int

const (
	outcomeBreaker     gatewayOutcome = iota // one attempt times out, the breaker opens: 503
	outcomeDeadline                          // the retry hangs until checkout's deadline: 504
	outcomeLateSuccess                       // the retry succeeds after the first timed out
)

// outcome reads the gateway outcome of a timeout-shaped key.
func (k traceKey) outcome() (gatewayOutcome, time.Duration) {
	q := k.quantileFraction()
	switch {
	case q < shareBreaker:
		return outcomeBreaker, 0
	case q < shareBreaker+shareDeadline:
		return outcomeDeadline, 0
	}
	frac := (q - shareBreaker - shareDeadline) / (1 - shareBreaker - shareDeadline)
	retry := lateSuccessFastest - gatewayTimeout - retryBackoff
	span := lateSuccessSlowest - lateSuccessFastest
	return outcomeLateSuccess, retry + time.Duration(frac*float64(span))
}

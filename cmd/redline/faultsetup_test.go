package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
)

// fault is one way a backend fails. Exactly one of handler, refuse and
// untrustedTLS is set.
type fault struct {
	name         string
	handler      http.HandlerFunc // answers every request while the fault is on
	refuse       bool             // nothing listens on the backend's address
	untrustedTLS bool             // the backend presents a certificate the client does not trust
	// want are the words the failing pane must show, besides the backend's
	// name; any one of a "|"-separated list will do.
	want []string
}

// Limits the fault matrix runs with: a timeout short enough to keep the
// matrix fast yet long enough for a TLS handshake and a capped read on a
// loaded CI machine, a cap small enough that the oversized answer proves it.
const (
	clientTimeout = time.Second
	bodyCap       = 1 << 20  // MaxBody given to every source
	hugeBody      = 50 << 20 // what the oversized answer would send
)

// faults is the fault matrix's fault axis.
var faults = []fault{
	{name: "connection refused", refuse: true, want: []string{"connection refused"}},
	{name: "timeout", handler: hangUntilGone, want: []string{"timed out"}},
	{name: "drip", handler: dripSlowly, want: []string{"timed out"}},
	{name: "500", handler: answerWith(500, "text/plain", "internal error: index corrupt"), want: []string{"500"}},
	{name: "503 JSON", handler: answerWith(503, "application/json", `{"status":"error","errorType":"unavailable","error":"ingester not ready"}`),
		want: []string{"503", "ingester not ready"}},
	{name: "429 Retry-After", handler: withHeader("Retry-After", "7", answerWith(429, "text/plain", "too many outstanding requests")),
		want: []string{"429", "retry after 7s"}},
	{name: "malformed JSON", handler: answerWith(200, "application/json", `{"status":"success","data":{"resultType":[`), want: []string{"malformed"}},
	{name: "truncated body", handler: truncatedAnswer, want: []string{"unexpected EOF|truncated"}},
	{name: "50 MB body", handler: hugeAnswer, want: []string{"too large|larger than 1 MiB"}},
	{name: "declared 200 MB", handler: declaredHuge, want: []string{"too large", "larger than 1 MiB"}},
	{name: "500 with 50 MB body", handler: hugeError, want: []string{"500", "overloaded"}},
	{name: "401", handler: answerWith(401, "text/plain", "no org id"), want: []string{"401"}},
	{name: "403", handler: answerWith(403, "text/plain", "access denied"), want: []string{"403"}},
	{name: "TLS unknown CA", untrustedTLS: true, want: []string{"unknown authority"}},
	{name: "401 echoing credentials", handler: echoCredentials(401, "text/plain", plainEcho), want: []string{"401"}},
	{name: "500 JSON echoing credentials", handler: echoCredentials(500, "application/json", jsonErrorEcho), want: []string{"500"}},
	{name: "malformed 200 echoing credentials", handler: echoCredentials(200, "application/json", malformedEcho), want: []string{"malformed|invalid|unexpected"}},
	// Refused before any request leaves: nothing listens on the target.
	{name: "redirect to another host", handler: redirectTo("http://localhost:9"),
		want: []string{"redirect to http://localhost:9 not followed: another host than", ".url"}},
	{name: "redirect loop", handler: redirectTo(""), want: []string{"stopped after 10 redirects"}},
}

// The credentials every fault-matrix client sends (see withCredentials),
// which a backend echoing them must not get onto the screen.
const (
	faultUser     = "oncall"
	faultPassword = "pw-fault-3f9a1c77"
	faultAPIKey   = "key-fault-9c4f2a60"
)

// faultSecrets are the fault matrix's credentials as the root model is given them.
func faultSecrets() *sanitize.Secrets {
	s := sanitize.NewSecrets()
	s.AddBasic(faultUser, faultPassword)
	s.Add(faultAPIKey)
	return s
}

// faultLeakForms are the forms of the credentials that must never show.
func faultLeakForms() []string {
	return append(sanitizetest.SecretForms(faultUser, faultPassword), sanitizetest.SecretForms("", faultAPIKey)...)
}

// withCredentials sends basic auth and an API key header on every request.
type withCredentials struct{ next http.RoundTripper }

func (t withCredentials) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.SetBasicAuth(faultUser, faultPassword)
	r.Header.Set("X-Api-Key", faultAPIKey)
	return t.next.RoundTrip(r)
}

// CloseIdleConnections passes on to the transport: the matrix closes kept-alive
// connections so that a fault is seen at once.
func (t withCredentials) CloseIdleConnections() {
	if c, ok := t.next.(interface{ CloseIdleConnections() }); ok {
		c.CloseIdleConnections()
	}
}

// hostileTail is what an echoing backend adds to tell the terminal to
// clear the screen, write the clipboard, open a link and reverse the text.
const hostileTail = "\x1b[2J\x1b[H\x1b]52;c;ZXZpbA==\x07\x1b]8;;http://evil.example/\x07link\u009b31m\u202eevil\x00\x07"

// echoText repeats the request's credentials, in the forms a misbehaving
// gateway does: the password as sent, the headers, the URL-escaped password.
func echoText(r *http.Request) string {
	user, pw, _ := r.BasicAuth()
	return fmt.Sprintf("invalid credentials: %s %q %s Request headers: Authorization: %s; X-Api-Key: %s; password=%s",
		user, pw, hostileTail, r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"), url.QueryEscape(pw))
}

func plainEcho(text string) string { return text }

func jsonErrorEcho(text string) string {
	b, _ := json.Marshal(map[string]string{"status": "error", "errorType": "bad_data", "error": text, "message": text})
	return string(b)
}

// malformedEcho is a 200 whose JSON breaks after the echoed text.
func malformedEcho(text string) string {
	b, _ := json.Marshal(text)
	return `{"status":"success","data":{"resultType":"vector","result":[{"metric":{"a":` + string(b) + `},"value":[`
}

// echoCredentials answers every request with code and its credentials
// echoed, in the body format of wrap.
func echoCredentials(code int, contentType string, wrap func(string) string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		fmt.Fprint(w, wrap(echoText(r)))
	}
}

// redirectTo redirects every request to the same path and query on origin
// ("": the backend's own, a redirect loop).
func redirectTo(origin string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, origin+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}
}

// hangUntilGone answers only after the client has given up. It reads the
// request body first: the server notices a client hanging up only then.
func hangUntilGone(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(20 * clientTimeout):
	}
}

// dripSlowly answers 200 and then a byte at a time, never finishing.
func dripSlowly(w http.ResponseWriter, r *http.Request) {
	io.Copy(io.Discard, r.Body)
	dripUntilGone(w, r.Context(), clientTimeout/20)
}

func answerWith(code int, contentType, body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", contentType)
		w.WriteHeader(code)
		fmt.Fprint(w, body)
	}
}

func withHeader(name, value string, next http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set(name, value)
		next(w, r)
	}
}

// truncatedAnswer promises more bytes than it sends, then hangs up.
func truncatedAnswer(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "4096")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, `{"status":"success","data":{"result":[{"stream":{"a":"b"},"values":[["1","`)
}

// hugeAnswer streams a 50 MB JSON answer without ever holding it, stopping when
// the client hangs up.
var hugeAnswer = oversized(hugeBody)

// oversized streams a JSON answer of about size bytes, generated as it is
// sent (never held), without a Content-Length, stopping when the client
// hangs up.
func oversized(size int) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		chunk := []byte(strings.Repeat("x", 64<<10))
		if _, err := fmt.Fprint(w, `{"status":"success","data":"`); err != nil {
			return
		}
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
		fmt.Fprint(w, `"}`)
	}
}

// declaredHuge declares a 200 MB answer, sends its first bytes and then
// nothing until the client hangs up: only a client refusing it on its
// Content-Length, unread, fails before its deadline.
func declaredHuge(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", "200000000")
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, `{"status":"success","data":`)
	w.(http.Flusher).Flush()
	<-r.Context().Done()
}

// hugeError answers 500 with an endless body: only its start is to be read.
func hugeError(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain")
	w.WriteHeader(http.StatusInternalServerError)
	chunk := []byte(strings.Repeat("overloaded ", 6000))
	for sent := 0; sent < hugeBody; sent += len(chunk) {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

// backendServer is one backend under test: a healthy handler that a fault
// can replace, on an address that can stop listening (connection refused),
// optionally over TLS with a certificate the client may stop trusting.
type backendServer struct {
	healthy http.Handler
	current atomic.Pointer[fault] // nil: healthy
	srv     *http.Server
	addr    string
	useTLS  bool
	trusted tls.Certificate
	rogue   tls.Certificate // signed by nobody the client knows
	client  *http.Client

	mu sync.Mutex
	ln net.Listener // nil while refusing
}

// newBackendServer serves healthy on 127.0.0.1 (over TLS when useTLS) and
// returns it with a client that trusts its normal certificate, sends the
// fault matrix's credentials and gives up after clientTimeout.
func newBackendServer(t *testing.T, healthy http.Handler, useTLS bool) *backendServer {
	t.Helper()
	s := &backendServer{healthy: healthy, useTLS: useTLS, trusted: selfSigned(t), rogue: selfSigned(t)}
	s.srv = &http.Server{Handler: http.HandlerFunc(s.serve), ErrorLog: discardServerLog()}
	roots := x509.NewCertPool()
	roots.AddCert(s.trusted.Leaf)
	// Over TLS every request handshakes anew, so the certificate swap is seen
	// at once: a kept-alive connection, even one returned to the pool after
	// the swap, would keep the trusted one.
	transport := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}, DisableKeepAlives: useTLS}
	s.client = &http.Client{Timeout: clientTimeout, Transport: withCredentials{transport}}
	if useTLS {
		s.srv.TLSConfig = &tls.Config{GetCertificate: s.certificate}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	s.listen(ln)
	t.Cleanup(func() {
		s.srv.Close()
		s.client.CloseIdleConnections()
	})
	return s
}

// URL is the backend's base URL.
func (s *backendServer) URL() string {
	if s.useTLS {
		return "https://" + s.addr
	}
	return "http://" + s.addr
}

func (s *backendServer) listen(ln net.Listener) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ln = ln
	if s.useTLS {
		ln = tls.NewListener(ln, s.srv.TLSConfig)
	}
	go s.srv.Serve(ln)
}

// set turns f on; nil makes the backend healthy again (listening again
// after a refused connection).
func (s *backendServer) set(t *testing.T, f *fault) {
	t.Helper()
	s.current.Store(f)
	s.client.CloseIdleConnections() // a kept-alive connection would hide the fault
	s.mu.Lock()
	ln := s.ln
	s.mu.Unlock()
	switch {
	case f != nil && f.refuse && ln != nil:
		ln.Close()
		s.mu.Lock()
		s.ln = nil
		s.mu.Unlock()
	case (f == nil || !f.refuse) && ln == nil:
		ln, err := net.Listen("tcp", s.addr)
		if err != nil {
			t.Fatalf("listening again on %s: %v", s.addr, err)
		}
		s.listen(ln)
	}
}

func (s *backendServer) serve(w http.ResponseWriter, r *http.Request) {
	if f := s.current.Load(); f != nil && f.handler != nil {
		f.handler(w, r)
		return
	}
	s.healthy.ServeHTTP(w, r)
}

func (s *backendServer) certificate(*tls.ClientHelloInfo) (*tls.Certificate, error) {
	if f := s.current.Load(); f != nil && f.untrustedTLS {
		return &s.rogue, nil
	}
	return &s.trusted, nil
}

// selfSigned is a certificate for 127.0.0.1 that is its own authority.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, _ := rand.Int(rand.Reader, big.NewInt(1<<62))
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "redline test backend"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// Healthy backends: the least each API must answer for its pane to fill.
// They echo what was asked (service, route, trace ID) so the sources'
// own filtering keeps the answer.

// Fixed IDs of the healthy trace backends' one trace.
const (
	healthyTraceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	healthySpanID  = "00f067aa0ba902b7"
	healthyRoute   = "/api/cart"
	healthyLogLine = "payment declined by issuer"
)

func serveJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// healthyPrometheus knows one service, "shop", with one OTel-semconv route.
func healthyPrometheus() http.Handler {
	labels := map[string]string{
		"__name__": "http_server_request_duration_seconds_count", "job": "shop",
		"http_route": healthyRoute, "http_request_method": "GET", "http_response_status_code": "200",
	}
	success := func(w http.ResponseWriter, data any) { serveJSON(w, map[string]any{"status": "success", "data": data}) }
	mux := http.NewServeMux()
	// No Sloth or Pyrra rules: their discovery (label values) finds nothing.
	mux.HandleFunc("/api/v1/label/{name}/values", func(w http.ResponseWriter, _ *http.Request) { success(w, []string{}) })
	// Convention detection's one query: which candidate metrics exist, with
	// their service label values and markers of the labels they carry.
	inventory := func(at float64) []any {
		var out []any
		for _, name := range []string{"http_server_request_duration_seconds_bucket", "http_server_request_duration_seconds_count"} {
			out = append(out, map[string]any{"metric": map[string]string{
				"__name__": name, "job": "shop", "redline_has_http_route": "1",
				"redline_has_http_request_method": "1", "redline_has_http_response_status_code": "1",
			}, "value": []any{at, "1"}})
		}
		return out
	}
	// Queries of HTTP metrics get one series; others (Sloth's and Pyrra's
	// rules) none, as on a Prometheus without SLO rules.
	series := func(r *http.Request, sample any) []any {
		r.ParseForm()
		if !strings.Contains(r.Form.Get("query"), "http_") {
			return []any{}
		}
		return []any{sample}
	}
	mux.HandleFunc("/api/v1/query", func(w http.ResponseWriter, r *http.Request) {
		at := promTimeParam(r, "time")
		if strings.Contains(r.Form.Get("query"), "redline_has_http_route") {
			success(w, map[string]any{"resultType": "vector", "result": inventory(at)})
			return
		}
		success(w, map[string]any{"resultType": "vector", "result": series(r,
			map[string]any{"metric": labels, "value": []any{at, "0.25"}})})
	})
	mux.HandleFunc("/api/v1/query_range", func(w http.ResponseWriter, r *http.Request) {
		start, end := promTimeParam(r, "start"), promTimeParam(r, "end")
		success(w, map[string]any{"resultType": "matrix", "result": series(r,
			map[string]any{"metric": labels, "values": []any{[]any{start, "0.25"}, []any{end, "0.25"}}})})
	})
	mux.HandleFunc("/api/v1/query_exemplars", func(w http.ResponseWriter, _ *http.Request) { success(w, []any{}) })
	mux.HandleFunc("/api/v1/rules", func(w http.ResponseWriter, _ *http.Request) { success(w, map[string]any{"groups": []any{}}) })
	mux.HandleFunc("/api/v1/status/buildinfo", func(w http.ResponseWriter, _ *http.Request) {
		success(w, map[string]any{"version": "3.0.0"})
	})
	return mux
}

// promTimeParam is a Prometheus time parameter as float seconds; now when absent.
func promTimeParam(r *http.Request, name string) float64 {
	r.ParseForm()
	if v, err := strconv.ParseFloat(r.Form.Get(name), 64); err == nil {
		return v
	}
	return float64(clock.Unix())
}

// healthyTempo finds one slow trace of whatever service is asked, and
// loads it by its ID.
func healthyTempo() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v2/traces/{id}", func(w http.ResponseWriter, _ *http.Request) {
		serveJSON(w, map[string]any{"trace": otlpTrace("shop", healthyRoute)})
	})
	mux.HandleFunc("/api/search", func(w http.ResponseWriter, r *http.Request) {
		service := quotedAfter(r.URL.Query().Get("q"), "resource.service.name = ")
		serveJSON(w, map[string]any{"traces": []any{map[string]any{
			"traceID": healthyTraceID, "rootServiceName": service, "rootTraceName": "GET " + healthyRoute,
			"startTimeUnixNano": strconv.FormatInt(clock.Add(-time.Minute).UnixNano(), 10), "durationMs": 1234,
			"spanSets": []any{map[string]any{"matched": 1, "spans": []any{map[string]any{
				"spanID": healthySpanID, "name": "GET " + healthyRoute, "durationNanos": "1200000000",
			}}}},
		}}})
	})
	return mux
}

// quotedAfter is the Go-quoted string following prefix in s.
func quotedAfter(s, prefix string) string {
	_, rest, ok := strings.Cut(s, prefix)
	if !ok {
		return ""
	}
	q, err := strconv.QuotedPrefix(rest)
	if err != nil {
		return ""
	}
	v, _ := strconv.Unquote(q)
	return v
}

// healthyJaegerHTTP answers /api/v3 with one trace whose server span is the
// route asked for, of the service asked for.
func healthyJaegerHTTP() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/api/v3/operations", func(w http.ResponseWriter, _ *http.Request) {
		serveJSON(w, map[string]any{"operations": []any{}})
	})
	mux.HandleFunc("/api/v3/services", func(w http.ResponseWriter, _ *http.Request) {
		serveJSON(w, map[string]any{"services": []string{}})
	})
	mux.HandleFunc("/api/v3/traces", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var tags map[string]string
		json.Unmarshal([]byte(q.Get("query.attributes")), &tags)
		serveJSON(w, map[string]any{"result": otlpTrace(q.Get("query.service_name"), tags["http.route"])})
	})
	return mux
}

// otlpTrace is the one-span trace of the healthy trace backends in OTLP
// JSON: a server span of route in service.
func otlpTrace(service, route string) map[string]any {
	start := clock.Add(-time.Minute)
	str := func(v string) map[string]any { return map[string]any{"stringValue": v} }
	span := map[string]any{
		"traceId": healthyTraceID, "spanId": healthySpanID, "name": "GET " + route, "kind": 2,
		"startTimeUnixNano": strconv.FormatInt(start.UnixNano(), 10),
		"endTimeUnixNano":   strconv.FormatInt(start.Add(1234*time.Millisecond).UnixNano(), 10),
		"attributes":        []any{map[string]any{"key": "http.route", "value": str(route)}},
		"status":            map[string]any{},
	}
	return map[string]any{"resourceSpans": []any{map[string]any{
		"resource":   map[string]any{"attributes": []any{map[string]any{"key": "service.name", "value": str(service)}}},
		"scopeSpans": []any{map[string]any{"spans": []any{span}}},
	}}}
}

var hexTraceID = regexp.MustCompile(`[0-9a-f]{32}`)

// healthyLoki holds one error line of whatever trace is asked for.
func healthyLoki() http.Handler {
	mux := http.NewServeMux()
	success := func(w http.ResponseWriter, data any) { serveJSON(w, map[string]any{"status": "success", "data": data}) }
	mux.HandleFunc("/loki/api/v1/labels", func(w http.ResponseWriter, _ *http.Request) {
		success(w, []string{"service_name", "level"})
	})
	mux.HandleFunc("/loki/api/v1/label/{name}/values", func(w http.ResponseWriter, _ *http.Request) { success(w, []string{}) })
	mux.HandleFunc("/loki/api/v1/query_range", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		traceID := hexTraceID.FindString(q.Get("query"))
		start, _ := strconv.ParseInt(q.Get("start"), 10, 64)
		line := fmt.Sprintf("level=error msg=%q trace_id=%s", healthyLogLine, traceID)
		success(w, map[string]any{"resultType": "streams", "stats": map[string]any{}, "result": []any{map[string]any{
			"stream": map[string]string{"service_name": "checkout", "level": "error"},
			"values": [][]string{{strconv.FormatInt(start+int64(time.Millisecond), 10), line}},
		}}})
	})
	return mux
}

// healthyVictoriaLogs answers a LogsQL query with one error line of the
// trace it names, a millisecond into its _time window, as JSON lines.
func healthyVictoriaLogs() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/select/logsql/query", func(w http.ResponseWriter, r *http.Request) {
		q := r.FormValue("query")
		start, _ := time.Parse(time.RFC3339Nano, strings.TrimSuffix(strings.Fields(strings.TrimPrefix(q, "_time:["))[0], ","))
		serveJSON(w, map[string]string{
			"_msg": healthyLogLine, "_time": start.Add(time.Millisecond).Format(time.RFC3339Nano),
			"_stream": `{service_name="checkout"}`, "service_name": "checkout", "level": "error",
			"trace_id": hexTraceID.FindString(q),
		})
	})
	return mux
}

// discardServerLog drops the server's own complaints (TLS handshakes the client
// rejects, answers cut short): the faults are deliberate.
func discardServerLog() *log.Logger { return log.New(io.Discard, "", 0) }

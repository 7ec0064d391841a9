package demo

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/trace"
)

// logStrategy says how the demo correlates lines with a trace.
const logStrategy = "demo: trace_id structured metadata"

// logFormat is how a service writes its log bodies.
type logFormat int

const (
	formatJSON logFormat = iota
	formatLogfmt
	formatPlain
)

// serviceLogFormats: the demo's services log like a real, mixed fleet.
var serviceLogFormats = map[string]logFormat{
	"frontend": formatPlain, "checkout": formatJSON, "payments": formatLogfmt,
	"inventory": formatPlain, "cart": formatJSON, "shipping": formatLogfmt,
}

// neighbourTraces is how many other traces' lines share the window, as
// Loki's stream would hold them before the trace_id filter.
const neighbourTraces = 3

// stressLogEvery thins the lines of a stress trace's plain spans.
const stressLogEvery = 1000

// TraceLogs returns the log lines of a trace (and of one span when q.SpanID
// is set), time-ascending.
func (s *Source) TraceLogs(ctx context.Context, q logs.Query) (logs.Result, error) {
	if err := cancelled(ctx); err != nil {
		return logs.Result{}, err
	}
	id := trace.NormalizeTraceID(q.TraceID)
	if id == "" {
		return logs.Result{}, fmt.Errorf("demo: %q is not a trace ID (1 to 32 hex characters)", q.TraceID)
	}
	spanID := ""
	if q.SpanID != "" {
		if spanID = trace.NormalizeSpanID(q.SpanID); spanID == "" {
			return logs.Result{}, fmt.Errorf("demo: %q is not a span ID (1 to 16 hex characters)", q.SpanID)
		}
	}
	result := logs.Result{Strategy: logStrategy, Queries: []funnel.Query{logQuery(id, spanID, q)}}
	key, ok := decodeTraceID(id)
	if !ok {
		return result, nil // like Loki: no line carries an unknown trace ID
	}
	g, err := s.generate(ctx, key, true)
	if err != nil {
		return logs.Result{}, err
	}
	raw := linesOf(g.spans, false)
	for _, other := range neighbours(g) {
		raw = append(raw, linesOf(other, true)...)
	}
	lines := make([]logs.Line, 0, len(raw))
	for _, l := range raw {
		if keepLine(l, q) {
			lines = append(lines, logs.Parse(l))
		}
	}
	logs.SortByTime(lines)
	lines = logs.MatchTrace(lines, id, spanID)
	if q.Limit > 0 && len(lines) > q.Limit {
		result.Warnings = append(result.Warnings, fmt.Sprintf("demo: %d lines match, showing the newest %d", len(lines), q.Limit))
		lines = lines[len(lines)-q.Limit:]
	}
	result.Lines = lines
	return result, nil
}

// keepLine applies the query's service and time filters, as the stream
// selector and range would.
func keepLine(l logs.Line, q logs.Query) bool {
	if len(q.Services) > 0 && !slices.Contains(q.Services, l.Labels["service_name"]) {
		return false
	}
	if !q.Range.Start.IsZero() && !q.Range.End.IsZero() && !q.Range.Contains(l.Time) {
		return false
	}
	return true
}

// neighbours are the spans of other requests served at the same time by the
// same services (their lines share the streams).
func neighbours(g *generator) [][]trace.Span {
	var out [][]trace.Span
	for i := range neighbourTraces {
		rnd := newRNG(g.plan.hash, uint64(i), 0x4e1)
		span := g.spans[rnd.intn(len(g.spans))]
		other := make([]trace.Span, 0, 2)
		traceID := hex16(rnd.next()) + hex16(rnd.next())
		for j := range 2 {
			cp := span
			cp.TraceID, cp.SpanID, cp.ParentID = traceID, hex16(rnd.next()|1), ""
			cp.Start = span.Start.Add(time.Duration(rnd.between(-0.5, 0.5) * float64(span.Duration+time.Millisecond)))
			cp.Status, cp.StatusMessage, cp.Events = trace.StatusUnset, "", nil
			if j == 1 {
				cp.Kind = trace.KindServer
			}
			other = append(other, cp)
		}
		out = append(out, other)
	}
	return out
}

// linesOf writes the log lines the services emitted while serving spans.
func linesOf(spans []trace.Span, neighbour bool) []logs.Line {
	stress := len(spans) > stressSpanCount/2
	var out []logs.Line
	for i := range spans {
		sp := &spans[i]
		if stress && sp.Kind != trace.KindServer && sp.Status != trace.StatusError && i%stressLogEvery != 0 {
			continue
		}
		for _, m := range messagesOf(sp, neighbour) {
			out = append(out, rawLine(sp, m))
		}
	}
	return out
}

// message is one thing a service logged about a span.
type message struct {
	offset time.Duration // from the span's start; negative counts from its end
	level  string        // debug, info, warn, error
	text   string
	fields []string // extra key, value pairs
}

// messagesOf is what the span's service logged about it.
func messagesOf(sp *trace.Span, neighbour bool) []message {
	return append(spanMessages(sp, neighbour), eventMessages(sp)...)
}

// eventMessages are the lines logged with the span's retry and circuit
// breaker events.
func eventMessages(sp *trace.Span) []message {
	var out []message
	for _, e := range sp.Events {
		at := e.Time.Sub(sp.Start)
		switch e.Name {
		case "retry":
			out = append(out, message{offset: at, level: "warn", text: "retrying charge", fields: attrFields(e.Attributes)})
		case "circuit_breaker.open":
			out = append(out, message{offset: at, level: "error", text: "circuit breaker card-gateway: 5 consecutive failures, state closed -> open", fields: attrFields(e.Attributes)})
		}
	}
	return out
}

func attrFields(attrs []trace.Attr) []string {
	out := make([]string, 0, 2*len(attrs))
	for _, a := range attrs {
		out = append(out, a.Key, a.Value)
	}
	return out
}

// spanMessages are the lines a span's own work produced.
func spanMessages(sp *trace.Span, neighbour bool) []message {
	route, _ := sp.Attr("http.route")
	switch {
	case sp.Kind == trace.KindServer:
		return serverMessages(sp, route, neighbour)
	case sp.Name == "POST /v1/charges" && sp.Status == trace.StatusError:
		return gatewayMessages(sp)
	case sp.Name == "POST /v1/charges":
		return []message{{offset: -1, level: "info", text: "card gateway charge authorised", fields: []string{"gateway", "card-gateway", "duration_ms", ms(sp.Duration)}}}
	case sp.Status == trace.StatusError:
		return []message{{offset: -1, level: "error", text: sp.Name + " failed: " + sp.StatusMessage}}
	case sp.Kind == trace.KindClient && strings.HasPrefix(sp.Name, "SELECT") && sp.Duration > 20*time.Millisecond:
		stmt, _ := sp.Attr("db.statement")
		return []message{{offset: -1, level: "warn", text: "slow query", fields: []string{"duration_ms", ms(sp.Duration), "statement", stmt}}}
	case sp.Kind == trace.KindProducer:
		return []message{{offset: -1, level: "debug", text: "event published", fields: []string{"topic", strings.TrimPrefix(sp.Name, "publish ")}}}
	}
	return nil
}

// serverMessages are a request's access-log lines, plus the handler's
// error and, on the frontend, hostile client input echoed back.
func serverMessages(sp *trace.Span, route string, neighbour bool) []message {
	status, _ := sp.Attr("http.response.status_code")
	out := []message{
		{offset: 0, level: "debug", text: "request received", fields: []string{"method", strings.Fields(sp.Name)[0], "route", route}},
		{offset: -1, level: "info", text: "request completed", fields: []string{"status", status, "duration_ms", ms(sp.Duration)}},
	}
	if sp.Status == trace.StatusError {
		out = append(out, message{offset: -2, level: "error", text: "request failed: " + sp.StatusMessage, fields: []string{"status", status}})
	}
	if sp.Service == "frontend" && !neighbour {
		out = append(out, hostileMessages()...)
	}
	return out
}

// hostileMessages carry terminal escape sequences from client input, as
// real logs do: the UI must neutralise them.
func hostileMessages() []message {
	return []message{
		{offset: 1, level: "warn", text: "rejected coupon code \"\x1b]0;you have been pwned\x07SAVE10\"", fields: []string{"field", "coupon"}},
		{offset: 2, level: "info", text: "client note: \x1b[1;31mURGENT\x1b[0m please ship today", fields: []string{"field", "delivery_note"}},
	}
}

// gatewayMessages explain a failed call to the card gateway.
func gatewayMessages(sp *trace.Span) []message {
	if strings.Contains(sp.StatusMessage, "Client.Timeout") {
		return []message{{offset: -1, level: "warn", text: "payment gateway timeout after 2.5s", fields: []string{"gateway", "card-gateway", "attempt", "1", "timeout", gatewayTimeout.String()}}}
	}
	return []message{{offset: -1, level: "error", text: "charge failed: " + sp.StatusMessage, fields: []string{"gateway", "card-gateway", "attempt", "2"}}}
}

func ms(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 1, 64)
}

// rawLine renders a message in its service's log format, with the labels
// and structured metadata Loki would return.
func rawLine(sp *trace.Span, m message) logs.Line {
	at := sp.Start.Add(m.offset)
	if m.offset < 0 {
		at = sp.End().Add(m.offset)
	}
	pod, _ := sp.Attr("k8s.pod.name")
	l := logs.Line{
		Time:   at,
		Body:   body(serviceLogFormats[sp.Service], at, sp, m),
		Labels: map[string]string{"service_name": sp.Service, "namespace": "shop", "pod": pod, "level": m.level},
	}
	if m.level == "error" || m.level == "warn" {
		l.Metadata = map[string]string{"trace_id": sp.TraceID, "span_id": sp.SpanID}
	}
	return l
}

// body formats a message as JSON, logfmt or plain text.
func body(f logFormat, at time.Time, sp *trace.Span, m message) string {
	ts := at.UTC().Format("2006-01-02T15:04:05.000Z07:00")
	switch f {
	case formatJSON:
		fields := []string{"time", ts, "level", m.level, "msg", m.text, "service", sp.Service, "trace_id", sp.TraceID, "span_id", sp.SpanID}
		return jsonObject(append(fields, m.fields...))
	case formatLogfmt:
		fields := []string{"time", ts, "level", m.level, "msg", m.text}
		fields = append(append(fields, m.fields...), "trace_id", sp.TraceID, "span_id", sp.SpanID)
		return logfmt(fields)
	}
	text := m.text
	if len(m.fields) > 0 {
		text += " " + logfmt(m.fields)
	}
	return fmt.Sprintf("%s %-5s [%s] %s trace_id=%s span_id=%s", ts, strings.ToUpper(m.level), sp.Service, text, sp.TraceID, sp.SpanID)
}

// jsonObject renders key, value pairs as a JSON object, numbers unquoted.
func jsonObject(kv []string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i := 0; i+1 < len(kv); i += 2 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Quote(kv[i]) + ":")
		if _, err := strconv.ParseFloat(kv[i+1], 64); err == nil {
			b.WriteString(kv[i+1])
		} else {
			b.WriteString(jsonString(kv[i+1]))
		}
	}
	b.WriteByte('}')
	return b.String()
}

// jsonString quotes s as JSON does (control characters as \u00XX).
func jsonString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteString(`\` + string(r))
		case r < 0x20:
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// logfmt renders key, value pairs as logfmt, quoting values with spaces.
func logfmt(kv []string) string {
	parts := make([]string, 0, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		v := kv[i+1]
		if v == "" || strings.ContainsAny(v, " \"=") {
			v = strconv.Quote(v)
		}
		parts = append(parts, kv[i]+"="+v)
	}
	return strings.Join(parts, " ")
}

// logQuery is the LogQL a Loki source would send for q.
func logQuery(traceID, spanID string, q logs.Query) funnel.Query {
	services := slices.Sorted(slices.Values(q.Services))
	selector := `{namespace="shop"}`
	if len(services) > 0 {
		selector = fmt.Sprintf(`{service_name=~"%s"}`, strings.Join(services, "|"))
	}
	text := fmt.Sprintf(`%s | trace_id=%q`, selector, traceID)
	if spanID != "" {
		text += fmt.Sprintf(` | span_id=%q`, spanID)
	}
	return funnel.Query{Backend: Backend, Language: funnel.LogQL, Purpose: "log lines of the trace", Text: text, Range: q.Range}
}

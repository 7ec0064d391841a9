package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"
)

// requestRecord is what one finished request tells the log.
type requestRecord struct {
	service string
	route   string
	method  string
	status  int
	elapsed time.Duration
	err     error
	span    trace.SpanContext
	at      time.Time
}

// logEntry is one log line: its service (the stream), level, body and
// structured metadata (nil when the line carries none).
type logEntry struct {
	at       time.Time
	service  string
	level    string
	line     string
	metadata map[string]string
}

// requestLogEntry renders a request in its route's body format: JSON for
// checkout and payments, logfmt for items, plain text for cart. VictoriaLogs
// turns a JSON line's keys into fields itself (msg becomes the message); the
// other lines carry their level, and on error and slow lines trace_id and
// span_id, as structured metadata, which VictoriaLogs stores as fields.
func requestLogEntry(rec requestRecord, slowThreshold time.Duration) logEntry {
	level, msg := "info", "request served"
	switch {
	case rec.status >= 500:
		level, msg = "error", "request failed: "+rec.err.Error()
	case rec.elapsed >= slowThreshold:
		level, msg = "warn", "slow request"
	}
	entry := logEntry{at: rec.at, service: rec.service, level: level}
	switch rec.route {
	case routeItem:
		entry.line = logfmtLine(rec, level, msg)
	case routeCart:
		entry.line = plainLine(rec, level)
	default:
		entry.line = jsonLine(rec, level, msg)
	}
	if rec.route == routeItem || rec.route == routeCart {
		entry.metadata = map[string]string{"level": level}
		if level != "info" {
			entry.metadata["trace_id"] = rec.span.TraceID().String()
			entry.metadata["span_id"] = rec.span.SpanID().String()
		}
	}
	return entry
}

// jsonBody is the JSON log line of checkout and payments requests.
type jsonBody struct {
	Level      string `json:"level"`
	Msg        string `json:"msg"`
	TraceID    string `json:"trace_id"`
	SpanID     string `json:"span_id"`
	Service    string `json:"service"`
	Method     string `json:"method"`
	Route      string `json:"route"`
	Status     int    `json:"status"`
	DurationMS int64  `json:"duration_ms"`
}

func jsonLine(rec requestRecord, level, msg string) string {
	body, _ := json.Marshal(jsonBody{
		Level: level, Msg: msg,
		TraceID: rec.span.TraceID().String(), SpanID: rec.span.SpanID().String(),
		Service: rec.service, Method: rec.method, Route: rec.route,
		Status: rec.status, DurationMS: rec.elapsed.Milliseconds(),
	})
	return string(body)
}

func logfmtLine(rec requestRecord, level, msg string) string {
	return fmt.Sprintf("level=%s msg=%s method=%s route=%s status=%d duration_ms=%d trace_id=%s span_id=%s",
		level, strconv.Quote(msg), rec.method, rec.route, rec.status, rec.elapsed.Milliseconds(),
		rec.span.TraceID(), rec.span.SpanID())
}

func plainLine(rec requestRecord, level string) string {
	return fmt.Sprintf("%s %s %s %d %dms trace_id=%s span_id=%s",
		strings.ToUpper(level), rec.method, rec.route, rec.status, rec.elapsed.Milliseconds(),
		rec.span.TraceID(), rec.span.SpanID())
}

// logTarget is one VictoriaLogs tenant to push to: the base URL of the
// server and the AccountID/ProjectID headers naming the tenant.
type logTarget struct {
	baseURL   string
	accountID string
	projectID string
}

// logTargets is one target per AccountID:ProjectID tenant of the
// VictoriaLogs at baseURL; none when baseURL is empty.
func logTargets(baseURL string, tenants []string) ([]logTarget, error) {
	if baseURL == "" {
		return nil, nil
	}
	targets := make([]logTarget, 0, len(tenants))
	for _, tenant := range tenants {
		account, project, ok := strings.Cut(tenant, ":")
		if _, err := strconv.ParseUint(account, 10, 32); !ok || err != nil {
			return nil, fmt.Errorf("tenant %q: want AccountID:ProjectID (two numbers)", tenant)
		}
		if _, err := strconv.ParseUint(project, 10, 32); err != nil {
			return nil, fmt.Errorf("tenant %q: want AccountID:ProjectID (two numbers)", tenant)
		}
		targets = append(targets, logTarget{baseURL: baseURL, accountID: account, projectID: project})
	}
	return targets, nil
}

// pushPath is VictoriaLogs' endpoint for Loki's push protocol: the stream
// label service_name is the stream field, structured metadata become
// ordinary fields, and a JSON line's msg key is the message. (A field both in
// a JSON line and in the labels or metadata would be stored twice; a
// stream field named twice makes VictoriaLogs v1.52.2 panic.)
const pushPath = "/insert/loki/api/v1/push?_stream_fields=service_name&_msg_field=msg"

// maxPending bounds the lines kept while VictoriaLogs is slow or down.
const maxPending = 20000

// logShipper batches log entries and pushes them to every target each
// flushInterval. Lines that cannot be delivered are reported and dropped.
type logShipper struct {
	targets []logTarget
	client  *http.Client
	mu      sync.Mutex
	pending []logEntry
	dropped int
}

const flushInterval = 500 * time.Millisecond

func newLogShipper(targets []logTarget) *logShipper {
	return &logShipper{targets: targets, client: &http.Client{Timeout: 10 * time.Second}}
}

func (s *logShipper) add(e logEntry) {
	if len(s.targets) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) >= maxPending {
		s.dropped++
		return
	}
	s.pending = append(s.pending, e)
}

func (s *logShipper) run(ctx context.Context) {
	ticker := time.NewTicker(flushInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			s.flush(ctx)
		}
	}
}

func (s *logShipper) flush(ctx context.Context) {
	s.mu.Lock()
	batch, dropped := s.pending, s.dropped
	s.pending, s.dropped = nil, 0
	s.mu.Unlock()
	if dropped > 0 {
		log.Printf("testsvc: dropped %d log lines: too many pending", dropped)
	}
	if len(batch) == 0 {
		return
	}
	body, err := pushBody(batch)
	if err != nil {
		log.Printf("testsvc: encoding %d log lines: %v", len(batch), err)
		return
	}
	for _, t := range s.targets {
		if err := s.push(ctx, t, body); err != nil {
			log.Printf("testsvc: pushing %d log lines to %s (tenant %s:%s): %v", len(batch), t.baseURL, t.accountID, t.projectID, err)
		}
	}
}

func (s *logShipper) push(ctx context.Context, t logTarget, body []byte) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(t.baseURL, "/")+pushPath, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("AccountID", t.accountID)
	req.Header.Set("ProjectID", t.projectID)
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		return fmt.Errorf("%s: %s", resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// pushStream is one stream of Loki's JSON push API (which VictoriaLogs takes). Each value is
// [unix-nanoseconds, line] or [unix-nanoseconds, line, structured-metadata].
type pushStream struct {
	Stream map[string]string `json:"stream"`
	Values [][]any           `json:"values"`
}

// pushBody encodes entries as a Loki push request, one stream per
// service_name, streams in order of first appearance.
func pushBody(entries []logEntry) ([]byte, error) {
	var streams []*pushStream
	byService := map[string]*pushStream{}
	for _, e := range entries {
		st, ok := byService[e.service]
		if !ok {
			st = &pushStream{Stream: map[string]string{"service_name": e.service}}
			byService[e.service] = st
			streams = append(streams, st)
		}
		value := []any{strconv.FormatInt(e.at.UnixNano(), 10), e.line}
		if e.metadata != nil {
			value = append(value, e.metadata)
		}
		st.Values = append(st.Values, value)
	}
	return json.Marshal(map[string]any{"streams": streams})
}

package main

import (
	"encoding/json"
	"errors"
	"maps"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"
)

func testSpan(t *testing.T) trace.SpanContext {
	t.Helper()
	traceID, err := trace.TraceIDFromHex("4bf92f3577b34da6a3ce929d0e0e4736")
	if err != nil {
		t.Fatal(err)
	}
	spanID, err := trace.SpanIDFromHex("00f067aa0ba902b7")
	if err != nil {
		t.Fatal(err)
	}
	return trace.NewSpanContext(trace.SpanContextConfig{TraceID: traceID, SpanID: spanID, TraceFlags: trace.FlagsSampled})
}

func TestRequestLogEntry(t *testing.T) {
	span := testSpan(t)
	tests := []struct {
		name         string
		rec          requestRecord
		wantLevel    string
		wantPrefix   string
		wantContains []string
		wantMetadata map[string]string
	}{
		{
			name:         "fast cart is plain text at info with its level as metadata",
			rec:          requestRecord{service: "shop", route: routeCart, method: "GET", status: 200, elapsed: 12 * time.Millisecond},
			wantLevel:    "info",
			wantPrefix:   "INFO GET /api/cart 200 12ms ",
			wantContains: []string{"trace_id=4bf92f3577b34da6a3ce929d0e0e4736", "span_id=00f067aa0ba902b7"},
			wantMetadata: map[string]string{"level": "info"},
		},
		{
			name:         "failed item is logfmt at error with metadata",
			rec:          requestRecord{service: "shop", route: routeItem, method: "GET", status: 500, elapsed: 20 * time.Millisecond, err: errors.New("item store timed out")},
			wantLevel:    "error",
			wantPrefix:   `level=error msg="request failed: item store timed out" method=GET route=/api/items/{id} status=500`,
			wantContains: []string{"trace_id=4bf92f3577b34da6a3ce929d0e0e4736"},
			wantMetadata: map[string]string{"level": "error", "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "span_id": "00f067aa0ba902b7"},
		},
		{
			name:         "slow checkout is JSON at warn without metadata (its keys become fields)",
			rec:          requestRecord{service: "shop", route: routeCheckout, method: "POST", status: 200, elapsed: 1200 * time.Millisecond},
			wantLevel:    "warn",
			wantPrefix:   `{"level":"warn","msg":"slow request","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"00f067aa0ba902b7",`,
			wantContains: []string{`"route":"/api/checkout"`, `"status":200`, `"duration_ms":1200`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.rec.span = span
			got := requestLogEntry(tt.rec, time.Second)
			if got.level != tt.wantLevel {
				t.Errorf("level = %q, want %q", got.level, tt.wantLevel)
			}
			if !strings.HasPrefix(got.line, tt.wantPrefix) {
				t.Errorf("line = %q, want prefix %q", got.line, tt.wantPrefix)
			}
			for _, want := range tt.wantContains {
				if !strings.Contains(got.line, want) {
					t.Errorf("line = %q, want it to contain %q", got.line, want)
				}
			}
			if !maps.Equal(got.metadata, tt.wantMetadata) || (got.metadata == nil) != (tt.wantMetadata == nil) {
				t.Errorf("metadata = %v, want %v", got.metadata, tt.wantMetadata)
			}
		})
	}
}

func TestPushBodyGroupsStreamsAndKeepsMetadata(t *testing.T) {
	at := time.Unix(1700000000, 5)
	body, err := pushBody([]logEntry{
		{at: at, service: "shop", level: "info", line: "a"},
		{at: at, service: "payments", level: "error", line: "b", metadata: map[string]string{"trace_id": "t"}},
		{at: at, service: "shop", level: "error", line: "c", metadata: map[string]string{"level": "error"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Streams []struct {
			Stream map[string]string `json:"stream"`
			Values [][]any           `json:"values"`
		} `json:"streams"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Streams) != 2 {
		t.Fatalf("streams = %d, want 2: %s", len(got.Streams), body)
	}
	shop, payments := got.Streams[0], got.Streams[1]
	if len(shop.Stream) != 1 || shop.Stream["service_name"] != "shop" || len(shop.Values) != 2 {
		t.Errorf("first stream = %+v, want {service_name=shop} with 2 lines", shop)
	}
	if len(shop.Values[0]) != 2 || shop.Values[0][0] != "1700000000000000005" || shop.Values[0][1] != "a" {
		t.Errorf("line without metadata = %v, want [ns line]", shop.Values[0])
	}
	if md, ok := shop.Values[1][2].(map[string]any); !ok || md["level"] != "error" {
		t.Errorf("metadata = %v, want level error", shop.Values[1])
	}
	if len(payments.Values) != 1 || len(payments.Values[0]) != 3 {
		t.Fatalf("payments values = %v, want one [ns line metadata]", payments.Values)
	}
	if md, ok := payments.Values[0][2].(map[string]any); !ok || md["trace_id"] != "t" {
		t.Errorf("metadata = %v, want trace_id t", payments.Values[0][2])
	}
}

func TestLogTargetsOnePerTenant(t *testing.T) {
	got, err := logTargets("http://vl", []string{"0:0", "42:7"})
	if err != nil {
		t.Fatal(err)
	}
	want := []logTarget{{baseURL: "http://vl", accountID: "0", projectID: "0"}, {baseURL: "http://vl", accountID: "42", projectID: "7"}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("logTargets = %+v, want %+v", got, want)
	}
	if got, err := logTargets("", []string{"0:0"}); err != nil || got != nil {
		t.Errorf("no URL: %+v, %v; want no targets", got, err)
	}
	for _, bad := range []string{"42", "a:1", "1:", "1:-2"} {
		if _, err := logTargets("http://vl", []string{bad}); err == nil {
			t.Errorf("tenant %q accepted, want an error", bad)
		}
	}
}

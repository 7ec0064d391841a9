package trace

import (
	"slices"
	"testing"
	"time"
)

func TestNormalizeTraceID(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"4BF92F3577B34DA6A3CE929D0E0E4736", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"0x4bf92f3577b34da6a3ce929d0e0e4736", "4bf92f3577b34da6a3ce929d0e0e4736"},
		{"0X4bf92f3577b34da6", "00000000000000004bf92f3577b34da6"},
		{"a3ce929d0e0e4736", "0000000000000000a3ce929d0e0e4736"},
		{"  abc\n", "00000000000000000000000000000abc"},
		{"1", "00000000000000000000000000000001"},
		{"", ""},
		{"0x", ""},
		{"4bf92f3577b34da6a3ce929d0e0e47361", ""}, // 33 digits
		{"4bf92f3577b34da6a3ce929d0e0e473g", ""},
		{"S0bnX3Wz+ZWjzpKdDg5HNg==", ""}, // base64, not hex
		{"-1", ""},
	}
	for _, tt := range tests {
		if got := NormalizeTraceID(tt.in); got != tt.want {
			t.Errorf("NormalizeTraceID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeSpanID(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"00f067aa0ba902b7", "00f067aa0ba902b7"},
		{"F067AA0BA902B7", "00f067aa0ba902b7"},
		{"0xf067aa0ba902b7", "00f067aa0ba902b7"},
		{"00f067aa0ba902b70", ""},
		{"xyz", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := NormalizeSpanID(tt.in); got != tt.want {
			t.Errorf("NormalizeSpanID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNormalizeTraceIDDoesNotAllocateWhenNormal(t *testing.T) {
	id := "4bf92f3577b34da6a3ce929d0e0e4736"
	if n := testing.AllocsPerRun(100, func() { _ = NormalizeTraceID(id) }); n != 0 {
		t.Errorf("allocations = %v, want 0", n)
	}
}

func TestKindString(t *testing.T) {
	tests := []struct {
		k    Kind
		want string
	}{
		{KindUnspecified, "unspecified"},
		{KindInternal, "internal"},
		{KindServer, "server"},
		{KindClient, "client"},
		{KindProducer, "producer"},
		{KindConsumer, "consumer"},
		{Kind(9), "kind(9)"},
	}
	for _, tt := range tests {
		if got := tt.k.String(); got != tt.want {
			t.Errorf("Kind(%d).String() = %q, want %q", int(tt.k), got, tt.want)
		}
	}
}

func TestStatusCodeString(t *testing.T) {
	tests := []struct {
		c    StatusCode
		want string
	}{
		{StatusUnset, "unset"},
		{StatusOK, "ok"},
		{StatusError, "error"},
		{StatusCode(-1), "status(-1)"},
	}
	for _, tt := range tests {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("StatusCode(%d).String() = %q, want %q", int(tt.c), got, tt.want)
		}
	}
}

func TestSpanAttr(t *testing.T) {
	s := &Span{
		Attributes: []Attr{{"http.route", "/api/checkout"}, {"service.name", "span-level"}},
		Resource:   []Attr{{"service.name", "shop"}, {"host.name", "node-1"}},
	}
	tests := []struct {
		key, want string
		found     bool
	}{
		{"http.route", "/api/checkout", true},
		{"service.name", "span-level", true}, // span attribute wins
		{"host.name", "node-1", true},
		{"missing", "", false},
	}
	for _, tt := range tests {
		got, ok := s.Attr(tt.key)
		if got != tt.want || ok != tt.found {
			t.Errorf("Attr(%q) = %q, %v; want %q, %v", tt.key, got, ok, tt.want, tt.found)
		}
	}
}

func TestSortSlowestFirst(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name string
		in   []Summary
		want []string
	}{
		{
			name: "matched duration ranks before trace duration",
			in: []Summary{
				{TraceID: "a", Duration: 900 * ms, MatchedDuration: 100 * ms},
				{TraceID: "b", Duration: 500 * ms, MatchedDuration: 400 * ms},
				{TraceID: "c", Duration: 300 * ms},
			},
			want: []string{"b", "c", "a"},
		},
		{
			name: "errors first among equals, then trace ID",
			in: []Summary{
				{TraceID: "d", Duration: 200 * ms},
				{TraceID: "c", Duration: 200 * ms, ErrorCount: 1},
				{TraceID: "b", Duration: 200 * ms},
				{TraceID: "a", Duration: 100 * ms, ErrorCount: 3},
			},
			want: []string{"c", "b", "d", "a"},
		},
		{name: "empty", in: nil, want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			SortSlowestFirst(tt.in)
			var got []string
			for _, s := range tt.in {
				got = append(got, s.TraceID)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("order = %v, want %v", got, tt.want)
			}
		})
	}
}

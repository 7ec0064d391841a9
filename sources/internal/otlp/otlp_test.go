package otlp

import (
	"encoding/json"
	"math"
	"strings"
	"testing"

	commonv1 "go.opentelemetry.io/proto/otlp/common/v1"

	"github.com/redline-tui/redline/funnel/trace"
)

func TestValue(t *testing.T) {
	s := func(v string) *commonv1.AnyValue {
		return &commonv1.AnyValue{Value: &commonv1.AnyValue_StringValue{StringValue: v}}
	}
	i := func(v int64) *commonv1.AnyValue {
		return &commonv1.AnyValue{Value: &commonv1.AnyValue_IntValue{IntValue: v}}
	}
	tests := []struct {
		name string
		v    *commonv1.AnyValue
		want string
	}{
		{"string", s("POST /api/checkout"), "POST /api/checkout"},
		{"int", i(-42), "-42"},
		{"double", &commonv1.AnyValue{Value: &commonv1.AnyValue_DoubleValue{DoubleValue: 0.125}}, "0.125"},
		{"NaN", &commonv1.AnyValue{Value: &commonv1.AnyValue_DoubleValue{DoubleValue: math.NaN()}}, "NaN"},
		{"bool", &commonv1.AnyValue{Value: &commonv1.AnyValue_BoolValue{BoolValue: true}}, "true"},
		{"bytes", &commonv1.AnyValue{Value: &commonv1.AnyValue_BytesValue{BytesValue: []byte{0xde, 0xad}}}, "3q0="},
		{"array", &commonv1.AnyValue{Value: &commonv1.AnyValue_ArrayValue{ArrayValue: &commonv1.ArrayValue{
			Values: []*commonv1.AnyValue{s("a b"), i(2)}}}}, `["a b", 2]`},
		{"kvlist", &commonv1.AnyValue{Value: &commonv1.AnyValue_KvlistValue{KvlistValue: &commonv1.KeyValueList{
			Values: []*commonv1.KeyValue{{Key: "k", Value: s("v")}, {Key: "n", Value: i(1)}}}}}, `{k="v", n=1}`},
		{"absent", nil, ""},
	}
	for _, tt := range tests {
		if got := Value(tt.v); got != tt.want {
			t.Errorf("%s: Value = %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestDecodeID(t *testing.T) {
	tests := []struct{ in, want string }{
		{"5b8efff798038103d269b633813fc700", "5b8efff798038103d269b633813fc700"}, // hex (Jaeger, OTLP/JSON)
		{"W47/95gDgQPSabYzgT/HAA==", "5b8efff798038103d269b633813fc700"},         // base64 (Tempo)
		{"7uGbfsPBsQA=", "eee19b7ec3c1b100"},
		{"eee19b7ec3c1b100", "eee19b7ec3c1b100"},
		{"", ""},
		{"not an id!", ""},
	}
	for _, tt := range tests {
		got := decodeID(tt.in)
		if hexOf(got) != tt.want {
			t.Errorf("decodeID(%q) = %x, want %s", tt.in, got, tt.want)
		}
	}
}

func hexOf(b []byte) string {
	const digits = "0123456789abcdef"
	var sb strings.Builder
	for _, c := range b {
		sb.WriteByte(digits[c>>4])
		sb.WriteByte(digits[c&15])
	}
	return sb.String()
}

func decode(t *testing.T, doc string) ([]trace.Span, []string) {
	t.Helper()
	var rs JSONResourceSpans
	if err := json.Unmarshal([]byte(doc), &rs); err != nil {
		t.Fatal(err)
	}
	return Spans(rs)
}

func TestJSONDialects(t *testing.T) {
	tests := []struct {
		name string
		doc  string
		want trace.Span
	}{
		{"Tempo (enum names, base64, string nanos)", `[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"shop"}}]},
			"scopeSpans":[{"spans":[{"traceId":"W47/95gDgQPSabYzgT/HAA==","spanId":"7uGbfsPBsQA=","parentSpanId":"AAAAAAAAAAE=",
			"name":"GET","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1000","endTimeUnixNano":"3500",
			"status":{"code":"STATUS_CODE_ERROR","message":"boom"},
			"attributes":[{"key":"n","value":{"intValue":"7"}},{"key":"d","value":{"doubleValue":"Infinity"}}]}]}]}]`,
			trace.Span{TraceID: "5b8efff798038103d269b633813fc700", SpanID: "eee19b7ec3c1b100", ParentID: "0000000000000001",
				Service: "shop", Name: "GET", Kind: trace.KindClient, Duration: 2500, Status: trace.StatusError, StatusMessage: "boom",
				Attributes: []trace.Attr{{Key: "n", Value: "7"}, {Key: "d", Value: "+Inf"}},
				Resource:   []trace.Attr{{Key: "service.name", Value: "shop"}}}},
		{"OTLP/JSON (integers, hex, number nanos)", `[{"resource":{},"scopeSpans":[{"scope":{"name":"otelhttp"},"spans":[
			{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","name":"POST /charge","kind":2,
			"startTimeUnixNano":1000,"endTimeUnixNano":2000,"status":{"code":1},"parentSpanId":"",
			"links":[{"traceId":"5b8efff798038103d269b633813fc700","spanId":"eee19b7ec3c1b100"}],
			"events":[{"timeUnixNano":"1500","name":"retry","attributes":[{"key":"attempt","value":{"intValue":2}}]}]}]}]}]`,
			trace.Span{TraceID: "0af7651916cd43dd8448eb211c80319c", SpanID: "b7ad6b7169203331", Service: UnknownService,
				Name: "POST /charge", Kind: trace.KindServer, Duration: 1000, Status: trace.StatusOK,
				Attributes: []trace.Attr{{Key: "otel.scope.name", Value: "otelhttp"}},
				Links:      []trace.Link{{TraceID: "5b8efff798038103d269b633813fc700", SpanID: "eee19b7ec3c1b100"}},
				Events:     []trace.Event{{Name: "retry", Attributes: []trace.Attr{{Key: "attempt", Value: "2"}}}}}},
		{"pre-1.0 instrumentationLibrarySpans, nulls", `[{"resource":null,"instrumentationLibrarySpans":[{"instrumentationLibrary":{"name":"old"},
			"spans":[{"traceId":"AAAAAAAAAAAAAAAAAAAAAQ==","spanId":"AAAAAAAAAAI=","kind":null,"status":null,"startTimeUnixNano":null}]}]}]`,
			trace.Span{TraceID: "00000000000000000000000000000001", SpanID: "0000000000000002", Service: UnknownService,
				Attributes: []trace.Attr{{Key: "otel.scope.name", Value: "old"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spans, warnings := decode(t, tt.doc)
			if len(spans) != 1 || len(warnings) != 0 {
				t.Fatalf("spans %+v, warnings %q", spans, warnings)
			}
			got := spans[0]
			got.Start = tt.want.Start // compared apart: only the offset matters here
			for i := range got.Events {
				got.Events[i].Time = tt.want.Events[i].Time
			}
			if !equalSpan(got, tt.want) {
				t.Errorf("span =\n%+v\nwant\n%+v", got, tt.want)
			}
		})
	}
}

func equalSpan(a, b trace.Span) bool {
	j := func(s trace.Span) string { out, _ := json.Marshal(s); return string(out) }
	return j(a) == j(b)
}

func TestSpansDropsUnplaceableSpans(t *testing.T) {
	spans, warnings := decode(t, `[{"scopeSpans":[{"spans":[
		{"traceId":"5b8efff798038103d269b633813fc700","spanId":"eee19b7ec3c1b100","name":"ok"},
		{"traceId":"5b8efff798038103d269b633813fc700","name":"no span ID"},
		{"traceId":"%%%","spanId":"eee19b7ec3c1b101","name":"bad trace ID"}]}]}]`)
	if len(spans) != 1 || spans[0].Name != "ok" || len(warnings) != 1 || !strings.HasPrefix(warnings[0], "2 span(s)") {
		t.Fatalf("spans %+v, warnings %q", spans, warnings)
	}
}

func TestJSONRejectsGarbageNumbers(t *testing.T) {
	var rs JSONResourceSpans
	err := json.Unmarshal([]byte(`[{"scopeSpans":[{"spans":[{"startTimeUnixNano":"yesterday"}]}]}]`), &rs)
	if err == nil {
		t.Fatal("want an error for a non-numeric time")
	}
}

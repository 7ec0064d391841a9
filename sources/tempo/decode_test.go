package tempo

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"text/scanner"
	"time"

	commonv1 "go.opentelemetry.io/proto/otlp/common/v1"
	resourcev1 "go.opentelemetry.io/proto/otlp/resource/v1"
	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/internal/otlp"
)

// tokens scans TraceQL as Tempo's lexer does (text/scanner with its
// default Go tokens; string literals read with strconv.Unquote) and returns
// the non-string tokens and the unquoted strings apart.
func tokens(t testing.TB, query string) (structure []string, literals []string) {
	var s scanner.Scanner
	s.Init(strings.NewReader(query))
	s.Error = func(_ *scanner.Scanner, msg string) { t.Errorf("scanning %q: %s", query, msg) }
	for tok := s.Scan(); tok != scanner.EOF; tok = s.Scan() {
		if tok == scanner.String {
			v, err := strconv.Unquote(s.TokenText())
			if err != nil {
				t.Fatalf("literal %s in %q does not unquote: %v", s.TokenText(), query, err)
			}
			literals = append(literals, v)
			continue
		}
		structure = append(structure, s.TokenText())
	}
	return structure, literals
}

// FuzzTraceQL checks that no service or route value can change a query's
// meaning: scanned as Tempo scans it, the query has the same structure as
// with harmless values, and its string literals are exactly the values.
func FuzzTraceQL(f *testing.F) {
	for _, seed := range [][2]string{
		{"shop", "/api/checkout"},
		{`a"b`, `c\d`},
		{"new\nline", "tab\there"},
		{`" } || { true`, "`raw`"},
		{"\x00\xff\xfe", "ünïcødé ✓ \u202e"},
		{`\`, `\"`},
		{"// comment", "/* block */"},
	} {
		f.Add(seed[0], seed[1])
	}
	wantStructure, _ := tokens(f, traceQL(trace.Query{Service: "s", Route: "r", ErrorsOnly: true}, byHTTPRoute))
	f.Fuzz(func(t *testing.T, service, route string) {
		if service == "" || route == "" {
			t.Skip() // an empty value drops its condition by design
		}
		q := traceQL(trace.Query{Service: service, Route: route, ErrorsOnly: true}, byHTTPRoute)
		structure, literals := tokens(t, q)
		if !reflect.DeepEqual(structure, wantStructure) {
			t.Fatalf("query %q has structure %q, want %q", q, structure, wantStructure)
		}
		if len(literals) != 2 || literals[0] != service || literals[1] != route {
			t.Fatalf("query %q carries %q, want [%q %q]", q, literals, service, route)
		}
	})
}

// bigTrace is a synthetic trace of n spans with typical attributes, a
// chain of depth 8 repeated under one root.
func bigTrace(n int) *tracev1.TracesData {
	tid := []byte{0x0a, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	t0 := uint64(time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC).UnixNano())
	spans := make([]*tracev1.Span, n)
	for i := range spans {
		s := &tracev1.Span{
			TraceId: tid, SpanId: spanID(i + 1), Name: fmt.Sprintf("op-%d", i%50), Kind: tracev1.Span_SPAN_KIND_INTERNAL,
			StartTimeUnixNano: t0 + uint64(i)*1000, EndTimeUnixNano: t0 + uint64(i)*1000 + 250_000,
			Attributes: []*commonv1.KeyValue{
				{Key: "http.route", Value: str("/api/items/{id}")},
				{Key: "http.request.method", Value: str("GET")},
				{Key: "http.response.status_code", Value: &commonv1.AnyValue{Value: &commonv1.AnyValue_IntValue{IntValue: 200}}},
				{Key: "db.statement", Value: str("SELECT * FROM items WHERE id = $1")},
				{Key: "retry", Value: &commonv1.AnyValue{Value: &commonv1.AnyValue_BoolValue{BoolValue: i%7 == 0}}},
				{Key: "ratio", Value: &commonv1.AnyValue{Value: &commonv1.AnyValue_DoubleValue{DoubleValue: 0.25}}},
			},
			Status: &tracev1.Status{},
		}
		if i > 0 {
			s.ParentSpanId = spanID(1 + (i-1)/8*8)
		}
		if i%10 == 0 {
			s.Events = []*tracev1.Span_Event{{TimeUnixNano: t0 + uint64(i)*1000 + 10, Name: "cache miss",
				Attributes: []*commonv1.KeyValue{{Key: "key", Value: str(fmt.Sprintf("item:%d", i))}}}}
		}
		spans[i] = s
	}
	return &tracev1.TracesData{ResourceSpans: []*tracev1.ResourceSpans{{
		Resource: &resourcev1.Resource{Attributes: []*commonv1.KeyValue{
			{Key: "service.name", Value: str("shop")}, {Key: "host.name", Value: str("shop-7d9f")},
		}},
		ScopeSpans: []*tracev1.ScopeSpans{{Scope: &commonv1.InstrumentationScope{Name: "otelhttp", Version: "0.72.0"}, Spans: spans}},
	}}}
}

func spanID(i int) []byte {
	b := make([]byte, 8)
	for j := 7; j >= 0; j-- {
		b[j] = byte(i)
		i >>= 8
	}
	return b
}

// tempoJSON writes td the way Tempo's v2 route does: jsonpb-style JSON
// (base64 IDs, enum names, 64-bit integers as strings) in the envelope.
func tempoJSON(t testing.TB, td *tracev1.TracesData) []byte {
	inner, err := protojson.Marshal(td)
	if err != nil {
		t.Fatal(err)
	}
	return []byte(`{"trace":` + string(inner) + `}`)
}

func TestJSONAndProtobufDecodeAlike(t *testing.T) {
	td := bigTrace(200)
	fromJSON, err := decodeTrace(tempoJSON(t, td), false)
	if err != nil {
		t.Fatal(err)
	}
	fromProto, err := decodeTrace(protobufBody(t, td, false, ""), false)
	if err != nil {
		t.Fatal(err)
	}
	a, wa := otlp.Spans(fromJSON.resourceSpans)
	b, wb := otlp.Spans(fromProto.resourceSpans)
	if len(a) != 200 || len(wa)+len(wb) != 0 || !reflect.DeepEqual(a, b) {
		t.Fatalf("JSON and protobuf decode differently (%d vs %d spans, warnings %q %q)", len(a), len(b), wa, wb)
	}
}

func benchmarkDecode(b *testing.B, body []byte) {
	b.ReportAllocs()
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		d, err := decodeTrace(body, false)
		if err != nil {
			b.Fatal(err)
		}
		if spans, _ := otlp.Spans(d.resourceSpans); len(spans) != 10_000 {
			b.Fatalf("decoded %d spans", len(spans))
		}
	}
}

// BenchmarkDecodeTrace10kJSON and …Protobuf measure reading a 10,000-span
// trace into funnel spans (decode + conversion).
func BenchmarkDecodeTrace10kJSON(b *testing.B) { benchmarkDecode(b, tempoJSON(b, bigTrace(10_000))) }

func BenchmarkDecodeTrace10kProtobuf(b *testing.B) {
	benchmarkDecode(b, protobufBody(b, bigTrace(10_000), false, ""))
}

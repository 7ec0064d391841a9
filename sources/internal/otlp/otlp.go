// Package otlp turns OpenTelemetry trace data into funnel spans: the OTLP
// protobuf types (go.opentelemetry.io/proto/otlp) directly, and OTLP/JSON in
// both dialects backends speak: the standard one (hex IDs, integer enums,
// as Jaeger's /api/v3 answers) and the gogo/jsonpb one Tempo answers (base64
// IDs, enum names).
//
// Text is returned as the backend sent it; the UI sanitises it before
// drawing.
package otlp

import (
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	commonv1 "go.opentelemetry.io/proto/otlp/common/v1"
	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/redline-tui/redline/funnel/trace"
)

// UnknownService names the service of spans whose resource has no
// service.name, as the OpenTelemetry SDKs do.
const UnknownService = "unknown_service"

// Spans converts resource spans into funnel spans with normalised IDs. A
// span whose trace or span ID is missing or malformed cannot be placed in a
// tree: it is dropped and counted in the returned warnings.
func Spans(rs []*tracev1.ResourceSpans) ([]trace.Span, []string) {
	n := 0
	for _, r := range rs {
		for _, ss := range r.GetScopeSpans() {
			n += len(ss.GetSpans())
		}
	}
	out := make([]trace.Span, 0, n)
	dropped := 0
	for _, r := range rs {
		resource := Attrs(r.GetResource().GetAttributes())
		service := serviceName(resource)
		for _, ss := range r.GetScopeSpans() {
			scope := scopeAttrs(ss.GetScope())
			for _, s := range ss.GetSpans() {
				span, ok := convertSpan(s, service, resource, scope)
				if !ok {
					dropped++
					continue
				}
				out = append(out, span)
			}
		}
	}
	var warnings []string
	if dropped > 0 {
		warnings = append(warnings, fmt.Sprintf("%d span(s) without a valid trace or span ID were left out", dropped))
	}
	return out, warnings
}

func convertSpan(s *tracev1.Span, service string, resource, scope []trace.Attr) (trace.Span, bool) {
	traceID := trace.NormalizeTraceID(hex.EncodeToString(s.GetTraceId()))
	spanID := trace.NormalizeSpanID(hex.EncodeToString(s.GetSpanId()))
	if traceID == "" || spanID == "" {
		return trace.Span{}, false
	}
	start, end := s.GetStartTimeUnixNano(), s.GetEndTimeUnixNano()
	var d time.Duration
	if end > start {
		d = time.Duration(end - start)
	}
	attrs := Attrs(s.GetAttributes())
	attrs = append(attrs, scope...)
	return trace.Span{
		TraceID:       traceID,
		SpanID:        spanID,
		ParentID:      trace.NormalizeSpanID(hex.EncodeToString(s.GetParentSpanId())),
		Service:       service,
		Name:          s.GetName(),
		Kind:          Kind(s.GetKind()),
		Start:         unixNano(start),
		Duration:      d,
		Status:        Status(s.GetStatus().GetCode()),
		StatusMessage: s.GetStatus().GetMessage(),
		Attributes:    attrs,
		Resource:      resource,
		Events:        events(s.GetEvents()),
		Links:         links(s.GetLinks()),
	}, true
}

func unixNano(ns uint64) time.Time {
	if ns == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(ns))
}

func serviceName(resource []trace.Attr) string {
	for _, a := range resource {
		if a.Key == "service.name" && a.Value != "" {
			return a.Value
		}
	}
	return UnknownService
}

// scopeAttrs records the instrumentation scope the way OpenTelemetry's
// Jaeger mapping does, as otel.scope.name and otel.scope.version.
func scopeAttrs(s *commonv1.InstrumentationScope) []trace.Attr {
	var out []trace.Attr
	if name := s.GetName(); name != "" {
		out = append(out, trace.Attr{Key: "otel.scope.name", Value: name})
	}
	if v := s.GetVersion(); v != "" {
		out = append(out, trace.Attr{Key: "otel.scope.version", Value: v})
	}
	return out
}

func events(in []*tracev1.Span_Event) []trace.Event {
	if len(in) == 0 {
		return nil
	}
	out := make([]trace.Event, len(in))
	for i, e := range in {
		out[i] = trace.Event{Time: unixNano(e.GetTimeUnixNano()), Name: e.GetName(), Attributes: Attrs(e.GetAttributes())}
	}
	return out
}

func links(in []*tracev1.Span_Link) []trace.Link {
	if len(in) == 0 {
		return nil
	}
	out := make([]trace.Link, len(in))
	for i, l := range in {
		out[i] = trace.Link{
			TraceID:    trace.NormalizeTraceID(hex.EncodeToString(l.GetTraceId())),
			SpanID:     trace.NormalizeSpanID(hex.EncodeToString(l.GetSpanId())),
			Attributes: Attrs(l.GetAttributes()),
		}
	}
	return out
}

// Kind maps an OTLP span kind to the funnel's.
func Kind(k tracev1.Span_SpanKind) trace.Kind {
	switch k {
	case tracev1.Span_SPAN_KIND_INTERNAL:
		return trace.KindInternal
	case tracev1.Span_SPAN_KIND_SERVER:
		return trace.KindServer
	case tracev1.Span_SPAN_KIND_CLIENT:
		return trace.KindClient
	case tracev1.Span_SPAN_KIND_PRODUCER:
		return trace.KindProducer
	case tracev1.Span_SPAN_KIND_CONSUMER:
		return trace.KindConsumer
	}
	return trace.KindUnspecified
}

// Status maps an OTLP status code to the funnel's.
func Status(c tracev1.Status_StatusCode) trace.StatusCode {
	switch c {
	case tracev1.Status_STATUS_CODE_OK:
		return trace.StatusOK
	case tracev1.Status_STATUS_CODE_ERROR:
		return trace.StatusError
	}
	return trace.StatusUnset
}

// Attrs renders key-values as text attributes, in order.
func Attrs(kvs []*commonv1.KeyValue) []trace.Attr {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]trace.Attr, len(kvs))
	for i, kv := range kvs {
		out[i] = trace.Attr{Key: kv.GetKey(), Value: Value(kv.GetValue())}
	}
	return out
}

// Value renders an attribute value as text: strings as they are, numbers
// and booleans as Go formats them, bytes as base64 (as OTLP/JSON does),
// arrays as [a, b] and key-value lists as {k=v, …} with nested strings
// quoted. An absent value renders as "".
func Value(v *commonv1.AnyValue) string {
	if s, ok := v.GetValue().(*commonv1.AnyValue_StringValue); ok {
		return s.StringValue
	}
	var b strings.Builder
	writeValue(&b, v, false)
	return b.String()
}

func writeValue(b *strings.Builder, v *commonv1.AnyValue, quoteStrings bool) {
	switch x := v.GetValue().(type) {
	case *commonv1.AnyValue_StringValue:
		if quoteStrings {
			b.WriteString(strconv.Quote(x.StringValue))
		} else {
			b.WriteString(x.StringValue)
		}
	case *commonv1.AnyValue_BoolValue:
		b.WriteString(strconv.FormatBool(x.BoolValue))
	case *commonv1.AnyValue_IntValue:
		b.WriteString(strconv.FormatInt(x.IntValue, 10))
	case *commonv1.AnyValue_DoubleValue:
		b.WriteString(strconv.FormatFloat(x.DoubleValue, 'g', -1, 64))
	case *commonv1.AnyValue_BytesValue:
		b.WriteString(base64.StdEncoding.EncodeToString(x.BytesValue))
	case *commonv1.AnyValue_ArrayValue:
		b.WriteByte('[')
		for i, e := range x.ArrayValue.GetValues() {
			if i > 0 {
				b.WriteString(", ")
			}
			writeValue(b, e, true)
		}
		b.WriteByte(']')
	case *commonv1.AnyValue_KvlistValue:
		b.WriteByte('{')
		for i, kv := range x.KvlistValue.GetValues() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(kv.GetKey())
			b.WriteByte('=')
			writeValue(b, kv.GetValue(), true)
		}
		b.WriteByte('}')
	}
}

package otlp

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"strconv"

	commonv1 "go.opentelemetry.io/proto/otlp/common/v1"
	resourcev1 "go.opentelemetry.io/proto/otlp/resource/v1"
	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"
)

// JSONResourceSpans decodes a JSON array of OTLP resourceSpans in either
// dialect into protobuf types, so one conversion (Spans) serves every
// backend:
//   - IDs as hex (OTLP/JSON, Jaeger) or base64 (gogo jsonpb, Tempo): a
//     32- or 16-character hex string is hex, anything else base64; an ID
//     that decodes as neither is left empty and the span is later dropped
//     with a warning;
//   - kind and status code as integers or enum names ("SPAN_KIND_SERVER");
//   - 64-bit integers (times, intValue) as strings or numbers;
//   - the pre-1.0 keys instrumentationLibrarySpans/instrumentationLibrary
//     that old Tempo versions still write.
type JSONResourceSpans []*tracev1.ResourceSpans

// UnmarshalJSON implements json.Unmarshaler.
func (r *JSONResourceSpans) UnmarshalJSON(b []byte) error {
	var raw []jsonResourceSpans
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := make([]*tracev1.ResourceSpans, len(raw))
	for i := range raw {
		out[i] = raw[i].proto()
	}
	*r = out
	return nil
}

type jsonResourceSpans struct {
	Resource struct {
		Attributes []jsonKV `json:"attributes"`
	} `json:"resource"`
	ScopeSpans        []jsonScopeSpans `json:"scopeSpans"`
	LibrarySpansPre10 []jsonScopeSpans `json:"instrumentationLibrarySpans"`
}

func (r *jsonResourceSpans) proto() *tracev1.ResourceSpans {
	out := &tracev1.ResourceSpans{
		Resource:   &resourcev1.Resource{Attributes: kvsProto(r.Resource.Attributes)},
		ScopeSpans: make([]*tracev1.ScopeSpans, 0, len(r.ScopeSpans)+len(r.LibrarySpansPre10)),
	}
	for _, group := range [2][]jsonScopeSpans{r.ScopeSpans, r.LibrarySpansPre10} {
		for i := range group {
			out.ScopeSpans = append(out.ScopeSpans, group[i].proto())
		}
	}
	return out
}

type jsonScope struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type jsonScopeSpans struct {
	Scope      *jsonScope `json:"scope"`
	LibraryPre *jsonScope `json:"instrumentationLibrary"`
	Spans      []jsonSpan `json:"spans"`
}

func (s *jsonScopeSpans) proto() *tracev1.ScopeSpans {
	scope := s.Scope
	if scope == nil {
		scope = s.LibraryPre
	}
	out := &tracev1.ScopeSpans{Spans: make([]*tracev1.Span, len(s.Spans))}
	if scope != nil {
		out.Scope = &commonv1.InstrumentationScope{Name: scope.Name, Version: scope.Version}
	}
	for i := range s.Spans {
		out.Spans[i] = s.Spans[i].proto()
	}
	return out
}

type jsonSpan struct {
	TraceID      jsonID         `json:"traceId"`
	SpanID       jsonID         `json:"spanId"`
	ParentSpanID jsonID         `json:"parentSpanId"`
	TraceState   string         `json:"traceState"`
	Name         string         `json:"name"`
	Kind         jsonKind       `json:"kind"`
	Start        JSONUint64     `json:"startTimeUnixNano"`
	End          JSONUint64     `json:"endTimeUnixNano"`
	Attributes   []jsonKV       `json:"attributes"`
	Events       []jsonEvent    `json:"events"`
	Links        []jsonLink     `json:"links"`
	Status       jsonSpanStatus `json:"status"`
}

func (s *jsonSpan) proto() *tracev1.Span {
	out := &tracev1.Span{
		TraceId:           s.TraceID,
		SpanId:            s.SpanID,
		ParentSpanId:      s.ParentSpanID,
		TraceState:        s.TraceState,
		Name:              s.Name,
		Kind:              tracev1.Span_SpanKind(s.Kind),
		StartTimeUnixNano: uint64(s.Start),
		EndTimeUnixNano:   uint64(s.End),
		Attributes:        kvsProto(s.Attributes),
		Status:            &tracev1.Status{Code: tracev1.Status_StatusCode(s.Status.Code), Message: s.Status.Message},
	}
	if len(s.Events) > 0 {
		out.Events = make([]*tracev1.Span_Event, len(s.Events))
		for i, e := range s.Events {
			out.Events[i] = &tracev1.Span_Event{TimeUnixNano: uint64(e.Time), Name: e.Name, Attributes: kvsProto(e.Attributes)}
		}
	}
	if len(s.Links) > 0 {
		out.Links = make([]*tracev1.Span_Link, len(s.Links))
		for i, l := range s.Links {
			out.Links[i] = &tracev1.Span_Link{TraceId: l.TraceID, SpanId: l.SpanID, Attributes: kvsProto(l.Attributes)}
		}
	}
	return out
}

type jsonEvent struct {
	Time       JSONUint64 `json:"timeUnixNano"`
	Name       string     `json:"name"`
	Attributes []jsonKV   `json:"attributes"`
}

type jsonLink struct {
	TraceID    jsonID   `json:"traceId"`
	SpanID     jsonID   `json:"spanId"`
	Attributes []jsonKV `json:"attributes"`
}

type jsonSpanStatus struct {
	Code    jsonStatusCode `json:"code"`
	Message string         `json:"message"`
}

type jsonKV struct {
	Key   string  `json:"key"`
	Value jsonAny `json:"value"`
}

type jsonAny struct {
	StringValue *string     `json:"stringValue"`
	BoolValue   *bool       `json:"boolValue"`
	IntValue    *jsonInt    `json:"intValue"`
	DoubleValue *jsonFloat  `json:"doubleValue"`
	BytesValue  []byte      `json:"bytesValue"` // base64 in both dialects
	ArrayValue  *jsonValues `json:"arrayValue"`
	KvlistValue *jsonKVList `json:"kvlistValue"`
}

type jsonValues struct {
	Values []jsonAny `json:"values"`
}

type jsonKVList struct {
	Values []jsonKV `json:"values"`
}

func kvsProto(kvs []jsonKV) []*commonv1.KeyValue {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]*commonv1.KeyValue, len(kvs))
	for i := range kvs {
		out[i] = &commonv1.KeyValue{Key: kvs[i].Key, Value: kvs[i].Value.proto()}
	}
	return out
}

func (v *jsonAny) proto() *commonv1.AnyValue {
	switch {
	case v.StringValue != nil:
		return &commonv1.AnyValue{Value: &commonv1.AnyValue_StringValue{StringValue: *v.StringValue}}
	case v.BoolValue != nil:
		return &commonv1.AnyValue{Value: &commonv1.AnyValue_BoolValue{BoolValue: *v.BoolValue}}
	case v.IntValue != nil:
		return &commonv1.AnyValue{Value: &commonv1.AnyValue_IntValue{IntValue: int64(*v.IntValue)}}
	case v.DoubleValue != nil:
		return &commonv1.AnyValue{Value: &commonv1.AnyValue_DoubleValue{DoubleValue: float64(*v.DoubleValue)}}
	case v.BytesValue != nil:
		return &commonv1.AnyValue{Value: &commonv1.AnyValue_BytesValue{BytesValue: v.BytesValue}}
	case v.ArrayValue != nil:
		arr := &commonv1.ArrayValue{Values: make([]*commonv1.AnyValue, len(v.ArrayValue.Values))}
		for i := range v.ArrayValue.Values {
			arr.Values[i] = v.ArrayValue.Values[i].proto()
		}
		return &commonv1.AnyValue{Value: &commonv1.AnyValue_ArrayValue{ArrayValue: arr}}
	case v.KvlistValue != nil:
		return &commonv1.AnyValue{Value: &commonv1.AnyValue_KvlistValue{KvlistValue: &commonv1.KeyValueList{Values: kvsProto(v.KvlistValue.Values)}}}
	}
	return &commonv1.AnyValue{}
}

// jsonID is a trace or span ID in hex or base64; undecodable IDs are left
// empty rather than failing the whole answer.
type jsonID []byte

func (id *jsonID) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	*id = decodeID(s)
	return nil
}

func decodeID(s string) []byte {
	if s == "" {
		return nil
	}
	if len(s) == 32 || len(s) == 16 {
		if b, err := hex.DecodeString(s); err == nil {
			return b
		}
	}
	if b, err := base64.StdEncoding.DecodeString(s); err == nil {
		return b
	}
	if b, err := base64.RawURLEncoding.DecodeString(s); err == nil {
		return b
	}
	return nil
}

// JSONUint64 is a uint64 written as a JSON string (as proto JSON writes
// 64-bit integers) or as a number.
type JSONUint64 uint64

// UnmarshalJSON implements json.Unmarshaler.
func (u *JSONUint64) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := strconv.ParseUint(string(unquote(b)), 10, 64)
	if err != nil {
		return fmt.Errorf("want an unsigned integer, got %s", b)
	}
	*u = JSONUint64(v)
	return nil
}

// jsonInt is an int64 written as a JSON string or number.
type jsonInt int64

func (n *jsonInt) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := strconv.ParseInt(string(unquote(b)), 10, 64)
	if err != nil {
		return fmt.Errorf("want an integer, got %s", b)
	}
	*n = jsonInt(v)
	return nil
}

// jsonFloat is a double written as a JSON number or as one of the strings
// proto JSON uses for non-finite values ("NaN", "Infinity", "-Infinity").
type jsonFloat float64

func (f *jsonFloat) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	s := string(unquote(b))
	switch s {
	case "NaN":
		*f = jsonFloat(math.NaN())
		return nil
	case "Infinity":
		*f = jsonFloat(math.Inf(1))
		return nil
	case "-Infinity":
		*f = jsonFloat(math.Inf(-1))
		return nil
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return fmt.Errorf("want a number, got %s", b)
	}
	*f = jsonFloat(v)
	return nil
}

// jsonKind is a span kind as an integer or an enum name.
type jsonKind int32

func (k *jsonKind) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := enumValue(b, tracev1.Span_SpanKind_value)
	*k = jsonKind(v)
	return err
}

// jsonStatusCode is a status code as an integer or an enum name.
type jsonStatusCode int32

func (c *jsonStatusCode) UnmarshalJSON(b []byte) error {
	if isNull(b) {
		return nil
	}
	v, err := enumValue(b, tracev1.Status_StatusCode_value)
	*c = jsonStatusCode(v)
	return err
}

// enumValue reads an enum as a JSON number or as its proto name; an
// unknown name reads as 0 (unspecified), as proto JSON parsers do when
// told to discard unknown values.
func enumValue(b []byte, names map[string]int32) (int32, error) {
	if len(b) > 0 && b[0] == '"' {
		var name string
		if err := json.Unmarshal(b, &name); err != nil {
			return 0, err
		}
		return names[name], nil
	}
	v, err := strconv.ParseInt(string(b), 10, 32)
	if err != nil {
		return 0, fmt.Errorf("want an enum name or number, got %s", b)
	}
	return int32(v), nil
}

func unquote(b []byte) []byte {
	if len(b) >= 2 && b[0] == '"' && b[len(b)-1] == '"' {
		return b[1 : len(b)-1]
	}
	return bytes.TrimSpace(b)
}

// isNull reports a JSON null, which decodes as "absent" (the zero value).
func isNull(b []byte) bool { return string(b) == "null" }

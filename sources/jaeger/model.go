package jaeger

import (
	"strings"

	model "github.com/jaegertracing/jaeger-idl/model/v1"

	"github.com/redline-tui/redline/funnel/trace"
)

// Tags the OpenTelemetry→Jaeger translation uses for span fields Jaeger's
// model lacks; they become Kind, Status and StatusMessage.
const (
	tagSpanKind          = "span.kind"
	tagStatusCode        = "otel.status_code"
	tagStatusDescription = "otel.status_description"
	tagError             = "error"
)

// fromModel converts an api_v2 span: process service name and tags (as the
// resource), tags (span.kind → Kind, otel.status_code or error=true →
// Status, otel.status_description → StatusMessage), logs → events, the
// first CHILD_OF reference in the trace → parent, other references → links.
func fromModel(s *model.Span) trace.Span {
	out := trace.Span{
		TraceID:  trace.NormalizeTraceID(s.TraceID.String()),
		SpanID:   trace.NormalizeSpanID(s.SpanID.String()),
		Name:     s.OperationName,
		Start:    s.StartTime,
		Duration: s.Duration,
	}
	if p := s.Process; p != nil {
		out.Service = p.ServiceName
		out.Resource = append([]trace.Attr{{Key: "service.name", Value: p.ServiceName}}, attrs(p.Tags)...)
	}
	out.Attributes = spanTags(&out, s.Tags)
	out.ParentID, out.Links = references(s)
	out.Events = logs(s.Logs)
	return out
}

// spanTags sets kind and status from their tags and returns the rest.
func spanTags(out *trace.Span, tags []model.KeyValue) []trace.Attr {
	rest := make([]trace.Attr, 0, len(tags))
	errorTag := false
	for i := range tags {
		kv := &tags[i]
		switch kv.Key {
		case tagSpanKind:
			out.Kind = kind(kv.AsString())
		case tagStatusCode:
			out.Status = statusCode(kv.AsString())
		case tagStatusDescription:
			out.StatusMessage = kv.AsString()
		default:
			if kv.Key == tagError && strings.EqualFold(kv.AsString(), "true") {
				errorTag = true
			}
			rest = append(rest, trace.Attr{Key: kv.Key, Value: kv.AsString()})
		}
	}
	if errorTag && out.Status == trace.StatusUnset {
		out.Status = trace.StatusError
	}
	return rest
}

func kind(s string) trace.Kind {
	switch strings.ToLower(s) {
	case "server":
		return trace.KindServer
	case "client":
		return trace.KindClient
	case "producer":
		return trace.KindProducer
	case "consumer":
		return trace.KindConsumer
	case "internal":
		return trace.KindInternal
	}
	return trace.KindUnspecified
}

func statusCode(s string) trace.StatusCode {
	switch strings.ToUpper(s) {
	case "ERROR":
		return trace.StatusError
	case "OK":
		return trace.StatusOK
	}
	return trace.StatusUnset
}

func references(s *model.Span) (parent string, links []trace.Link) {
	for _, ref := range s.References {
		tid := trace.NormalizeTraceID(ref.TraceID.String())
		sid := trace.NormalizeSpanID(ref.SpanID.String())
		if parent == "" && ref.RefType == model.SpanRefType_CHILD_OF && ref.TraceID == s.TraceID {
			parent = sid
			continue
		}
		links = append(links, trace.Link{TraceID: tid, SpanID: sid})
	}
	return parent, links
}

// logs become events named by their "event" field (as OpenTelemetry's
// Jaeger translation writes the event name), other fields as attributes.
func logs(in []model.Log) []trace.Event {
	if len(in) == 0 {
		return nil
	}
	out := make([]trace.Event, len(in))
	for i, l := range in {
		ev := trace.Event{Time: l.Timestamp}
		for j := range l.Fields {
			f := &l.Fields[j]
			if f.Key == "event" && ev.Name == "" {
				ev.Name = f.AsString()
				continue
			}
			ev.Attributes = append(ev.Attributes, trace.Attr{Key: f.Key, Value: f.AsString()})
		}
		out[i] = ev
	}
	return out
}

func attrs(kvs []model.KeyValue) []trace.Attr {
	if len(kvs) == 0 {
		return nil
	}
	out := make([]trace.Attr, len(kvs))
	for i := range kvs {
		out[i] = trace.Attr{Key: kvs[i].Key, Value: kvs[i].AsString()}
	}
	return out
}

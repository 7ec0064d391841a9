package tempo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	tracev1 "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/internal/httpx"
	"github.com/redline-tui/redline/sources/internal/otlp"
	"github.com/redline-tui/redline/sources/internal/step"
)

// Media types for trace by ID: protobuf is smaller and faster to decode;
// JSON is what every Tempo can answer.
const (
	acceptProtobuf = "application/protobuf"
	acceptJSON     = "application/json"
)

// Trace loads the whole trace from /api/v2/traces/<id> (protobuf, or JSON
// when the server answers JSON or refuses protobuf), falling back to the
// v1 route /api/traces/<id> for a Tempo without the v2 API. r, when set,
// narrows the blocks Tempo searches (start/end in unix seconds).
//
// A trace Tempo cut at its size limit comes back with Partial set and
// Tempo's message as a warning. A trace Tempo does not have is an error
// "tempo: trace <id> not found".
func (c *Client) Trace(ctx context.Context, traceID string, r funnel.TimeRange) (*trace.Trace, error) {
	ctx, end := step.Begin(ctx)
	out, err := c.traceByID(ctx, traceID, r)
	return out, end(err)
}

// traceByID is Trace within its step (package step): its queries share the
// backend's deadline, and none is sent once one timed out.
func (c *Client) traceByID(ctx context.Context, traceID string, r funnel.TimeRange) (*trace.Trace, error) {
	id := trace.NormalizeTraceID(traceID)
	if id == "" {
		return nil, fmt.Errorf("tempo: %q is not a trace ID (want 1 to 32 hex digits)", traceID)
	}
	decoded, err := c.fetchTrace(ctx, id, r)
	if err != nil {
		return nil, err
	}
	spans, warnings := otlp.Spans(decoded.resourceSpans)
	if len(spans) == 0 {
		return nil, notFound(id, r)
	}
	t := &trace.Trace{
		ID:       id,
		Spans:    spans,
		Partial:  decoded.partial,
		Warnings: warnings,
		Queries: []funnel.Query{{
			Backend:  backend,
			Language: funnel.TraceQL,
			Purpose:  "trace " + id,
			Text:     "{ trace:id = " + quoteTraceQL(id) + " }",
			Range:    r,
		}},
	}
	if decoded.partial {
		msg := "Tempo returned a partial trace"
		if decoded.message != "" {
			msg += ": " + decoded.message
		}
		t.Warnings = append([]string{msg}, t.Warnings...)
	}
	return t, nil
}

// decodedTrace is a trace-by-ID answer in any of Tempo's encodings.
type decodedTrace struct {
	resourceSpans []*tracev1.ResourceSpans
	partial       bool
	message       string
}

// fetchTrace tries the v2 route, then the v1 route when Tempo does not
// know v2 (a router 404, "404 page not found", rather than a trace 404).
func (c *Client) fetchTrace(ctx context.Context, id string, r funnel.TimeRange) (decodedTrace, error) {
	params := url.Values{}
	addRange(params, r)
	var decoded decodedTrace
	decode := func(v1 bool) func([]byte) error {
		return func(body []byte) (err error) {
			if decoded, err = decodeTrace(body, v1); err != nil {
				return fmt.Errorf("tempo: cannot read trace %s: %w", id, err)
			}
			return nil
		}
	}
	err := c.getTrace(ctx, "/api/v2/traces/"+id, params, decode(false))
	if isUnknownRoute(err) {
		err = c.getTrace(ctx, "/api/traces/"+id, params, decode(true))
	}
	var se *httpx.StatusError
	switch {
	case errors.As(err, &se) && se.Code == http.StatusNotFound && !isUnknownRoute(err):
		return decodedTrace{}, notFound(id, r)
	case err != nil:
		return decodedTrace{}, err
	}
	return decoded, nil
}

// getTrace asks for protobuf and retries once with JSON when the server
// refuses it (406 Not Acceptable, e.g. a proxy in front of Tempo); the
// answer is decoded while its bytes are held from the budget.
func (c *Client) getTrace(ctx context.Context, path string, params url.Values, decode func([]byte) error) error {
	err := c.http.GetWith(ctx, path, params, c.header(acceptProtobuf), decode)
	var se *httpx.StatusError
	if errors.As(err, &se) && se.Code == http.StatusNotAcceptable {
		return c.http.GetWith(ctx, path, params, c.header(acceptJSON), decode)
	}
	return err
}

// isUnknownRoute reports a 404 from Tempo's router (the route does not
// exist) rather than from the trace lookup.
func isUnknownRoute(err error) bool {
	var se *httpx.StatusError
	return errors.As(err, &se) && se.Code == http.StatusNotFound &&
		strings.Contains(strings.ToLower(se.Message), "page not found")
}

// notFound is the error for a trace Tempo does not have (a 404, or an
// answer without spans, which is how the v2 API says it).
func notFound(id string, r funnel.TimeRange) error {
	if !r.Start.IsZero() && !r.End.IsZero() {
		return fmt.Errorf("tempo: trace %s %w in %s (it may lie outside that range)", id, trace.ErrNotFound, r)
	}
	return fmt.Errorf("tempo: trace %s %w", id, trace.ErrNotFound)
}

// decodeTrace reads a trace-by-ID body. The encoding is recognised from the
// body itself, since a Tempo may ignore Accept: JSON starts with '{', which
// as protobuf would be field 15 with the deprecated group wire type that
// neither tempopb.TraceByIDResponse nor tempopb.Trace can hold. v1 says the
// body came from the v1 route, whose protobuf is a bare tempopb.Trace.
func decodeTrace(body []byte, v1 bool) (decodedTrace, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) > 0 && trimmed[0] == '{' {
		return decodeTraceJSON(trimmed)
	}
	if v1 {
		return decodeTraceProto(body)
	}
	return decodeResponseProto(body)
}

// traceJSON covers both JSON shapes: v2 {"trace":{"resourceSpans":[…]},
// "status":"PARTIAL","message":…} and v1 {"batches":[…]}.
type traceJSON struct {
	Trace *struct {
		ResourceSpans otlp.JSONResourceSpans `json:"resourceSpans"`
		Batches       otlp.JSONResourceSpans `json:"batches"`
	} `json:"trace"`
	Batches       otlp.JSONResourceSpans `json:"batches"`
	ResourceSpans otlp.JSONResourceSpans `json:"resourceSpans"`
	Status        json.RawMessage        `json:"status"`
	Message       string                 `json:"message"`
}

func decodeTraceJSON(body []byte) (decodedTrace, error) {
	var tj traceJSON
	if err := json.Unmarshal(body, &tj); err != nil {
		return decodedTrace{}, fmt.Errorf("malformed JSON: %w", err)
	}
	d := decodedTrace{message: tj.Message, partial: isPartial(tj.Status)}
	d.resourceSpans = append(d.resourceSpans, tj.Batches...)
	d.resourceSpans = append(d.resourceSpans, tj.ResourceSpans...)
	if tj.Trace != nil {
		d.resourceSpans = append(d.resourceSpans, tj.Trace.ResourceSpans...)
		d.resourceSpans = append(d.resourceSpans, tj.Trace.Batches...)
	}
	return d, nil
}

// statusPartial is tempopb.PartialStatus PARTIAL (COMPLETE = 0 is omitted).
const statusPartial = 1

// isPartial reads the status as jsonpb writes it ("PARTIAL") or as a number.
func isPartial(raw json.RawMessage) bool {
	s := strings.Trim(string(raw), `" `)
	return s == "PARTIAL" || s == "1"
}

// Field numbers of tempopb.TraceByIDResponse (Tempo's pkg/tempopb/tempo.proto):
//
//	message TraceByIDResponse {
//	  Trace trace = 1;  // Trace{repeated ResourceSpans resourceSpans = 1}
//	  TraceByIDMetrics metrics = 2;
//	  PartialStatus status = 3;  // COMPLETE = 0, PARTIAL = 1
//	  string message = 4;
//	}
//
// tempopb.Trace has the wire format of OTLP TracesData (field 1, repeated
// ResourceSpans), so its bytes unmarshal into tracev1.TracesData.
const (
	fieldTrace   protowire.Number = 1
	fieldStatus  protowire.Number = 3
	fieldMessage protowire.Number = 4
)

// decodeResponseProto reads a protobuf tempopb.TraceByIDResponse, walking
// the envelope with protowire so Tempo's module is not needed.
func decodeResponseProto(b []byte) (decodedTrace, error) {
	var (
		d        decodedTrace
		traceMsg []byte
	)
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return d, protobufError(protowire.ParseError(n))
		}
		b = b[n:]
		switch {
		case num == fieldTrace && typ == protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return d, protobufError(protowire.ParseError(m))
			}
			// A repeated occurrence of a message field merges into it;
			// for TracesData that is concatenation. The first one is used
			// in place, not copied.
			if traceMsg == nil {
				traceMsg = v
			} else {
				traceMsg = append(slices.Clip(traceMsg), v...)
			}
			n = m
		case num == fieldStatus && typ == protowire.VarintType:
			v, m := protowire.ConsumeVarint(b)
			if m < 0 {
				return d, protobufError(protowire.ParseError(m))
			}
			d.partial = v == statusPartial
			n = m
		case num == fieldMessage && typ == protowire.BytesType:
			v, m := protowire.ConsumeBytes(b)
			if m < 0 {
				return d, protobufError(protowire.ParseError(m))
			}
			d.message = string(v)
			n = m
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
			if n < 0 {
				return d, protobufError(protowire.ParseError(n))
			}
		}
		b = b[n:]
	}
	inner, err := decodeTraceProto(traceMsg)
	inner.partial, inner.message = d.partial, d.message
	return inner, err
}

// decodeTraceProto reads a protobuf tempopb.Trace as OTLP TracesData.
func decodeTraceProto(b []byte) (decodedTrace, error) {
	var td tracev1.TracesData
	if err := proto.Unmarshal(b, &td); err != nil {
		return decodedTrace{}, protobufError(err)
	}
	return decodedTrace{resourceSpans: td.ResourceSpans}, nil
}

func protobufError(err error) error {
	return fmt.Errorf("truncated or malformed protobuf: %w", err)
}

package jaeger

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/sources/internal/httpx"
	"github.com/redline-tui/redline/sources/internal/otlp"
)

// httpTransport speaks Jaeger's HTTP /api/v3 gateway, whose answers are
// OTLP JSON (hex IDs, integer enums) wrapped as {"result": …}. Parameters
// use the snake_case names every Jaeger v2 accepts (newer ones also take
// camelCase).
type httpTransport struct {
	http   *httpx.Client
	header http.Header
}

func newHTTP(cfg Config) (*httpTransport, error) {
	hc := cfg.HTTPClient
	if hc == nil && cfg.TLS != nil {
		hc = &http.Client{Transport: &http.Transport{TLSClientConfig: cfg.TLS, Proxy: http.ProxyFromEnvironment}}
	}
	c, err := httpx.New(backend, cfg.HTTPURL, hc, cfg.MaxBody, cfg.Budget)
	if err != nil {
		return nil, err
	}
	c.Tenant = cfg.Tenant
	h := http.Header{"Accept": {"application/json"}}
	if cfg.Token != "" {
		h.Set("Authorization", "Bearer "+cfg.Token)
	}
	return &httpTransport{http: c, header: h}, nil
}

func (h *httpTransport) endpoint() string { return h.http.Base.String() }

func (h *httpTransport) close() error { return nil }

// tracesAnswer is the {"result": TracesData} wrapper of /api/v3/traces.
type tracesAnswer struct {
	Result struct {
		ResourceSpans otlp.JSONResourceSpans `json:"resourceSpans"`
	} `json:"result"`
}

func (h *httpTransport) findSpans(ctx context.Context, p searchParams) ([]trace.Span, error) {
	params := url.Values{
		"query.service_name":   {p.Service},
		"query.start_time_min": {p.Start.UTC().Format(time.RFC3339Nano)},
		"query.start_time_max": {p.End.UTC().Format(time.RFC3339Nano)},
		"query.num_traces":     {strconv.Itoa(p.Depth)},
	}
	if p.Operation != "" {
		params.Set("query.operation_name", p.Operation)
	}
	if p.MinDuration > 0 {
		params.Set("query.duration_min", p.MinDuration.String())
	}
	if len(p.Tags) > 0 {
		tags, _ := json.Marshal(p.Tags) // a map[string]string always marshals
		params.Set("query.attributes", string(tags))
	}
	var ans tracesAnswer
	err := h.http.GetJSON(ctx, "/api/v3/traces", params, h.header, &ans)
	if isNoTraces(err) {
		return nil, nil // Jaeger answers an empty search with 404
	}
	if err != nil {
		return nil, err
	}
	spans, _ := otlp.Spans(ans.Result.ResourceSpans)
	return spans, nil
}

func (h *httpTransport) traceSpans(ctx context.Context, id string, r funnel.TimeRange) ([]trace.Span, []string, error) {
	params := url.Values{}
	if !r.Start.IsZero() && !r.End.IsZero() {
		params.Set("start_time", r.Start.UTC().Format(time.RFC3339Nano))
		params.Set("end_time", r.End.UTC().Format(time.RFC3339Nano))
	}
	var ans tracesAnswer
	err := h.http.GetJSON(ctx, "/api/v3/traces/"+id, params, h.header, &ans)
	if isNoTraces(err) {
		return nil, nil, notFound(id)
	}
	if err != nil {
		return nil, nil, err
	}
	spans, warnings := otlp.Spans(ans.Result.ResourceSpans)
	return spans, warnings, nil
}

// isNoTraces reports Jaeger's "no traces" answer, a 404 with
// {"error":{"httpCode":404,"message":"No traces found"}}, as opposed to a
// 404 for a wrong URL.
func isNoTraces(err error) bool {
	var se *httpx.StatusError
	return errors.As(err, &se) && se.Code == http.StatusNotFound &&
		strings.Contains(se.Message, "No traces found")
}

func (h *httpTransport) operations(ctx context.Context, service string) ([]string, error) {
	var ans struct {
		Operations []struct {
			Name string `json:"name"`
		} `json:"operations"`
	}
	params := url.Values{"service": {service}, "span_kind": {"server"}}
	if err := h.http.GetJSON(ctx, "/api/v3/operations", params, h.header, &ans); err != nil {
		return nil, err
	}
	names := make([]string, len(ans.Operations))
	for i, op := range ans.Operations {
		names[i] = op.Name
	}
	return names, nil
}

func (h *httpTransport) services(ctx context.Context) ([]string, error) {
	var ans struct {
		Services []string `json:"services"`
	}
	if err := h.http.GetJSON(ctx, "/api/v3/services", nil, h.header, &ans); err != nil {
		return nil, err
	}
	return ans.Services, nil
}

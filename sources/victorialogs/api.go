package victorialogs

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/sources/internal/httpx"
)

// VictoriaLogs HTTP API paths.
const (
	pathQuery            = "/select/logsql/query"
	pathFieldNames       = "/select/logsql/field_names"
	pathStreamFieldNames = "/select/logsql/stream_field_names"
	pathFieldValues      = "/select/logsql/field_values"
	pathHealth           = "/health"
)

// valuesResponse is the answer of the field and stream field endpoints.
type valuesResponse struct {
	Values []struct {
		Value string `json:"value"`
		Hits  uint64 `json:"hits"`
	} `json:"values"`
}

// windowParams renders r as start and end (RFC 3339, nanoseconds).
func windowParams(r funnel.TimeRange) url.Values {
	return url.Values{
		"start": {r.Start.UTC().Format(time.RFC3339Nano)},
		"end":   {r.End.UTC().Format(time.RFC3339Nano)},
	}
}

// names lists the values of a discovery endpoint over every line in r:
// field names, stream field names, or with field set that field's values.
func (c *Client) names(ctx context.Context, path, field string, r funnel.TimeRange) ([]string, error) {
	params := windowParams(r)
	params.Set("query", "*")
	if field != "" {
		params.Set("field", field)
	}
	var resp valuesResponse
	if err := c.http.GetJSON(ctx, path, params, c.tenant, &resp); err != nil {
		return nil, explain(err, "")
	}
	out := make([]string, len(resp.Values))
	for i, v := range resp.Values {
		out[i] = v.Value
	}
	return out, nil
}

// fieldNames lists the field names and the stream field names seen in r.
func (c *Client) fieldNames(ctx context.Context, r funnel.TimeRange) (fields, streamFields []string, err error) {
	if streamFields, err = c.names(ctx, pathStreamFieldNames, "", r); err != nil {
		return nil, nil, err
	}
	fields, err = c.names(ctx, pathFieldNames, "", r)
	return fields, streamFields, err
}

// query runs one LogsQL query, streaming and decoding its JSON lines; at
// most limit entries are kept.
func (c *Client) query(ctx context.Context, logsql string, limit int) ([]entry, error) {
	params := url.Values{"query": {logsql}, "limit": {strconv.Itoa(limit)}}
	body, err := c.http.Open(ctx, pathQuery, params, c.tenant)
	if err != nil {
		return nil, explain(err, logsql)
	}
	defer body.Close()
	entries, err := decodeLines(body, limit)
	switch {
	case errors.Is(err, errMalformed):
		return nil, fmt.Errorf("%s: %w", backend, err)
	case err != nil:
		return nil, httpx.Describe(backend, err)
	}
	return entries, nil
}

// explain adds the query to a 400 answer (VictoriaLogs says what it could
// not parse, and the query was built here).
func explain(err error, logsql string) error {
	var se *httpx.StatusError
	if errors.As(err, &se) && se.Code == http.StatusBadRequest && logsql != "" {
		return hinted{err, "query was " + logsql}
	}
	return err
}

// hinted is an error with a fix appended; errors.As still finds the cause.
type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() + "; " + h.hint }
func (h hinted) Unwrap() error { return h.err }

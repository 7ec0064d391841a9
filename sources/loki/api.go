package loki

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/sources/internal/httpx"
)

// Loki HTTP API paths.
const (
	pathQueryRange  = "/loki/api/v1/query_range"
	pathLabels      = "/loki/api/v1/labels"
	pathLabelValues = "/loki/api/v1/label/%s/values"
	pathReady       = "/ready"
	pathBuildInfo   = "/loki/api/v1/status/buildinfo"
)

// Encoding flag asking Loki 3 to keep structured metadata and parsed
// labels apart from the stream labels (3-element values).
const (
	headerEncodingFlags = "X-Loki-Response-Encoding-Flags"
	flagCategorize      = "categorize-labels"
)

// rangeParams renders a window as Loki's start/end in nanoseconds.
func rangeParams(r funnel.TimeRange) url.Values {
	return url.Values{
		"start": {strconv.FormatInt(r.Start.UnixNano(), 10)},
		"end":   {strconv.FormatInt(r.End.UnixNano(), 10)},
	}
}

// labelsResponse is the answer of the labels and label values endpoints.
type labelsResponse struct {
	Status string   `json:"status"`
	Data   []string `json:"data"`
}

// labelNames lists the stream label names seen in r (Loki's default window
// when r is zero).
func (c *Client) labelNames(ctx context.Context, r funnel.TimeRange) ([]string, error) {
	return c.getLabels(ctx, pathLabels, r)
}

// labelValues lists the values of stream label name seen in r.
func (c *Client) labelValues(ctx context.Context, name string, r funnel.TimeRange) ([]string, error) {
	return c.getLabels(ctx, fmt.Sprintf(pathLabelValues, url.PathEscape(name)), r)
}

func (c *Client) getLabels(ctx context.Context, path string, r funnel.TimeRange) ([]string, error) {
	params := url.Values{}
	if !r.Start.IsZero() {
		params = rangeParams(r)
	}
	var resp labelsResponse
	if err := c.http.GetJSON(ctx, path, params, nil, &resp); err != nil {
		return nil, explain(err, "")
	}
	if resp.Status != "success" {
		return nil, fmt.Errorf("loki: %s answered status %q", path, resp.Status)
	}
	return resp.Data, nil
}

// queryRange runs one LogQL log query over r and decodes its streams.
func (c *Client) queryRange(ctx context.Context, logql string, r funnel.TimeRange, limit int) (decoded, error) {
	params := rangeParams(r)
	params.Set("query", logql)
	params.Set("limit", strconv.Itoa(limit))
	params.Set("direction", c.direction)
	h := http.Header{headerEncodingFlags: {flagCategorize}}
	body, err := c.http.Open(ctx, pathQueryRange, params, h)
	if err != nil {
		return decoded{}, explain(err, logql)
	}
	defer body.Close()
	return decodeStreams(body)
}

// explain adds the fix to Loki's well-known refusals: a missing tenant,
// too large a limit, and a query Loki cannot parse (quoted, since it was
// built here).
func explain(err error, logql string) error {
	var se *httpx.StatusError
	if !errors.As(err, &se) {
		return err
	}
	msg := strings.ToLower(se.Message)
	switch {
	case se.Code == http.StatusUnauthorized && strings.Contains(msg, "no org id"):
		return hinted{err, "this Loki runs with auth_enabled: set tenant in the loki endpoint's config"}
	case strings.Contains(msg, "max entries limit"):
		return hinted{err, "lower limit in the loki endpoint's config" + maxEntries(msg) + ", or raise limits_config.max_entries_limit_per_query in Loki"}
	case se.Code == http.StatusBadRequest && logql != "":
		return hinted{err, "query was " + logql}
	}
	return err
}

// maxEntriesRE finds Loki's cap in "… (1000 > 500)".
var maxEntriesRE = regexp.MustCompile(`\(\d+ > (\d+)\)`)

// maxEntries renders " to at most N" when Loki named its cap.
func maxEntries(msg string) string {
	if m := maxEntriesRE.FindStringSubmatch(msg); m != nil {
		return " to at most " + m[1]
	}
	return ""
}

// hinted is an error with a fix appended; errors.As still finds the cause.
type hinted struct {
	err  error
	hint string
}

func (h hinted) Error() string { return h.err.Error() + "; " + h.hint }
func (h hinted) Unwrap() error { return h.err }

package loki

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel/logs"
)

// queryResponse is query_range's answer for a log query. With the
// categorize-labels flag, values are [ns, line, {structuredMetadata, parsed}]
// and data.encodingFlags echoes the flag; an older Loki ignores the header
// and answers [ns, line] with metadata and parsed labels merged into stream.
type queryResponse struct {
	Status   string   `json:"status"`
	Warnings []string `json:"warnings"`
	Data     struct {
		ResultType    string   `json:"resultType"`
		EncodingFlags []string `json:"encodingFlags"`
		Result        []stream `json:"result"`
	} `json:"data"`
}

type stream struct {
	Stream map[string]string `json:"stream"`
	Values []entry           `json:"values"`
}

// entry is one value of a stream.
type entry struct {
	ns       string
	line     string
	category categories
}

type categories struct {
	StructuredMetadata map[string]string `json:"structuredMetadata"`
	Parsed             map[string]string `json:"parsed"`
}

// UnmarshalJSON decodes a 2- or 3-element value array in place: the
// pointers in the slice are filled by encoding/json directly.
func (e *entry) UnmarshalJSON(b []byte) error {
	parts := []any{&e.ns, &e.line, &e.category}
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	if len(parts) < 2 {
		return fmt.Errorf("stream value has %d elements, want [timestamp, line] or [timestamp, line, metadata]", len(parts))
	}
	return nil
}

// decoded is one query's lines, in the order Loki sent them (sorted per
// stream only), with the key of their stream for de-duplication.
type decoded struct {
	lines       []streamLine
	warnings    []string
	categorized bool // the answer kept structured metadata apart
}

type streamLine struct {
	line   logs.Line
	stream string            // canonical rendering of the stream labels
	sm     map[string]string // structured metadata (the merged stream on an old Loki)
}

// decodeStreams decodes a query_range body into lines. Labels of one
// stream are shared by its lines and must not be modified.
func decodeStreams(body []byte) (decoded, error) {
	var resp queryResponse
	if err := json.Unmarshal(body, &resp); err != nil {
		return decoded{}, fmt.Errorf("loki: malformed query_range answer: %w", err)
	}
	if resp.Status != "success" {
		return decoded{}, fmt.Errorf("loki: query_range answered status %q", resp.Status)
	}
	if t := resp.Data.ResultType; t != "streams" {
		return decoded{}, fmt.Errorf("loki: query_range answered %q, want streams (a log query, not a metric query)", t)
	}
	out := decoded{
		warnings:    resp.Warnings,
		categorized: slices.Contains(resp.Data.EncodingFlags, flagCategorize),
	}
	n := 0
	for _, s := range resp.Data.Result {
		n += len(s.Values)
	}
	out.lines = make([]streamLine, 0, n)
	for _, s := range resp.Data.Result {
		key := streamKey(s.Stream)
		for _, e := range s.Values {
			l, err := e.toLine(s.Stream, out.categorized)
			if err != nil {
				return decoded{}, err
			}
			sm := e.category.StructuredMetadata
			if !out.categorized {
				sm = s.Stream
			}
			out.lines = append(out.lines, streamLine{line: l, stream: key, sm: sm})
		}
	}
	return out, nil
}

// toLine builds a Line. Without categorize-labels the stream holds
// structured metadata and parsed labels mixed with the index labels, so
// Labels and Metadata are both that merged set.
func (e entry) toLine(labels map[string]string, categorized bool) (logs.Line, error) {
	ns, err := strconv.ParseInt(e.ns, 10, 64)
	if err != nil {
		return logs.Line{}, fmt.Errorf("loki: malformed timestamp %q in query_range answer: want nanoseconds", e.ns)
	}
	l := logs.Line{Time: time.Unix(0, ns).UTC(), Body: e.line, Labels: labels}
	switch {
	case !categorized:
		l.Metadata = labels
	case len(e.category.Parsed) == 0:
		l.Metadata = e.category.StructuredMetadata
	case len(e.category.StructuredMetadata) == 0:
		l.Metadata = e.category.Parsed
	default:
		l.Metadata = make(map[string]string, len(e.category.StructuredMetadata)+len(e.category.Parsed))
		for k, v := range e.category.StructuredMetadata {
			l.Metadata[k] = v
		}
		for k, v := range e.category.Parsed {
			l.Metadata[k] = v
		}
	}
	return l, nil
}

// streamKey renders labels canonically (sorted, quoted) so equal streams
// from different queries compare equal.
func streamKey(labels map[string]string) string {
	keys := make([]string, 0, len(labels))
	for k := range labels {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		b.WriteString(k)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(labels[k]))
		b.WriteByte(',')
	}
	return b.String()
}

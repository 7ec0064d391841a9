package loki

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/sources/internal/httpx"
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
	ns       int64
	line     string
	category categories
}

type categories struct {
	StructuredMetadata map[string]string `json:"structuredMetadata"`
	Parsed             map[string]string `json:"parsed"`
}

// UnmarshalJSON decodes a 2- or 3-element value array. encoding/json has
// validated the whole answer before calling it, so the usual shape
// ["ns", "line", {…}] is split by hand, which saves most allocations of a
// large answer; anything else takes the general path.
func (e *entry) UnmarshalJSON(b []byte) error {
	ts, line, meta, ok := splitValue(b)
	if !ok || bytes.IndexByte(ts, '\\') >= 0 {
		return e.unmarshalSlow(b)
	}
	if err := e.setTime(string(ts[1 : len(ts)-1])); err != nil {
		return err
	}
	if plain, ok := plainString(line); ok {
		e.line = plain
	} else if err := json.Unmarshal(line, &e.line); err != nil {
		return err
	}
	if meta == nil || isEmptyObject(meta) {
		return nil
	}
	if e.category, ok = splitCategories(meta); ok {
		return nil
	}
	return json.Unmarshal(meta, &e.category)
}

// unmarshalSlow decodes any valid value array through encoding/json.
func (e *entry) unmarshalSlow(b []byte) error {
	var ts string
	parts := []any{&ts, &e.line, &e.category}
	if err := json.Unmarshal(b, &parts); err != nil {
		return err
	}
	if len(parts) < 2 {
		return fmt.Errorf("stream value has %d elements, want [timestamp, line] or [timestamp, line, metadata]", len(parts))
	}
	return e.setTime(ts)
}

func (e *entry) setTime(ts string) error {
	ns, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("malformed timestamp %q: want nanoseconds", ts)
	}
	e.ns = ns
	return nil
}

// splitValue splits valid JSON `["ts", "line"]` or `["ts", "line", {…}]`
// into its raw elements (strings with their quotes). ok is false for any
// other shape.
func splitValue(b []byte) (ts, line, meta []byte, ok bool) {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '[' {
		return nil, nil, nil, false
	}
	if ts, i, ok = rawString(b, skipSpace(b, i+1)); !ok {
		return nil, nil, nil, false
	}
	if i = skipSpace(b, i); i >= len(b) || b[i] != ',' {
		return nil, nil, nil, false
	}
	if line, i, ok = rawString(b, skipSpace(b, i+1)); !ok {
		return nil, nil, nil, false
	}
	switch i = skipSpace(b, i); {
	case i < len(b) && b[i] == ']':
		return ts, line, nil, true
	case i >= len(b) || b[i] != ',':
		return nil, nil, nil, false
	}
	i = skipSpace(b, i+1)
	end := objectEnd(b, i)
	if end < 0 || skipSpace(b, end) != len(b)-1 || b[len(b)-1] != ']' {
		return nil, nil, nil, false
	}
	return ts, line, b[i:end], true
}

// rawString returns the JSON string starting at b[i] with its quotes and
// the index after it.
func rawString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		switch b[j] {
		case '\\':
			j++
		case '"':
			return b[i : j+1], j + 1, true
		}
	}
	return nil, i, false
}

// objectEnd returns the index after the JSON object starting at b[i], or
// -1 when b[i] does not start an object.
func objectEnd(b []byte, i int) int {
	if i >= len(b) || b[i] != '{' {
		return -1
	}
	depth := 0
	for j := i; j < len(b); j++ {
		switch b[j] {
		case '"':
			_, next, ok := rawString(b, j)
			if !ok {
				return -1
			}
			j = next - 1
		case '{', '[':
			depth++
		case '}', ']':
			if depth--; depth == 0 {
				return j + 1
			}
		}
	}
	return -1
}

// splitCategories decodes {"structuredMetadata":{…},"parsed":{…}} whose
// maps hold plain strings; ok is false for anything else.
func splitCategories(b []byte) (c categories, ok bool) {
	ok = eachMember(b, func(key, value []byte) bool {
		switch string(key) {
		case `"structuredMetadata"`:
			return stringMapInto(&c.StructuredMetadata, value)
		case `"parsed"`:
			return stringMapInto(&c.Parsed, value)
		}
		return false
	})
	return c, ok
}

// stringMapInto adds the members of a JSON object of strings to *m, as
// encoding/json does; false for other values.
func stringMapInto(m *map[string]string, b []byte) bool {
	if *m == nil {
		*m = map[string]string{}
	}
	return eachMember(b, func(key, value []byte) bool {
		k, okK := plainString(key)
		v, okV := plainString(value)
		if okK && okV {
			(*m)[k] = v
		}
		return okK && okV
	})
}

// eachMember calls fn with the raw key and value of each member of the
// valid JSON object b, stopping at the first false.
func eachMember(b []byte, fn func(key, value []byte) bool) bool {
	i := skipSpace(b, 0)
	if i >= len(b) || b[i] != '{' {
		return false
	}
	if i = skipSpace(b, i+1); i < len(b) && b[i] == '}' {
		return true
	}
	for i < len(b) {
		key, next, ok := rawString(b, i)
		if !ok {
			return false
		}
		if i = skipSpace(b, next); i >= len(b) || b[i] != ':' {
			return false
		}
		i = skipSpace(b, i+1)
		end := valueEnd(b, i)
		if end < 0 || !fn(key, b[i:end]) {
			return false
		}
		switch i = skipSpace(b, end); {
		case i < len(b) && b[i] == '}':
			return true
		case i < len(b) && b[i] == ',':
			i = skipSpace(b, i+1)
		default:
			return false
		}
	}
	return false
}

// valueEnd returns the index after the string or object at b[i], or -1.
func valueEnd(b []byte, i int) int {
	if i < len(b) && b[i] == '"' {
		_, next, ok := rawString(b, i)
		if !ok {
			return -1
		}
		return next
	}
	return objectEnd(b, i)
}

// plainString unquotes a raw JSON string that needs no decoding: no
// escapes and valid UTF-8 (encoding/json replaces invalid bytes).
func plainString(raw []byte) (string, bool) {
	if len(raw) < 2 || raw[0] != '"' || bytes.IndexByte(raw, '\\') >= 0 || !utf8.Valid(raw) {
		return "", false
	}
	return string(raw[1 : len(raw)-1]), true
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

func isEmptyObject(b []byte) bool {
	return len(b) >= 2 && b[0] == '{' && skipSpace(b, 1) == len(b)-1
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

// decodeStreams decodes a query_range body into lines as it is read (a
// failure to read it is described as httpx does). Labels of one stream are
// shared by its lines and must not be modified.
func decodeStreams(body io.Reader) (decoded, error) {
	var resp queryResponse
	err := httpx.DecodeJSON(backend, body, &resp)
	if me, ok := errors.AsType[*httpx.MalformedError](err); ok {
		return decoded{}, fmt.Errorf("loki: malformed query_range answer: %w", me.Err)
	}
	if err != nil {
		return decoded{}, err
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
			l := e.toLine(s.Stream, out.categorized)
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
func (e entry) toLine(labels map[string]string, categorized bool) logs.Line {
	l := logs.Line{Time: time.Unix(0, e.ns).UTC(), Body: e.line, Labels: labels}
	switch {
	case !categorized:
		l.Metadata = labels
	case len(e.category.Parsed) == 0:
		l.Metadata = e.category.StructuredMetadata
	case len(e.category.StructuredMetadata) == 0:
		l.Metadata = e.category.Parsed
	default:
		l.Metadata = make(map[string]string, len(e.category.StructuredMetadata)+len(e.category.Parsed))
		maps.Copy(l.Metadata, e.category.StructuredMetadata)
		maps.Copy(l.Metadata, e.category.Parsed)
	}
	return l
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

package logs

import (
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode"
)

// formatOf detects how body is structured: a JSON object, logfmt (starts
// with a key=value pair and holds at least two), else plain text.
func formatOf(body string) Format {
	trimmed := strings.TrimSpace(body)
	if strings.HasPrefix(trimmed, "{") && json.Valid([]byte(trimmed)) {
		return FormatJSON
	}
	if isLogfmt(trimmed) {
		return FormatLogfmt
	}
	return FormatPlain
}

// jsonFields flattens a JSON object: nested keys joined with ".", arrays
// as compact JSON, numbers as written; sorted by key.
func jsonFields(body string) []Field {
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var obj map[string]any
	if err := dec.Decode(&obj); err != nil {
		return nil
	}
	var out []Field
	flatten("", obj, &out)
	slices.SortStableFunc(out, func(a, b Field) int { return strings.Compare(a.Key, b.Key) })
	return out
}

func flatten(prefix string, obj map[string]any, out *[]Field) {
	for k, v := range obj {
		key := k
		if prefix != "" {
			key = prefix + "." + k
		}
		if nested, ok := v.(map[string]any); ok && len(nested) > 0 {
			flatten(key, nested, out)
			continue
		}
		*out = append(*out, Field{Key: key, Value: jsonText(v)})
	}
}

// jsonText renders a decoded JSON value as the text a person expects:
// strings unquoted, everything else as compact JSON.
func jsonText(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case json.Number:
		return v.String()
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// logfmtFields returns the pairs of a logfmt line sorted by key; a
// repeated key keeps its last value.
func logfmtFields(body string) []Field {
	pairs := logfmtPairs(body)
	slices.SortStableFunc(pairs, func(a, b logfmtPair) int { return strings.Compare(a.Key, b.Key) })
	out := make([]Field, 0, len(pairs))
	for i, p := range pairs {
		if i+1 < len(pairs) && pairs[i+1].Key == p.Key {
			continue
		}
		out = append(out, p.Field)
	}
	return out
}

// isLogfmt reports whether s starts with a key=value pair and holds at
// least two of them.
func isLogfmt(s string) bool {
	withValue := 0
	for i, p := range logfmtPairs(s) {
		if !p.hasValue {
			if i == 0 {
				return false
			}
			continue
		}
		withValue++
	}
	return withValue >= 2
}

// logfmtPair is a parsed key, value and whether an "=" was present.
type logfmtPair struct {
	Field
	hasValue bool
}

// logfmtPairs splits s into key[=value] tokens the way go-logfmt does:
// keys run up to white space or "="; values are bare words or double-quoted
// strings with backslash escapes. It never fails: stray text becomes bare
// keys.
func logfmtPairs(s string) []logfmtPair {
	var out []logfmtPair
	for i := 0; i < len(s); {
		if s[i] <= ' ' {
			i++
			continue
		}
		start := i
		for i < len(s) && s[i] > ' ' && s[i] != '=' {
			i++
		}
		p := logfmtPair{Field: Field{Key: s[start:i]}}
		if i < len(s) && s[i] == '=' {
			p.hasValue = true
			p.Value, i = logfmtValue(s, i+1)
		}
		if p.Key != "" { // "=value" without a key is dropped
			out = append(out, p)
		}
	}
	return out
}

// logfmtValue reads the value starting at s[i] and returns it with the
// index after it.
func logfmtValue(s string, i int) (string, int) {
	if i >= len(s) || s[i] != '"' {
		start := i
		for i < len(s) && s[i] > ' ' {
			i++
		}
		return s[start:i], i
	}
	end := i + 1
	for end < len(s) && s[end] != '"' {
		if s[end] == '\\' {
			end++
		}
		end++
	}
	if end >= len(s) { // unterminated: the rest of the line
		return s[i+1:], len(s)
	}
	if v, err := strconv.Unquote(s[i : end+1]); err == nil {
		return v, end + 1
	}
	return s[i+1 : end], end + 1
}

// fieldsOf returns the structured fields of body in format f.
func fieldsOf(f Format, body string) []Field {
	switch f {
	case FormatJSON:
		return jsonFields(body)
	case FormatLogfmt:
		return logfmtFields(body)
	}
	return nil
}

// lookup returns the value of the first of keys present in fields (sorted
// by key), then of the first key that ends a nested key ("x.trace_id").
func lookup(fields []Field, keys ...string) (string, bool) {
	if v, ok := exact(fields, keys...); ok {
		return v, true
	}
	for _, k := range keys {
		for _, f := range fields {
			if strings.HasSuffix(f.Key, "."+k) {
				return f.Value, true
			}
		}
	}
	return "", false
}

// messageOf is the human message: the msg or message field of a
// structured line, else the whole body.
func messageOf(body string, fields []Field) string {
	if v, ok := exact(fields, "msg", "message", "Message", "MESSAGE", "@message"); ok {
		return v
	}
	return trimPlainPrefix(body)
}

// exact returns the value of the first of keys present in fields (sorted
// by key), matching whole keys only.
func exact(fields []Field, keys ...string) (string, bool) {
	for _, k := range keys {
		if i, ok := slices.BinarySearchFunc(fields, k, func(f Field, k string) int { return strings.Compare(f.Key, k) }); ok {
			return fields[i].Value, true
		}
	}
	return "", false
}

// trimPlainPrefix drops a plain line's leading timestamp and level word
// ("2026-11-21T21:01:16.841Z DEBUG request received" → "request
// received"): the log pane shows both in their own columns. A line that is
// nothing but such a prefix is kept whole.
func trimPlainPrefix(body string) string {
	rest := strings.TrimLeft(body, " ")
	for range 3 {
		tok, after, _ := strings.Cut(rest, " ")
		switch {
		case looksLikeTimestamp(tok):
			rest = strings.TrimLeft(after, " ")
		case isLevelWord(tok):
			if after = strings.TrimLeft(after, " "); after == "" {
				return body
			}
			return after
		default:
			return body
		}
	}
	return body
}

// looksLikeTimestamp reports whether tok is a date or time such as
// 2026-11-21T21:01:16Z, 2026/11/21, 21:01:16.841 or [21:01:16].
func looksLikeTimestamp(tok string) bool {
	tok = strings.Trim(tok, "[]")
	if len(tok) < 8 || tok[0] < '0' || tok[0] > '9' {
		return false
	}
	return strings.ContainsAny(tok, "-/:") && strings.Trim(tok, "0123456789-/:.,TZ+") == ""
}

// isLevelWord reports whether tok is a level such as INFO, [warn] or ERROR:.
func isLevelWord(tok string) bool {
	tok = strings.Trim(tok, "[]:")
	return strings.IndexFunc(tok, unicode.IsLetter) >= 0 && LevelOf(tok) != LevelUnknown
}

// firstOf returns the first non-empty value of keys in m.
func firstOf(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := m[k]; v != "" {
			return v
		}
	}
	return ""
}

package victorialogs

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/sources/internal/httpx"
)

// entry is one log entry of a query answer.
type entry struct {
	time   time.Time
	msg    string
	stream map[string]string // the stream fields, from _stream
	fields map[string]string // every other field but _stream_id
}

// errMalformed marks an answer that is not VictoriaLogs' JSON lines.
var errMalformed = errors.New("malformed answer")

// decodeLines reads a /select/logsql/query answer: one JSON object per
// line, every value a string (others are kept as their JSON text). Each
// entry needs a _time in RFC 3339; _msg may be absent. It stops after max
// entries.
func decodeLines(r io.Reader, max int) ([]entry, error) {
	body := httpx.NewErrReader(r)
	dec := json.NewDecoder(body)
	var out []entry
	for len(out) < max {
		var obj map[string]json.RawMessage
		switch err := dec.Decode(&obj); {
		case err == io.EOF:
			return out, nil
		case body.Err() != nil:
			return nil, body.Err() // the body cap or budget, or the connection closed mid-answer
		case err != nil:
			return nil, fmt.Errorf("%w: entry %d: %v", errMalformed, len(out)+1, err)
		}
		e, err := toEntry(obj)
		if err != nil {
			return nil, fmt.Errorf("%w: entry %d: %v", errMalformed, len(out)+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// toEntry splits one decoded object into its time, message, stream and
// fields.
func toEntry(obj map[string]json.RawMessage) (entry, error) {
	e := entry{fields: make(map[string]string, len(obj))}
	for k, raw := range obj {
		v := text(raw)
		switch k {
		case "_time":
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return entry{}, fmt.Errorf("_time %q is not an RFC 3339 time", v)
			}
			e.time = t.UTC()
		case "_msg":
			e.msg = v
		case "_stream":
			e.stream = parseStream(v)
		case "_stream_id":
		default:
			e.fields[k] = v
		}
	}
	if e.time.IsZero() {
		return entry{}, errors.New("no _time")
	}
	return e, nil
}

// text is a JSON string's value, or any other value's JSON text.
func text(raw json.RawMessage) string {
	var s string
	if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(bytes.TrimSpace(raw))
}

// parseStream reads _stream, `{name="value",…}` with Go-quoted values. A
// malformed one yields the pairs read before the fault.
func parseStream(s string) map[string]string {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		return nil
	}
	out := map[string]string{}
	rest := s[1:]
	for {
		rest = strings.TrimLeft(rest, " ,")
		name, after, ok := strings.Cut(rest, "=")
		if !ok || strings.ContainsAny(name, `{}",`) {
			return out
		}
		quoted, err := strconv.QuotedPrefix(after)
		if err != nil {
			return out
		}
		v, _ := strconv.Unquote(quoted)
		out[strings.TrimSpace(name)] = v
		rest = after[len(quoted):]
	}
}

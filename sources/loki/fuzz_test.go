package loki

import (
	"bytes"
	"encoding/json"
	"maps"
	"testing"
)

// FuzzDecodeStreams feeds arbitrary query_range answers through the
// decoder (its fast path and the encoding/json fallback): nothing panics,
// it accepts only what encoding/json accepts, and it keeps every value of
// every stream, in order, each carrying its stream's labels.
func FuzzDecodeStreams(f *testing.F) {
	labels := map[string]string{"service_name": "shop", "level": "error"}
	sm := map[string]string{"trace_id": "4bf92f3577b34da6a3ce929d0e0e4736"}
	for _, categorized := range []bool{false, true} {
		f.Add(streamsJSON(categorized, []string{"partial"}, fixtureStream{labels: labels, entries: []fixtureEntry{
			{ns: base.UnixNano(), body: `{"msg":"x\"y\\z","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}`, sm: sm},
			{ns: base.UnixNano() + 1, body: "\x1b]52;c;aGk=\x07 \u202e plain", parsed: map[string]string{"k": "v"}},
		}}))
	}
	f.Add([]byte(`{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["-1",""],["99999999999999999999","a",{}],["1","b",{"structuredMetadata":null,"parsed":{"a":1}}]]}]}}`))
	f.Add([]byte(`{"status":"success","data":{"resultType":"streams","result":[{"stream":{"a":"\ud800"},"values":[["1","\u0000",{"structuredMetadata":{"x":"y"}},"extra"]]}]}}`))
	f.Add([]byte(`{"status":"success","data":{"resultType":"matrix","result":[]}}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		d, err := decodeStreams(bytes.NewReader(body))
		if err != nil {
			return
		}
		var generic struct {
			Data struct {
				Result []struct {
					Stream map[string]string `json:"stream"`
					Values []json.RawMessage `json:"values"`
				} `json:"result"`
			} `json:"data"`
		}
		if err := json.Unmarshal(body, &generic); err != nil {
			t.Fatalf("decoded an answer encoding/json rejects (%v): %q", err, body)
		}
		i := 0
		for _, s := range generic.Data.Result {
			for range s.Values {
				if i >= len(d.lines) {
					t.Fatalf("decoded %d lines, the answer holds more", len(d.lines))
				}
				if got := d.lines[i].line.Labels; !maps.Equal(got, s.Stream) {
					t.Fatalf("line %d has labels %q, its stream %q", i, got, s.Stream)
				}
				i++
			}
		}
		if i != len(d.lines) {
			t.Fatalf("decoded %d lines from an answer holding %d", len(d.lines), i)
		}
	})
}

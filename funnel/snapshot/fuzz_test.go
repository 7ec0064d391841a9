package snapshot_test

import (
	"testing"

	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
	"github.com/redline-tui/redline/funnel/snapshot"
)

// FuzzParseJSON feeds arbitrary JSON snapshots to ParseJSON and renders
// what it accepts in every format: nothing panics, and no output can drive
// a terminal, whatever the file held.
func FuzzParseJSON(f *testing.F) {
	for _, text := range []string{"checkout", "\x1b]52;c;aGk=\x07", "\u202eevil", "\xff\xfe"} {
		out, err := snapshot.String(snapshot.FromFunnel(syntheticInput(text)), snapshot.FormatJSON, snapshot.Options{})
		if err != nil {
			f.Fatal(err)
		}
		f.Add([]byte(out))
	}
	f.Add([]byte(`{"schema":"redline.snapshot/v1","slo":{"burn":"NaN"},"trace":{"spans":[{"depth":-1}]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := snapshot.ParseJSON(data)
		if err != nil {
			return
		}
		for _, format := range snapshot.Formats {
			out, err := snapshot.String(s, format, snapshot.Options{})
			if err != nil {
				continue
			}
			if !sanitizetest.Safe(out) {
				t.Fatalf("%s rendering of a parsed snapshot is not safe for a terminal: %q", format, out)
			}
		}
	})
}

package snapshot

import (
	"encoding/json"
	"fmt"
	"io"
)

// writeJSON writes a clean snapshot as indented JSON, without HTML
// escaping (it is not embedded in HTML, and URLs stay readable).
func writeJSON(w io.Writer, s Snapshot) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		return fmt.Errorf("snapshot: encode JSON: %w", err)
	}
	return nil
}

// ParseJSON reads a snapshot written by Render in FormatJSON. It rejects
// another schema version.
func ParseJSON(data []byte) (Snapshot, error) {
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot: decode JSON: %w", err)
	}
	if s.Schema != SchemaVersion {
		return Snapshot{}, fmt.Errorf("snapshot: schema %q, want %q", s.Schema, SchemaVersion)
	}
	return s, nil
}

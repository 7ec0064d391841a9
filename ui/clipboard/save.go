package clipboard

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File is a snapshot to save: its content and what names the file.
type File struct {
	Time    time.Time // when the snapshot was taken; the name holds it in UTC
	Service string    // the service it is about ("" for none)
	Ext     string    // extension without the dot, e.g. "md"
	Content string
}

// Name is the file name: "<utc-time>-<service>.<ext>", e.g.
// "20261121T200000Z-checkout.md", with the service and extension reduced
// to characters safe in file names.
func (f File) Name() string {
	ext := safeName(f.Ext, "txt")
	return f.Time.UTC().Format("20060102T150405Z") + "-" + safeName(f.Service, "snapshot") + "." + ext
}

// maxNameCells caps the service part of a file name.
const maxNameCells = 64

// safeName keeps ASCII letters, digits, '.', '_' and '-', turns runs of
// anything else into one '-', trims leading and trailing dots and dashes
// (no hidden files, no ".."), and falls back when nothing is left.
func safeName(s, fallback string) string {
	var b strings.Builder
	dash := false
	for _, r := range s {
		ok := r < 0x80 && (r == '.' || r == '_' || r == '-' || ('0' <= r && r <= '9') || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z'))
		switch {
		case ok:
			b.WriteRune(r)
			dash = false
		case !dash:
			b.WriteByte('-')
			dash = true
		}
	}
	name := strings.Trim(b.String(), ".-")
	name = strings.Trim(name[:min(len(name), maxNameCells)], ".-")
	if name == "" {
		return fallback
	}
	return name
}

// DefaultDir is where snapshots are saved: $XDG_STATE_HOME/redline/snapshots,
// or ~/.local/state/redline/snapshots when XDG_STATE_HOME is unset.
func DefaultDir() (string, error) {
	if state := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(state) {
		return filepath.Join(state, "redline", "snapshots"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("clipboard: no directory for snapshots: set XDG_STATE_HOME or HOME: %w", err)
	}
	return filepath.Join(home, ".local", "state", "redline", "snapshots"), nil
}

// Save writes f atomically into dir (DefaultDir when ""), readable only by
// the user: a temporary file in the same directory, synced, renamed into
// place. A name already taken gets a "-2", "-3"… suffix. It returns the
// path written.
func Save(dir string, f File) (string, error) {
	if dir == "" {
		d, err := DefaultDir()
		if err != nil {
			return "", err
		}
		dir = d
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("clipboard: create %s: %w", dir, err)
	}
	tmp, err := writeTemp(dir, f.Content)
	if err != nil {
		return "", err
	}
	path, err := freePath(dir, f.Name())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return "", fmt.Errorf("clipboard: save snapshot in %s: %w", dir, err)
	}
	syncDir(dir)
	return path, nil
}

// writeTemp writes content to a new 0600 file in dir and syncs it.
func writeTemp(dir, content string) (string, error) {
	tmp, err := os.CreateTemp(dir, ".snapshot-*.tmp")
	if err != nil {
		return "", fmt.Errorf("clipboard: save snapshot in %s: %w", dir, err)
	}
	_, werr := tmp.WriteString(content)
	serr := tmp.Sync()
	cerr := tmp.Close()
	if err := errors.Join(werr, serr, cerr); err != nil {
		os.Remove(tmp.Name())
		return "", fmt.Errorf("clipboard: write %s: %w", tmp.Name(), err)
	}
	return tmp.Name(), nil
}

// freePath is dir/name, or dir/name with a numbered suffix when taken.
func freePath(dir, name string) (string, error) {
	ext := filepath.Ext(name)
	stem := strings.TrimSuffix(name, ext)
	for n := 1; n < 1000; n++ {
		candidate := name
		if n > 1 {
			candidate = stem + "-" + strconv.Itoa(n) + ext
		}
		path := filepath.Join(dir, candidate)
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			return path, nil
		}
	}
	return "", fmt.Errorf("%s and 998 numbered variants exist", name)
}

// syncDir makes the rename durable where the system allows it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

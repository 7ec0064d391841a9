package ui

import (
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/ui/clipboard"
)

// withSnapshots saves snapshot files in a fresh temporary directory.
func withSnapshots(t *testing.T, opts Options) Options {
	opts.Snapshot.Dir = t.TempDir()
	return opts
}

// TestSnapshotFollowsThePath presses s at every step of the walk: the
// overlay shows the path so far and exactly the sections of its steps, and
// each snapshot is saved.
func TestSnapshotFollowsThePath(t *testing.T) {
	sections := []string{"## SLO checkout/availability", "## RED of checkout", "## Trace 4bf92f35…", "## Logs"}
	steps := []struct {
		name     string
		path     string
		sections int // how many of sections the snapshot has
	}{
		{"slos", "**Path:** SLO checkout/availability (selected)\n", 1},
		{"routes", " → route POST /api/checkout (selected)\n", 2},
		{"traces", " → trace 4bf92f35… (selected among the slowest)\n", 3},
		{"waterfall", " → trace 4bf92f35… (selected among the slowest)\n", 3},
		{"logs", " → logs (whole trace)\n", 4},
	}
	f := newFake("demo", defaultIncident())
	opts := withSnapshots(t, allFrom(f))
	d := newDriver(t, 80, 24, opts)
	for i, step := range steps {
		d.Keys("s")
		m := d.m()
		if m.overlay != snapshotOverlay {
			t.Fatalf("%s: s did not open the snapshot overlay", step.name)
		}
		text := m.snap.text
		if !strings.Contains(text, step.path) {
			t.Errorf("%s: path lacks %q:\n%s", step.name, step.path, firstLines(text, 8))
		}
		for j, section := range sections {
			if has := strings.Contains(text, "\n"+section); has != (j < step.sections) {
				t.Errorf("%s: section %q present %v, want %v", step.name, section, has, j < step.sections)
			}
		}
		if step.name == "waterfall" && !strings.Contains(text, "payments: POST /charge") {
			t.Errorf("waterfall: the snapshot lacks the trace's spans:\n%s", text)
		}
		if got := savedFiles(t, opts.Snapshot.Dir); len(got) != i+1 {
			t.Errorf("%s: %d files saved, want %d", step.name, len(got), i+1)
		}
		d.Keys("esc")
		if d.m().overlay != noOverlay || len(d.m().stack) != i+1 {
			t.Fatalf("%s: esc must close the overlay and stay on the pane (stack %v)", step.name, d.titles())
		}
		d.Keys("enter")
	}
}

func firstLines(s string, n int) string {
	lines := strings.SplitN(s, "\n", n+1)
	return strings.Join(lines[:min(n, len(lines))], "\n")
}

func savedFiles(t *testing.T, dir string) []string {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	return names
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// press sends a key to the model and returns the command it answers with,
// without running it.
func (d *driver) press(k string) tea.Cmd {
	next, cmd := d.m().Update(press(k))
	d.Model = next
	return cmd
}

// TestCopySnapshot presses y: it saves the file and hands Bubble Tea the
// OSC 52 sequence of the same text, and the help line says where it went.
func TestCopySnapshot(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 80, 24, withSnapshots(t, allFrom(f)))
	d.Keys("enter")
	msg := d.press("y")()
	delivered, ok := msg.(clipboard.Delivered)
	if !ok {
		t.Fatalf("y answered %T, want clipboard.Delivered", msg)
	}
	res := delivered.Result
	if res.Err != nil || !res.Copied || !strings.HasSuffix(res.Path, "-checkout.md") {
		t.Fatalf("delivery %+v, want copied and saved as …-checkout.md", res)
	}
	text := readFile(t, res.Path)
	if !strings.Contains(text, "## RED of checkout") {
		t.Errorf("the saved snapshot is not of the routes step:\n%s", text)
	}
	encoded, ok := strings.CutPrefix(delivered.Sequence, "\x1b]52;c;")
	decoded, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(encoded, "\a"))
	if !ok || err != nil || string(decoded) != text {
		t.Errorf("the OSC 52 sequence does not carry the saved text (%q…)", delivered.Sequence[:min(len(delivered.Sequence), 20)])
	}
	next, cmd := d.m().Update(delivered)
	d.Model = next
	if cmd == nil {
		t.Fatal("the sequence was not handed to Bubble Tea")
	}
	if raw, ok := cmd().(tea.RawMsg); !ok || raw.Msg != delivered.Sequence {
		t.Errorf("the copy goes out as %T, want tea.RawMsg with the sequence", cmd())
	}
	help := d.screen()
	help = strings.Split(help, "\n")[22]
	if !strings.HasPrefix(help, "snapshot copied (OSC 52) and saved to ") {
		t.Errorf("help line %q does not report the copy", help)
	}
	if d.m().overlay != noOverlay {
		t.Error("y outside the overlay must not open it")
	}
}

// TestSnapshotFileCompleteWhenClipboardFails copies a snapshot over the
// OSC 52 cap: nothing goes to the terminal, the file holds all of it and
// the help line says why it was not copied.
func TestSnapshotFileCompleteWhenClipboardFails(t *testing.T) {
	f := newFake("demo", defaultIncident())
	opts := withSnapshots(t, allFrom(f))
	opts.Snapshot.Terminal = clipboard.Env{TMUX: "/tmp/tmux-0/default,1,0", MaxEncoded: 512}
	d := newDriver(t, 80, 24, opts)
	d.Keys("enter", "enter", "enter", "enter", "s")
	want := d.m().snap.text
	delivered, ok := d.press("y")().(clipboard.Delivered)
	if !ok {
		t.Fatal("y did not deliver")
	}
	res := delivered.Result
	if _, tooBig := errors.AsType[*clipboard.TooLargeError](res.Err); res.Copied || !tooBig || delivered.Sequence != "" {
		t.Fatalf("delivery %+v with a %d-byte sequence, want a size-cap error and nothing copied", res, len(delivered.Sequence))
	}
	if got := readFile(t, res.Path); got != want || !strings.Contains(got, "## Logs") {
		t.Errorf("the saved file is not the whole snapshot (%d of %d bytes)", len(got), len(want))
	}
	next, cmd := d.m().Update(delivered)
	d.Model = next
	if cmd != nil {
		t.Error("nothing must be written to the terminal when the copy failed")
	}
	if help := d.m().notice; !strings.Contains(help, "snapshot saved to "+res.Path) || !strings.Contains(help, "too large for the terminal clipboard") {
		t.Errorf("notice %q does not say it was saved but not copied", help)
	}
	if !strings.Contains(d.screen(), "too large") {
		t.Errorf("the overlay does not report the failed copy:\n%s", d.screen())
	}
}

// TestSnapshotOverlayScrolls checks the overlay draws only the lines that
// fit, moves with the list keys and stops at both ends.
func TestSnapshotOverlayScrolls(t *testing.T) {
	f := newFake("demo", defaultIncident())
	d := newDriver(t, 80, 24, withSnapshots(t, allFrom(f)))
	d.Keys("enter", "enter", "enter", "enter", "s")
	lines := d.m().snap.lines
	rows := d.m().snapshotRows()
	if len(lines) <= rows {
		t.Fatalf("the snapshot has %d lines; the test needs more than %d", len(lines), rows)
	}
	tests := []struct {
		key    string
		offset int
	}{
		{"down", 1},
		{"pgdown", 1 + rows},
		{"up", rows},
		{"G", len(lines) - rows},
		{"down", len(lines) - rows},
		{"g", 0},
		{"up", 0},
	}
	for _, tt := range tests {
		d.Keys(tt.key)
		if got := d.m().snap.offset; got != tt.offset {
			t.Errorf("%s: offset %d, want %d", tt.key, got, tt.offset)
		}
		chrome := 1 + len(d.m().snapshotReport())
		if first := strings.Split(d.screen(), "\n")[1+chrome]; first != lines[tt.offset] {
			t.Errorf("%s: first line shown %q, want line %d %q", tt.key, first, tt.offset, lines[tt.offset])
		}
	}
	d.Keys("s")
	if d.m().overlay != noOverlay {
		t.Error("s must close the snapshot overlay")
	}
}

// TestSnapshotNamesFailures takes a snapshot while the log backend fails:
// the snapshot keeps every other part and says which part is missing,
// from which backend, and why.
func TestSnapshotNamesFailures(t *testing.T) {
	good := newFake("demo", defaultIncident())
	bad := newFake("loki", defaultIncident())
	bad.err = errorString("loki: 401 Unauthorized: no org id")
	opts := withSnapshots(t, Options{Sources: Sources{Metrics: good, Traces: good, Logs: bad}})
	d := newDriver(t, 80, 24, opts)
	d.Keys("enter", "enter", "enter", "enter", "s")
	text := d.m().snap.text
	for _, want := range []string{"## Failures", "Logs missing: loki failed: loki: 401 Unauthorized: no org id", "## Trace 4bf92f35…"} {
		if !strings.Contains(text, want) {
			t.Errorf("snapshot lacks %q:\n%s", want, text)
		}
	}
}

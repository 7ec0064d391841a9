package clipboard

import (
	"bytes"
	"encoding/base64"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

func TestCopyWrapping(t *testing.T) {
	tests := []struct {
		name string
		env  Env
		want string
	}{
		{"plain terminal", Env{TERM: "xterm-256color"}, "\x1b]52;c;aGk=\a"},
		{"tmux", Env{TMUX: "/tmp/tmux-1000/default,123,0", TERM: "screen-256color"}, "\x1bPtmux;\x1b\x1b]52;c;aGk=\a\x1b\\"},
		{"screen", Env{TERM: "screen.xterm-256color"}, "\x1bP\x1b]52;c;aGk=\a\x1b\\"},
		{"no TERM", Env{}, "\x1b]52;c;aGk=\a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Copy(&buf, "hi", tt.env); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestScreenChunks(t *testing.T) {
	text := strings.Repeat("snapshot ", 300) // 2700 bytes → 3600 base64
	seq, err := Sequence(text, Env{TERM: "screen"})
	if err != nil {
		t.Fatal(err)
	}
	var osc strings.Builder
	chunks := strings.Split(strings.TrimSuffix(seq, "\x1b\\"), "\x1b\\")
	for _, c := range chunks {
		payload, ok := strings.CutPrefix(c, "\x1bP")
		if !ok || len(payload) > screenChunk {
			t.Fatalf("chunk of %d bytes, or not a DCS: %q…", len(payload), c[:min(len(c), 20)])
		}
		osc.WriteString(payload)
	}
	want := "\x1b]52;c;" + base64.StdEncoding.EncodeToString([]byte(text)) + "\a"
	if osc.String() != want {
		t.Error("the DCS chunks do not join back into the OSC 52 sequence")
	}
	if len(chunks) != (len(want)+screenChunk-1)/screenChunk {
		t.Errorf("%d chunks for %d bytes", len(chunks), len(want))
	}
}

func TestSizeCap(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		max     int
		tooBig  bool
		written bool
	}{
		{"under the default cap", strings.Repeat("a", 1000), 0, false, true},
		{"exactly the cap", "abc", 4, false, true},
		{"over a configured cap", "abcd", 4, true, false},
		{"over the default cap", strings.Repeat("a", 60000), 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := Copy(&buf, tt.text, Env{MaxEncoded: tt.max})
			if _, tooBig := errors.AsType[*TooLargeError](err); tooBig != tt.tooBig || (buf.Len() > 0) != tt.written {
				t.Fatalf("err %v, %d bytes written", err, buf.Len())
			}
			if tt.tooBig && !strings.Contains(err.Error(), "saved file") {
				t.Errorf("the error does not point to the file: %v", err)
			}
		})
	}
}

var when = time.Date(2026, 11, 21, 20, 0, 0, 0, time.FixedZone("CET", 3600))

func TestFileName(t *testing.T) {
	tests := []struct {
		service, ext, want string
	}{
		{"checkout", "md", "20261121T190000Z-checkout.md"},
		{"../../etc/passwd", "md", "20261121T190000Z-etc-passwd.md"},
		{"pay ments/v2\x1b[31m", "json", "20261121T190000Z-pay-ments-v2-31m.json"},
		{"", "slack.txt", "20261121T190000Z-snapshot.slack.txt"},
		{"日本", "", "20261121T190000Z-snapshot.txt"},
		{".hidden", "md", "20261121T190000Z-hidden.md"},
	}
	for _, tt := range tests {
		if got := (File{Time: when, Service: tt.service, Ext: tt.ext}).Name(); got != tt.want {
			t.Errorf("Name(%q, %q) = %q, want %q", tt.service, tt.ext, got, tt.want)
		}
	}
}

func TestSaveIsAtomicAndPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "state", "snapshots")
	f := File{Time: when, Service: "checkout", Ext: "md", Content: "# snapshot\n"}
	first, err := Save(dir, f)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Save(dir, f)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Base(first) != "20261121T190000Z-checkout.md" || filepath.Base(second) != "20261121T190000Z-checkout-2.md" {
		t.Errorf("paths %s, %s", first, second)
	}
	got, err := os.ReadFile(first)
	if err != nil || string(got) != f.Content {
		t.Fatalf("content %q, %v", got, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("%d files in the directory, want 2 (no temporary file left)", len(entries))
	}
	if runtime.GOOS != "windows" {
		info, _ := os.Stat(first)
		if info.Mode().Perm() != 0o600 {
			t.Errorf("file mode %v, want 0600", info.Mode().Perm())
		}
		dinfo, _ := os.Stat(dir)
		if dinfo.Mode().Perm() != 0o700 {
			t.Errorf("directory mode %v, want 0700", dinfo.Mode().Perm())
		}
	}
}

func TestSaveFailsClearly(t *testing.T) {
	file := filepath.Join(t.TempDir(), "not-a-dir")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Save(file, File{Time: when, Ext: "md", Content: "x"})
	if err == nil || !strings.Contains(err.Error(), file) {
		t.Errorf("error %v does not name %s", err, file)
	}
}

func TestDefaultDir(t *testing.T) {
	t.Setenv("XDG_STATE_HOME", "/var/state")
	if d, _ := DefaultDir(); d != filepath.Join("/var/state", "redline", "snapshots") {
		t.Errorf("with XDG_STATE_HOME: %s", d)
	}
	t.Setenv("XDG_STATE_HOME", "relative/ignored")
	t.Setenv("HOME", "/home/oncall")
	if d, _ := DefaultDir(); d != filepath.Join("/home/oncall", ".local", "state", "redline", "snapshots") {
		t.Errorf("without XDG_STATE_HOME: %s", d)
	}
}

// failingWriter is a terminal that refuses the clipboard write.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("terminal gone") }

func TestDeliverSavesTheWholeFileWhenCopyFails(t *testing.T) {
	big := strings.Repeat("log line\n", 20000) // over the cap
	tests := []struct {
		name     string
		text     string
		terminal io.Writer // nil: a buffer
		copied   bool
		errPart  string
	}{
		{name: "clipboard write fails", text: "# snapshot\n", terminal: failingWriter{}, copied: false, errPart: "terminal gone"},
		{name: "over the cap", text: big, copied: false, errPart: "too large"},
		{name: "copied", text: "# snapshot\n", copied: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := Delivery{Dir: t.TempDir(), File: File{Time: when, Service: "checkout", Ext: "md"}}
			d.Clipboard = tt.terminal
			if tt.terminal == nil {
				d.Clipboard = &bytes.Buffer{}
			}
			res := Deliver(tt.text, d)
			got, err := os.ReadFile(res.Path)
			if err != nil || string(got) != tt.text {
				t.Fatalf("file %s holds %d bytes (%v), want the whole %d", res.Path, len(got), err, len(tt.text))
			}
			if res.Copied != tt.copied {
				t.Errorf("Copied = %v", res.Copied)
			}
			if tt.errPart != "" && (res.Err == nil || !strings.Contains(res.Message(), tt.errPart)) {
				t.Errorf("message %q does not say %q", res.Message(), tt.errPart)
			}
			if tt.errPart == "" && (res.Err != nil || !strings.Contains(res.Message(), "copied (OSC 52) and saved to "+res.Path)) {
				t.Errorf("message %q", res.Message())
			}
			if !strings.Contains(res.Message(), res.Path) {
				t.Errorf("message %q does not show the path", res.Message())
			}
		})
	}
}

func TestDeliverCmd(t *testing.T) {
	dir := t.TempDir()
	d := Delivery{Dir: dir, File: File{Time: when, Service: "checkout", Ext: "md"}, Env: Env{TMUX: "x"}}
	msg, ok := DeliverCmd("hi", d)().(Delivered)
	if !ok || !msg.Result.Copied || msg.Sequence != "\x1bPtmux;\x1b\x1b]52;c;aGk=\a\x1b\\" {
		t.Fatalf("DeliverCmd gave %+v", msg)
	}
	saved, ok := SaveCmd("hi", d)().(Delivered)
	if !ok || saved.Result.Copied || saved.Sequence != "" || saved.Result.Path == "" {
		t.Fatalf("SaveCmd gave %+v", saved)
	}
	if _, err := fs.Stat(os.DirFS(dir), filepath.Base(saved.Result.Path)); err != nil {
		t.Error(err)
	}
}

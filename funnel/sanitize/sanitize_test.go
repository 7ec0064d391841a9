package sanitize

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
)

func TestLine(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean ASCII", "GET /api/cart 200", "GET /api/cart 200"},
		{"clean unicode", "漢字 🔥 é", "漢字 🔥 é"},
		{"empty", "", ""},
		{"SGR colour", "\x1b[31mred\x1b[0m", "␛red␛"},
		{"cursor move and clear", "\x1b[2J\x1b[10;20Hx", "␛␛x"},
		{"private mode", "\x1b[?1049hx", "␛x"},
		{"OSC 52 with BEL", "a\x1b]52;c;ZWNobw==\x07b", "a␛b"},
		{"OSC title with ST", "a\x1b]0;title\x1b\\b", "a␛b"},
		{"OSC 8 hyperlink", "\x1b]8;;https://x/\x1b\\link\x1b]8;;\x1b\\", "␛link␛"},
		{"unterminated OSC swallows the line", "a\x1b]0;title forever", "a␛"},
		{"OSC aborted by ESC", "\x1b]0;t\x1b[31mx", "␛␛x"},
		{"OSC keeps non-ASCII payload whole", "\x1b]0;Über\x07x", "␛x"},
		{"DCS", "\x1bP1$r0m\x1b\\x", "␛x"},
		{"APC", "\x1b_Gf=100;AAAA\x1b\\x", "␛x"},
		{"PM and SOS", "\x1b^pm\x1b\\\x1bXsos\x1b\\x", "␛␛x"},
		{"two-char escape", "\x1bcx\x1b7y", "␛x␛y"},
		{"charset escape", "\x1b(0q\x1b(B", "␛q␛"},
		{"lone ESC at end", "x\x1b", "x␛"},
		{"ESC before control", "\x1b\x07", "␛␇"},
		{"CSI cut by control", "\x1b[31\x00m", "␛␀m"},
		{"raw 8-bit CSI", "\x9b31mx", "␛x"},
		{"U+009B CSI", "\u009b31mx", "␛x"},
		{"raw 8-bit OSC with raw ST", "\x9d0;t\x9cx", "␛x"},
		{"U+009D OSC with U+009C ST", "\u009d0;t\u009cx", "␛x"},
		{"other C1", "a\u0085b", "a␛b"},
		{"NUL BEL BS", "a\x00b\x07c\x08", "a␀b␇c␈"},
		{"CR overwrite", "ok\rEVIL", "ok␍EVIL"},
		{"tab and newline shown", "a\tb\nc", "a␉b␊c"},
		{"DEL", "a\x7fb", "a␡b"},
		{"bidi override removed", "\u202eexe.txt\u202c", "exe.txt"},
		{"bidi isolates and marks removed", "\u2066a\u2069\u200e\u200f\u061cb", "ab"},
		{"zero-width removed", "a\u200bb\u200cc\u200dd\ufeffe\u2060f", "abcdef"},
		{"invalid UTF-8", "a\xffb\xc3\x28", "a\uFFFDb\uFFFD("},
		{"truncated rune at end", "a\xe2\x82", "a\uFFFD\uFFFD"},
		{"literal U+FFFD kept", "a\uFFFDb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Line(tt.in); got != tt.want {
				t.Errorf("Line(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"clean multi-line", "one\ntwo\n", "one\ntwo\n"},
		{"tabs to stops of 8", "a\tb\n\tc\nabcdefgh\tx", "a       b\n        c\nabcdefgh        x"},
		{"tab after a dirty prefix", "é\x00\tx", "é␀      x"},
		{"tab column counts runes", "漢字\tx", "漢字      x"},
		{"CRLF becomes LF", "a\r\nb\r\n", "a\nb\n"},
		{"lone CR shown", "a\rb", "a␍b"},
		{"escape kept off the next line", "\x1b]0;title\nnext", "␛\nnext"},
		{"colour", "\x1b[1mbold\x1b[0m\nplain", "␛bold␛\nplain"},
		{"other controls", "\x00\x0b\x0c", "␀␋␌"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Text(tt.in); got != tt.want {
				t.Errorf("Text(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCorpus(t *testing.T) {
	corpus, err := sanitizetest.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	if len(corpus) < 60 {
		t.Fatalf("corpus has %d strings, want at least 60", len(corpus))
	}
	unsafe := 0
	for _, s := range corpus {
		if !sanitizetest.Safe(s) {
			unsafe++
		}
		checkClean(t, s)
	}
	// The corpus must mostly hold strings Safe rejects, or it tests nothing;
	// the rest are wide or combining characters that must pass unchanged.
	if unsafe < 50 {
		t.Errorf("only %d corpus strings are unsafe", unsafe)
	}
}

func TestHugeLine(t *testing.T) {
	var b strings.Builder
	for b.Len() < 1<<20 {
		b.WriteString("\x1b[31m漢字\x1b]0;t\x07 \u202e\xff\t")
	}
	huge := b.String()
	checkClean(t, huge)
	if got := Line(huge); utf8.RuneCountInString(got) < 1<<17 {
		t.Errorf("Line of a 1 MB hostile line kept %d runes: too much was swallowed", utf8.RuneCountInString(got))
	}
	clean := strings.Repeat("GET /api/cart 200 ", 1<<20/18)
	if got := Line(clean); got != clean {
		t.Error("Line changed a clean 1 MB line")
	}
}

func TestCleanInputDoesNotAllocate(t *testing.T) {
	for _, s := range []string{"GET /api/checkout 500 payment declined", "漢字 🔥 multi\nline"} {
		if n := testing.AllocsPerRun(100, func() { _ = Text(s) }); n != 0 {
			t.Errorf("Text(%q) allocates %v times", s, n)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Line("GET /api/checkout 500") }); n != 0 {
		t.Errorf("Line allocates %v times on clean input", n)
	}
}

// checkClean asserts the properties every output must have.
func checkClean(t testing.TB, s string) {
	t.Helper()
	line, text := Line(s), Text(s)
	if !sanitizetest.Safe(line) || strings.Contains(line, "\n") {
		t.Fatalf("Line(%q) = %q is not one safe line", s, line)
	}
	if !sanitizetest.Safe(text) {
		t.Fatalf("Text(%q) = %q is not safe", s, text)
	}
	if Line(line) != line || Text(text) != text {
		t.Fatalf("cleaning %q is not idempotent", s)
	}
	for _, r := range line + text {
		if isZeroWidth(r) {
			t.Fatalf("output of %q keeps zero-width %U", s, r)
		}
	}
}

func FuzzClean(f *testing.F) {
	corpus, err := sanitizetest.Corpus()
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range corpus {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkClean(t, s) })
}

func BenchmarkLineClean(b *testing.B) {
	s := `{"level":"info","msg":"GET /api/cart 200 in 12ms","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"} 漢字`
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Line(s)
	}
}

func BenchmarkLineHostile(b *testing.B) {
	s := "\x1b[31merror\x1b[0m \x1b]52;c;ZWNobw==\x07 payment \u202edeclined\u202c\t\xff"
	b.ReportAllocs()
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		_ = Line(s)
	}
}

package waterfall

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/pane"
)

// hostileTexts are backend strings that try to drive the terminal: OSC 52
// clipboard writes, OSC 8 links, a DCS, cursor movement and screen
// clearing, C1 controls, bidi overrides, NUL, BEL, CR and invalid UTF-8.
var hostileTexts = []string{
	"\x1b]52;c;cm0gLXJmIH4=\x07evil",
	"\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
	"\x1bP+q544e\x1b\\dcs",
	"\x1b[2J\x1b[H\x1b[31mred\x1b[0m",
	"c1\u009b31m\u009d0;title\u0007",
	"bidi\u202eroot\u202c",
	"nul\x00bel\x07cr\rlf\nTAB\t",
	"bad\xff\xfeutf8",
}

// hostileCorpus is the shared hostile corpus of funnel/sanitize plus the
// strings above.
func hostileCorpus(t *testing.T) []string {
	t.Helper()
	corpus, err := sanitizetest.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	return append(corpus, hostileTexts...)
}

// escape matches an escape character and the SGR sequence it starts, if any.
var escape = regexp.MustCompile("\x1b(\\[[0-9;:]*m)?")

// requireSafe fails when the raw view holds anything but SGR sequences
// (our own styles) around text that sanitizetest.Safe accepts.
func requireSafe(t *testing.T, raw string) {
	t.Helper()
	for _, m := range escape.FindAllString(raw, -1) {
		if m == "\x1b" {
			t.Fatalf("raw view holds a non-SGR escape sequence: %q", raw)
		}
	}
	if strings.ContainsAny(raw, "\u009b\u009d\u0090") {
		t.Fatalf("raw view holds a C1 introducer: %q", raw)
	}
	if plain := ansi.Strip(raw); !sanitizetest.Safe(plain) {
		t.Fatalf("view is not safe for a terminal: %q", plain)
	}
}

// The root cleans every answer before a pane sees it (ui/clean.go, whose
// walk through every pane is ui's TestHostileTextNeverReachesTheTerminal);
// these tests check that the waterfall lays the cleaned corpus out safely
// and at exact width: placeholders, control pictures, wide, combining and
// zero-width characters.

// hostileTrace puts hostile text in every field the waterfall draws, cleaned
// as the root cleans it.
func hostileTrace(texts []string) *trace.Trace {
	tr := goldenTrace()
	tr.Warnings = texts
	for i := range tr.Spans {
		s := &tr.Spans[i]
		h := texts[i%len(texts)]
		s.Name = h + s.Name
		s.Service = texts[(i/10)%len(texts)] + s.Service
		s.StatusMessage = h
		s.Attributes = append(s.Attributes, trace.Attr{Key: h, Value: h})
		s.Resource = append(s.Resource, trace.Attr{Key: "k", Value: h})
		s.Events = append(s.Events, trace.Event{Time: s.Start, Name: h, Attributes: []trace.Attr{{Key: h, Value: h}}})
		s.Links = append(s.Links, trace.Link{TraceID: h, SpanID: h, Attributes: []trace.Attr{{Key: h, Value: h}}})
	}
	return sanitize.Value(tr)
}

func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	corpus := hostileCorpus(t)
	// Rotate the corpus so every string lands in every field at some point.
	for shift := range corpus {
		texts := append(slices.Clone(corpus[shift:]), corpus[:shift]...)
		size := [][2]int{{80, 24}, {160, 48}, {200, 40}}[shift%3]
		m := loadedModel(t, testEnv(shift%2 == 0), hostileTrace(texts), size[0], size[1])
		for _, keys := range [][]string{nil, {"d"}, {"n"}, {"c", "G"}, {"j", "j", "j", "d"}, {"n", "d", "J", "J", "J", "J", "J"}} {
			requireSafe(t, pressAll(t, m, keys...).View())
		}
	}
	plain := ansi.Strip(loadedModel(t, testEnv(false), hostileTrace(hostileTexts), 160, 48).View())
	if !strings.Contains(plain, "evil") || !strings.Contains(plain, sanitize.Placeholder) {
		t.Errorf("hostile text should be shown neutralised, not dropped: %q", plain)
	}
}

func TestHostileErrorAndIDNeverReachTheTerminal(t *testing.T) {
	env := testEnv(false)
	corpus := hostileCorpus(t)
	src := &fakeSource{err: sanitize.Error(errors.New("tempo: " + strings.Join(corpus, " ")))}
	summary := sanitize.Value(trace.Summary{TraceID: corpus[0]})
	p := New(env, src, summary, env.Range).SetSize(120, 20)
	requireSafe(t, p.View()) // loading state
	p = deliver(t, p, p.Init())
	requireSafe(t, p.View())

	src.err, src.trace = sanitize.Error(errors.New("tempo: "+hostileTexts[3])), goldenTrace()
	_, cmd := p.Update(pane.Refresh{})
	p = deliver(t, p, cmd)
	src.trace = nil
	_, cmd = p.Update(pane.Refresh{})
	p = deliver(t, p, cmd)
	requireSafe(t, p.View())
	if title := p.Title(); strings.ContainsAny(title, "\x1b\x07\u009b") || !utf8.ValidString(title) {
		t.Errorf("title not sanitised: %q", p.Title())
	}
}

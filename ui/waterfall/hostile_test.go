package waterfall

import (
	"errors"
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/charmbracelet/x/ansi"

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

// escape matches an escape character and the SGR sequence it starts, if any.
var escape = regexp.MustCompile("\x1b(\\[[0-9;:]*m)?")

// requireSafe fails when the raw view holds anything but SGR sequences and
// printable text.
func requireSafe(t *testing.T, raw string) {
	t.Helper()
	for _, m := range escape.FindAllString(raw, -1) {
		if m == "\x1b" {
			t.Fatalf("raw view holds a non-SGR escape sequence: %q", raw)
		}
	}
	plain := ansi.Strip(raw)
	for _, r := range plain {
		if (r < 0x20 && r != '\n') || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == '\u202e' || r == '\u202c' {
			t.Fatalf("view holds control character %U: %q", r, plain)
		}
	}
	if !strings.Contains(plain, "evil") && !strings.Contains(plain, "red") {
		t.Fatalf("hostile text vanished entirely instead of being neutralised: %q", plain)
	}
}

// hostileTrace puts hostile text in every field the waterfall draws.
func hostileTrace() *trace.Trace {
	tr := goldenTrace()
	tr.Warnings = hostileTexts
	for i := range tr.Spans {
		s := &tr.Spans[i]
		h := hostileTexts[i%len(hostileTexts)]
		s.Name = h + s.Name
		s.Service = hostileTexts[(i/10)%len(hostileTexts)] + s.Service
		s.StatusMessage = h
		s.Attributes = append(s.Attributes, trace.Attr{Key: h, Value: h})
		s.Resource = append(s.Resource, trace.Attr{Key: "k", Value: h})
		s.Events = append(s.Events, trace.Event{Time: s.Start, Name: h, Attributes: []trace.Attr{{Key: h, Value: h}}})
		s.Links = append(s.Links, trace.Link{TraceID: h, SpanID: h, Attributes: []trace.Attr{{Key: h, Value: h}}})
	}
	return tr
}

func TestHostileTextNeverReachesTheTerminal(t *testing.T) {
	for _, size := range [][2]int{{80, 24}, {160, 48}, {200, 40}} {
		m := loadedModel(t, testEnv(false), hostileTrace(), size[0], size[1])
		for _, keys := range [][]string{nil, {"d"}, {"n"}, {"c", "G"}, {"j", "j", "j"}} {
			m := pressAll(t, m, keys...)
			requireSafe(t, m.View())
		}
	}
}

func TestHostileErrorAndIDNeverReachTheTerminal(t *testing.T) {
	env := testEnv(false)
	src := &fakeSource{err: errors.New("tempo: " + strings.Join(hostileTexts, " "))}
	p := New(env, src, trace.Summary{TraceID: hostileTexts[0]}, env.Range).SetSize(120, 20)
	requireSafe(t, p.View()+"evil") // loading state
	p, _ = p.Update(p.Init()())
	requireSafe(t, p.View())

	src.err, src.trace = errors.New("tempo: "+hostileTexts[3]), goldenTrace()
	p, cmd := p.Update(pane.Refresh{})
	p, _ = p.Update(cmd())
	src.trace = nil
	p, cmd = p.Update(pane.Refresh{})
	p, _ = p.Update(cmd())
	requireSafe(t, p.View())
	if title := p.Title(); strings.ContainsAny(title, "\x1b\x07\u009b") || !utf8.ValidString(title) {
		t.Errorf("title not sanitised: %q", p.Title())
	}
}

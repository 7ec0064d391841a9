// Package sanitize makes untrusted text (log lines, span names, attribute
// and label values from backends) safe to draw in a terminal or paste in a
// snapshot: it neutralises control characters, ANSI CSI/OSC/DCS sequences,
// C1 controls, bidi overrides and invalid UTF-8.
//
// What happens to each hazard:
//   - An escape sequence (ESC or an 8-bit C1 introducer, then a CSI, an
//     OSC/DCS/SOS/PM/APC string up to its terminator, or a short escape)
//     becomes one Placeholder "␛", payload included, so an OSC 52
//     clipboard write or a window title never reaches the terminal.
//   - Other C0 controls and DEL become their Unicode Control Pictures
//     (NUL → ␀, BEL → ␇, BS → ␈, CR → ␍, …); other C1 controls become
//     Placeholder.
//   - Bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C)
//     and zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are removed,
//     so text reads in its logical order (no Trojan Source).
//   - Invalid UTF-8 becomes U+FFFD.
//
// Raw bytes 0x80–0x9F are invalid UTF-8, but the 8-bit CSI, OSC, DCS,
// SOS, PM and APC introducers among them swallow their sequence as above,
// for terminals that still honour 8-bit controls.
//
// Text that needs none of this is returned as is, without allocating.
package sanitize

import (
	"strings"
	"unicode/utf8"
)

// Placeholder stands for a removed escape sequence or C1 control.
const Placeholder = "␛"

// TabWidth is the distance between tab stops when Text expands tabs,
// counted in runes since the start of the line.
const TabWidth = 8

// Line returns s made safe for one line of terminal output: every escape
// sequence and control character (tabs and newlines included) is replaced
// by a visible placeholder, bidi overrides and zero-width characters are
// removed or shown, and invalid UTF-8 becomes U+FFFD.
func Line(s string) string { return clean(s, false) }

// Text is Line but keeps newlines (and expands tabs), for multi-line views.
// A carriage return right before a newline (CRLF) is dropped.
func Text(s string) string { return clean(s, true) }

func isC1(r rune) bool { return r >= 0x80 && r <= 0x9f }

func isBidi(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) || r == 0x200e || r == 0x200f || r == 0x061c
}

func isZeroWidth(r rune) bool {
	return (r >= 0x200b && r <= 0x200d) || r == 0x2060 || r == 0xfeff
}

// clean returns s unchanged when it is already clean, else a cleaned copy.
func clean(s string, multiline bool) string {
	i := firstOffending(s, multiline) // the first byte clean must change
	if i == len(s) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	b.WriteString(s[:i])
	w := writer{b: &b, multiline: multiline}
	if multiline {
		w.col = utf8.RuneCountInString(s[strings.LastIndexByte(s[:i], '\n')+1 : i])
	}
	for i < len(s) {
		i = w.step(s, i)
	}
	return b.String()
}

// firstOffending returns the index of the first invalid UTF-8 byte, ESC,
// C0 control (but newline when keepNewline), DEL, C1 control, bidi
// control or zero-width character in s; len(s) when none.
func firstOffending(s string, keepNewline bool) int {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && !(keepNewline && c == '\n')) || c == 0x7f {
				return i
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || isC1(r) || isBidi(r) || isZeroWidth(r) {
			return i
		}
		i += size
	}
	return len(s)
}

// writer accumulates cleaned output; col counts runes since the last
// newline, for tab expansion.
type writer struct {
	b         *strings.Builder
	multiline bool
	col       int
}

// step cleans the character or sequence starting at s[i] and returns the
// index after it.
func (w *writer) step(s string, i int) int {
	c := s[i]
	if c < utf8.RuneSelf {
		return w.ascii(s, i)
	}
	r, size := utf8.DecodeRuneInString(s[i:])
	switch {
	case r == utf8.RuneError && size == 1 && introducesSequence(rune(c)): // raw 8-bit CSI, OSC, …
		return w.c1(s, rune(c), i+1)
	case r == utf8.RuneError && size == 1:
		w.put("\uFFFD")
	case isC1(r):
		return w.c1(s, r, i+size)
	case isBidi(r) || isZeroWidth(r):
		// removed
	default:
		w.put(s[i : i+size])
	}
	return i + size
}

func (w *writer) ascii(s string, i int) int {
	c := s[i]
	switch {
	case c == 0x1b:
		w.b.WriteString(Placeholder)
		w.col++
		return afterEscape(s, i+1, w.multiline)
	case w.multiline && c == '\n':
		w.b.WriteByte('\n')
		w.col = 0
	case w.multiline && c == '\t':
		n := TabWidth - w.col%TabWidth
		w.b.WriteString("        "[:n])
		w.col += n
	case w.multiline && c == '\r' && i+1 < len(s) && s[i+1] == '\n':
		// CRLF: the newline alone
	case c < 0x20:
		w.put(string(rune(0x2400 + rune(c))))
	case c == 0x7f:
		w.put("\u2421")
	default:
		w.b.WriteByte(c)
		w.col++
	}
	return i + 1
}

// put writes one visible character.
func (w *writer) put(s string) {
	w.b.WriteString(s)
	w.col++
}

// c1 handles a C1 control r whose encoding ends before s[next]: the
// 8-bit forms of CSI and of the string introducers swallow their sequence
// like their ESC forms.
func (w *writer) c1(s string, r rune, next int) int {
	w.put(Placeholder)
	switch {
	case r == 0x9b: // CSI
		return afterCSI(s, next)
	case introducesSequence(r): // DCS, SOS, OSC, PM, APC
		return afterString(s, next, w.multiline)
	}
	return next
}

// introducesSequence reports whether the C1 control r starts a sequence:
// CSI, or the DCS, SOS, OSC, PM and APC strings.
func introducesSequence(r rune) bool {
	switch r {
	case 0x9b, 0x90, 0x98, 0x9d, 0x9e, 0x9f:
		return true
	}
	return false
}

// afterEscape returns the index after the escape sequence whose ESC ends
// before s[j].
func afterEscape(s string, j int, multiline bool) int {
	if j >= len(s) {
		return j
	}
	switch c := s[j]; {
	case c == '[':
		return afterCSI(s, j+1)
	case c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_':
		return afterString(s, j+1, multiline)
	case c >= 0x20 && c <= 0x2f: // intermediates, then a final byte
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) && s[j] >= 0x30 && s[j] <= 0x7e {
			j++
		}
		return j
	case c >= 0x30 && c <= 0x7e: // two-character escape such as ESC c
		return j + 1
	}
	return j
}

// afterCSI skips parameter and intermediate bytes and the final byte of a
// control sequence; a byte that cannot belong to it ends it early.
func afterCSI(s string, j int) int {
	for j < len(s) && s[j] >= 0x20 && s[j] <= 0x3f {
		j++
	}
	if j < len(s) && s[j] >= 0x40 && s[j] <= 0x7e {
		j++
	}
	return j
}

// afterString skips the payload of an OSC, DCS, SOS, PM or APC string and
// its terminator (BEL, ESC \ or ST, raw or as U+009C). Another ESC ends it
// without being consumed, as in terminals; in multi-line mode so does a
// newline, so one unterminated string cannot hide the following lines.
func afterString(s string, j int, multiline bool) int {
	for j < len(s) {
		c := s[j]
		switch {
		case c == 0x07:
			return j + 1
		case c == 0x1b && j+1 < len(s) && s[j+1] == '\\':
			return j + 2
		case c == 0x1b, multiline && c == '\n':
			return j
		case c < utf8.RuneSelf:
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if r == 0x9c || (r == utf8.RuneError && size == 1 && c == 0x9c) {
			return j + size
		}
		j += size
	}
	return j
}

package snapshot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// wideRanges are the code points a terminal draws two cells wide: East
// Asian Wide and Fullwidth blocks and the emoji blocks.
var wideRanges = [][2]rune{
	{0x1100, 0x115F}, {0x231A, 0x231B}, {0x2329, 0x232A}, {0x23E9, 0x23EC},
	{0x23F0, 0x23F0}, {0x23F3, 0x23F3}, {0x25FD, 0x25FE}, {0x2614, 0x2615},
	{0x2648, 0x2653}, {0x267F, 0x267F}, {0x2693, 0x2693}, {0x26A1, 0x26A1},
	{0x26AA, 0x26AB}, {0x26BD, 0x26BE}, {0x26C4, 0x26C5}, {0x26CE, 0x26CE},
	{0x26D4, 0x26D4}, {0x26EA, 0x26EA}, {0x26F2, 0x26F3}, {0x26F5, 0x26F5},
	{0x26FA, 0x26FA}, {0x26FD, 0x26FD}, {0x2705, 0x2705}, {0x270A, 0x270B},
	{0x2728, 0x2728}, {0x274C, 0x274C}, {0x274E, 0x274E}, {0x2753, 0x2755},
	{0x2757, 0x2757}, {0x2795, 0x2797}, {0x27B0, 0x27B0}, {0x27BF, 0x27BF},
	{0x2B1B, 0x2B1C}, {0x2B50, 0x2B50}, {0x2B55, 0x2B55}, {0x2E80, 0x303E},
	{0x3041, 0x33FF}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xA000, 0xA4CF},
	{0xA960, 0xA97F}, {0xAC00, 0xD7A3}, {0xF900, 0xFAFF}, {0xFE10, 0xFE19},
	{0xFE30, 0xFE6F}, {0xFF00, 0xFF60}, {0xFFE0, 0xFFE6}, {0x16FE0, 0x16FE4},
	{0x17000, 0x18CFF}, {0x1B000, 0x1B2FF}, {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF},
	{0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A}, {0x1F200, 0x1F251}, {0x1F300, 0x1F64F},
	{0x1F680, 0x1F6FF}, {0x1F7E0, 0x1F7EB}, {0x1F90C, 0x1F9FF}, {0x1FA70, 0x1FAFF},
	{0x20000, 0x3FFFD},
}

// runeCells is how many terminal cells r takes: 0 for combining marks and
// format characters, 2 for wide characters, else 1.
func runeCells(r rune) int {
	switch {
	case r < 0x300:
		return 1
	case unicode.In(r, unicode.Mn, unicode.Me, unicode.Cf):
		return 0
	}
	for _, w := range wideRanges {
		if r < w[0] {
			return 1
		}
		if r <= w[1] {
			return 2
		}
	}
	return 1
}

// cells is the display width of s (one line, already sanitised).
func cells(s string) int {
	n := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			n++
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		n += runeCells(r)
		i += size
	}
	return n
}

// ellipsis marks text cut to fit.
const ellipsis = "…"

// truncate cuts s to at most width cells, ending in "…" when cut.
func truncate(s string, width int) string {
	if cells(s) <= width {
		return s
	}
	if width <= 0 {
		return ""
	}
	n := 0
	for i, r := range s {
		w := runeCells(r)
		if n+w > width-1 {
			return s[:i] + ellipsis
		}
		n += w
	}
	return s
}

// pad cuts or right-pads s with spaces to exactly width cells.
func pad(s string, width int) string {
	s = truncate(s, width)
	return s + strings.Repeat(" ", max(width-cells(s), 0))
}

// padLeft cuts or left-pads s with spaces to exactly width cells.
func padLeft(s string, width int) string {
	s = truncate(s, width)
	return strings.Repeat(" ", max(width-cells(s), 0)) + s
}

// wrap breaks one line into lines of at most width cells, at spaces when
// it can; continuation lines start with indent.
func wrap(s string, width int, indent string) []string {
	return wrapAt(s, width, indent, " ", 1)
}

// wrapCell breaks a table cell after a space or a slash that leaves at
// least half the column filled, else mid-word.
func wrapCell(s string, width int) []string {
	return wrapAt(s, width, "", " /", max(width/2, 1))
}

// wrapAt breaks s into lines of at most width cells after one of the
// break characters when the line keeps at least minHead cells.
func wrapAt(s string, width int, indent, breaks string, minHead int) []string {
	var out []string
	prefix := ""
	for {
		room := width - cells(prefix)
		if room < 1 { // an indent as wide as the line: give up indenting
			prefix, room = "", width
		}
		if cells(s) <= room {
			return append(out, prefix+s)
		}
		head, rest := splitAt(s, room, breaks, minHead)
		out = append(out, prefix+head)
		s, prefix = rest, indent
	}
}

// splitAt cuts s before room cells, after the last break character that
// keeps minHead cells in the head; a space at the cut is dropped.
func splitAt(s string, room int, breaks string, minHead int) (head, rest string) {
	n, cut, lastBreak := 0, len(s), -1
	for i, r := range s {
		w := runeCells(r)
		if n+w > room {
			cut = i
			break
		}
		if strings.ContainsRune(breaks, r) && n >= minHead {
			lastBreak = i
		}
		n += w
	}
	if cut == 0 { // a character wider than room: take it anyway
		_, size := utf8.DecodeRuneInString(s)
		cut = size
	}
	switch {
	case lastBreak > 0 && s[lastBreak] == ' ':
		return s[:lastBreak], s[lastBreak+1:]
	case lastBreak > 0 && lastBreak+1 < cut:
		return s[:lastBreak+1], s[lastBreak+1:]
	}
	return s[:cut], s[cut:]
}

// Package sanitizetest holds what tests of untrusted text share: the
// hostile corpus (escape sequences, C1 controls, bidi overrides, zero-width
// and wide characters, invalid UTF-8, …) and Safe, the check that output
// can go to a terminal as is. Only tests import it, so the corpus is not
// built into the binary. Safe is written apart from package sanitize on
// purpose: it is the oracle the sanitizer is tested against.
package sanitizetest

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

//go:embed testdata/hostile.txt
var hostile string

// Corpus returns the hostile strings of testdata/hostile.txt: render each
// through the code under test and check the output with Safe. The file
// holds one Go double-quoted string literal per line; blank lines and lines
// starting with "//" are skipped.
func Corpus() ([]string, error) {
	var out []string
	for n, line := range strings.Split(hostile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		s, err := strconv.Unquote(line)
		if err != nil {
			return nil, fmt.Errorf("sanitizetest: hostile.txt line %d: %w", n+1, err)
		}
		out = append(out, s)
	}
	return out, nil
}

// Safe reports whether s can be written to a terminal as is: valid UTF-8
// with no ESC, no C0 control but newline, no DEL, no C1 control and no
// bidi control.
func Safe(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unsafe(r) {
			return false
		}
	}
	return true
}

func unsafe(r rune) bool {
	switch {
	case r == '\n':
		return false
	case r < 0x20, r >= 0x7f && r <= 0x9f: // C0 (ESC among them), DEL, C1
		return true
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069: // embeddings, overrides, isolates
		return true
	default:
		return r == 0x200e || r == 0x200f || r == 0x061c // directional marks
	}
}

package sanitize

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"
)

//go:embed testdata/hostile.txt
var hostile string

// Corpus returns the hostile strings of testdata/hostile.txt (escape
// sequences, C1 controls, bidi overrides, zero-width and wide characters,
// invalid UTF-8, …) for tests in any package that draws untrusted text:
// render each through the code under test and check the output with Safe.
// The file holds one Go double-quoted string literal per line; blank lines
// and lines starting with "//" are skipped.
func Corpus() ([]string, error) {
	var out []string
	for n, line := range strings.Split(hostile, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		s, err := strconv.Unquote(line)
		if err != nil {
			return nil, fmt.Errorf("sanitize: hostile.txt line %d: %w", n+1, err)
		}
		out = append(out, s)
	}
	return out, nil
}

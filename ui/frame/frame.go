// Package frame lays out one pane's area: a title line, a notice line
// (loading, error or warnings), the body (usually a table) and a footer of
// FooterLines lines describing the selection. Every line is cut to the
// width and the result has exactly the pane's height, so panes never shift
// the bars around them.
package frame

import (
	"strings"

	"github.com/charmbracelet/x/ansi"
)

// FooterLines is the height of the footer.
const FooterLines = 2

// chrome is the number of lines that are not the body.
const chrome = 2 + FooterLines

// BodyHeight is the body's height in a pane of height lines.
func BodyHeight(height int) int { return max(height-chrome, 1) }

// Parts are the texts of a pane, already styled (backend text in them was
// cleaned where it entered the UI, see ui/clean.go).
type Parts struct {
	Title  string
	Notice string
	Body   string
	Footer []string // at most FooterLines are drawn
}

// Render draws p in exactly width × height cells (lines are not padded on
// the right).
func Render(p Parts, width, height int) string {
	lines := make([]string, 0, height)
	lines = append(lines, p.Title, p.Notice)
	body := strings.Split(p.Body, "\n")
	bodyHeight := BodyHeight(height)
	if len(body) > bodyHeight {
		body = body[:bodyHeight]
	}
	lines = append(lines, body...)
	for len(lines) < 2+bodyHeight {
		lines = append(lines, "")
	}
	for i := range FooterLines {
		footer := ""
		if i < len(p.Footer) {
			footer = p.Footer[i]
		}
		lines = append(lines, footer)
	}
	if len(lines) > height {
		lines = lines[:height]
	}
	for i, l := range lines {
		lines[i] = ansi.Truncate(l, width, "…")
	}
	return strings.Join(lines, "\n")
}

package snapshot

import (
	"fmt"
	"io"
	"strings"

	"github.com/redline-tui/redline/funnel/sanitize"
)

// Format is an output format of Render.
type Format string

// Formats.
const (
	FormatMarkdown Format = "md"    // GitHub-flavoured Markdown, for incident docs and issues
	FormatSlack    Format = "slack" // Slack mrkdwn, within SlackLimit characters
	FormatText     Format = "text"  // plain text, every line within Options.Width cells
	FormatJSON     Format = "json"  // the redline.snapshot/v1 schema
)

// Formats lists every format, in the order help texts name them.
var Formats = []Format{FormatMarkdown, FormatSlack, FormatText, FormatJSON}

// ParseFormat reads a format name ("md", "markdown", "slack", "text",
// "txt", "json").
func ParseFormat(name string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "md", "markdown":
		return FormatMarkdown, nil
	case "slack":
		return FormatSlack, nil
	case "text", "txt":
		return FormatText, nil
	case "json":
		return FormatJSON, nil
	}
	return "", fmt.Errorf("unknown snapshot format %q: use one of %s", name, FormatChoice(", "))
}

// FormatChoice joins the names of Formats with sep, e.g. "md|slack|text|json"
// for usage texts.
func FormatChoice(sep string) string {
	names := make([]string, len(Formats))
	for i, f := range Formats {
		names[i] = string(f)
	}
	return strings.Join(names, sep)
}

// Ext is the file name extension for the format, without the dot.
func (f Format) Ext() string {
	switch f {
	case FormatText:
		return "txt"
	case FormatSlack:
		return "slack.txt"
	}
	return string(f)
}

// Defaults of Options.
const (
	DefaultWidth       = 80
	DefaultMaxLogLines = 20
	// MinWidth is the narrowest Width honoured.
	MinWidth = 40
	// maxMessageCells caps one log message or attribute value, so one
	// huge line cannot drown a snapshot.
	maxMessageCells = 500
)

// Options tune rendering.
type Options struct {
	// DenyKeys are attribute and label keys masked in addition to
	// DefaultDenyKeys (same matching rules).
	DenyKeys []string
	// Secrets are scrubbed from every string (see sanitize.Secrets); nil
	// scrubs none.
	Secrets *sanitize.Secrets
	// MaxLogLines caps the log lines shown, errors first; 0 means
	// DefaultMaxLogLines, negative means none.
	MaxLogLines int
	// Width is the line width of the text format and of the waterfall
	// in every format; 0 means DefaultWidth.
	Width int
}

func (o Options) withDefaults() Options {
	if o.Width <= 0 {
		o.Width = DefaultWidth
	}
	o.Width = max(o.Width, MinWidth)
	switch {
	case o.MaxLogLines == 0:
		o.MaxLogLines = DefaultMaxLogLines
	case o.MaxLogLines < 0:
		o.MaxLogLines = 0
	}
	return o
}

// Render writes s in format f. Every backend string is sanitised
// (funnel/sanitize), scrubbed of o.Secrets, stripped of URL credentials and masked per the deny
// list before any format sees it; each format then escapes what its
// syntax needs.
func Render(w io.Writer, s Snapshot, f Format, o Options) error {
	o = o.withDefaults()
	s.Logs = capLogs(s.Logs, o.MaxLogLines)
	clean := cleaner{deny: newDenyList(o.DenyKeys), secrets: o.Secrets}.clean(s)
	var out string
	switch f {
	case FormatJSON:
		return writeJSON(w, clean)
	case FormatMarkdown:
		out = markdown(document(clean, o, fullBudget))
	case FormatText:
		out = plainText(document(clean, o, fullBudget), o.Width)
	case FormatSlack:
		out = slack(clean, o)
	default:
		_, err := ParseFormat(string(f))
		return err
	}
	_, err := io.WriteString(w, out)
	return err
}

// String renders s in format f to a string.
func String(s Snapshot, f Format, o Options) (string, error) {
	var b strings.Builder
	err := Render(&b, s, f, o)
	return b.String(), err
}

// capLogs keeps the first n lines (they are errors first).
func capLogs(p *Logs, n int) *Logs {
	if p == nil || len(p.Lines) <= n {
		return p
	}
	cp := *p
	cp.Omitted += len(p.Lines) - n
	cp.Lines = p.Lines[:n]
	return &cp
}

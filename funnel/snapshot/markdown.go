package snapshot

import (
	"html"
	"strings"
)

// markdown writes a document as GitHub-flavoured Markdown: headings, field
// lists, tables, fenced code blocks (waterfall, logs, queries) and the
// queries folded in <details>.
func markdown(doc []block) string {
	var b strings.Builder
	for _, bl := range doc {
		writeMarkdownBlock(&b, bl)
		b.WriteByte('\n')
	}
	return b.String()
}

func writeMarkdownBlock(b *strings.Builder, bl block) {
	switch v := bl.(type) {
	case heading:
		b.WriteString(strings.Repeat("#", v.level) + " " + mdEscape(v.text) + "\n")
	case fieldList:
		for _, f := range v {
			value := mdEscape(f.value)
			if f.code {
				value = codeSpan(f.value)
			}
			b.WriteString("- **" + mdEscape(f.key) + ":** " + value + "\n")
		}
	case bullets:
		for _, item := range v {
			b.WriteString("- " + mdEscape(item) + "\n")
		}
	case paragraph:
		b.WriteString(mdEscape(string(v)) + "\n")
	case table:
		writeMarkdownTable(b, v)
	case preformatted:
		writeFence(b, v.lines)
	case collapsed:
		b.WriteString("<details>\n<summary>" + html.EscapeString(v.summary) + "</summary>\n\n")
		for _, inner := range v.blocks {
			writeMarkdownBlock(b, inner)
			b.WriteByte('\n')
		}
		b.WriteString("</details>\n")
	case linkList:
		for _, l := range v {
			b.WriteString("- [" + mdEscape(l.Title) + "](" + mdURL(l.URL) + ")\n")
		}
	}
}

func writeMarkdownTable(b *strings.Builder, t table) {
	row := func(cs []string) {
		b.WriteString("|")
		for _, c := range cs {
			b.WriteString(" " + mdEscape(c) + " |")
		}
		b.WriteByte('\n')
	}
	row(t.header)
	b.WriteString("|")
	for i := range t.header {
		if i < len(t.right) && t.right[i] {
			b.WriteString("--:|")
		} else {
			b.WriteString("---|")
		}
	}
	b.WriteByte('\n')
	for _, r := range t.rows {
		row(r)
	}
}

// writeFence writes lines in a fenced code block whose fence is longer
// than any run of backticks inside, so no line can close it early.
func writeFence(b *strings.Builder, lines []string) {
	fence := strings.Repeat("`", max(3, longestRun(lines, '`')+1))
	b.WriteString(fence + "\n")
	for _, l := range lines {
		b.WriteString(l + "\n")
	}
	b.WriteString(fence + "\n")
}

func longestRun(lines []string, c byte) int {
	best := 0
	for _, l := range lines {
		n := 0
		for i := 0; i < len(l); i++ {
			if l[i] == c {
				n++
				best = max(best, n)
			} else {
				n = 0
			}
		}
	}
	return best
}

// codeSpan wraps s in enough backticks to hold it verbatim.
func codeSpan(s string) string {
	fence := strings.Repeat("`", longestRun([]string{s}, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// mdSpecial are the characters escaped in Markdown text: emphasis, code,
// links, HTML, table cells, strikethrough, entities and the backslash.
// An underscore inside a word (trace_id) is left alone: GFM does not
// emphasise there.
const mdSpecial = "\\`*_[]<>|~&"

// mdLineStart are the characters that start a block when text begins with
// them (headings, list items, setext and thematic rules).
const mdLineStart = "#-+="

func mdEscape(s string) string {
	lead := ""
	if s != "" && strings.IndexByte(mdLineStart, s[0]) >= 0 {
		lead = "\\" // a heading, list or rule marker where a line may start
	}
	if !strings.ContainsAny(s, mdSpecial) {
		return lead + s
	}
	var b strings.Builder
	b.WriteString(lead)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '&':
			b.WriteString("&amp;")
			continue
		case c == '_' && i > 0 && i+1 < len(s) && isWordByte(s[i-1]) && isWordByte(s[i+1]):
		case strings.IndexByte(mdSpecial, c) >= 0:
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

func isWordByte(c byte) bool {
	return c >= 0x80 || ('0' <= c && c <= '9') || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z')
}

// mdURL percent-encodes what would end or break a link destination.
var mdURLSpecial = strings.NewReplacer(" ", "%20", "(", "%28", ")", "%29", "<", "%3C", ">", "%3E")

func mdURL(u string) string { return mdURLSpecial.Replace(u) }

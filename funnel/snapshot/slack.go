package snapshot

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// SlackLimit is the most characters Slack accepts in one message.
const SlackLimit = 40000

// slack writes s as Slack mrkdwn within SlackLimit characters: when the
// whole snapshot is longer, it drops log lines first, then waterfall
// rows, then the queries, and says so at the top.
func slack(s Snapshot, o Options) string {
	b := fullBudget
	out := slackDoc(document(s, o, b), o.Width)
	for utf8.RuneCountInString(out) > SlackLimit {
		next, ok := tighter(b, s)
		if !ok {
			return hardCut(out)
		}
		b = next
		out = slackDoc(document(s, o, b), o.Width)
	}
	return out
}

// tighter is the next smaller budget: halve the log lines, then the
// waterfall rows, then drop the queries.
func tighter(b budget, s Snapshot) (budget, bool) {
	logs, rows := 0, 0
	if s.Logs != nil {
		logs = len(s.Logs.Lines)
	}
	if s.Trace != nil {
		rows = len(s.Trace.Spans)
	}
	if b.logLines < 0 {
		b.logLines = logs
	}
	if b.spanRows < 0 {
		b.spanRows = rows
	}
	switch {
	case b.logLines > 0:
		b.logLines /= 2
	case b.spanRows > 0:
		b.spanRows /= 2
	case b.queries:
		b.queries = false
	default:
		return b, false
	}
	b.note = fmt.Sprintf("Cut to fit Slack's %d-character limit: %d of %d log lines, %d of %d waterfall rows", SlackLimit, min(b.logLines, logs), logs, min(b.spanRows, rows), rows)
	if !b.queries {
		b.note += ", queries left out"
	}
	b.note += "; the saved snapshot file has everything."
	return b, true
}

// hardCut is the last resort for a snapshot still too long with every
// long part gone: cut at a line boundary, closing an open code block.
func hardCut(out string) string {
	const tail = "\n```\n_(cut: the snapshot exceeds Slack's message limit)_\n"
	runes := []rune(out)
	cut := string(runes[:SlackLimit-utf8.RuneCountInString(tail)])
	if i := strings.LastIndexByte(cut, '\n'); i > 0 {
		cut = cut[:i]
	}
	if strings.Count(cut, "```")%2 == 0 {
		return cut + strings.TrimPrefix(tail, "\n```")
	}
	return cut + tail
}

func slackDoc(doc []block, width int) string {
	var b strings.Builder
	for _, bl := range doc {
		writeSlackBlock(&b, bl, width)
		b.WriteByte('\n')
	}
	return b.String()
}

func writeSlackBlock(b *strings.Builder, bl block, width int) {
	switch v := bl.(type) {
	case heading:
		if v.level == 3 {
			b.WriteString("_" + slackEscape(v.text) + "_\n")
		} else {
			b.WriteString("*" + slackEscape(v.text) + "*\n")
		}
	case fieldList:
		for _, f := range v {
			value := slackEscape(f.value)
			if f.code {
				value = "`" + value + "`"
			}
			b.WriteString("*" + slackEscape(f.key) + ":* " + value + "\n")
		}
	case bullets:
		for _, item := range v {
			b.WriteString("• " + slackEscape(item) + "\n")
		}
	case paragraph:
		b.WriteString(slackEscape(string(v)) + "\n")
	case table:
		writeSlackCode(b, alignedTable(v, width))
	case preformatted:
		writeSlackCode(b, v.lines)
	case collapsed:
		b.WriteString("_" + slackEscape(v.summary) + "_\n")
		for _, inner := range v.blocks {
			writeSlackBlock(b, inner, width)
		}
	case linkList:
		for _, l := range v {
			b.WriteString("• " + slackEscape(l.Title) + ": " + slackEscape(l.URL) + "\n")
		}
	}
}

// writeSlackCode writes a ``` block (Slack has no longer fences: a ``` in
// the text is replaced so it cannot close the block).
func writeSlackCode(b *strings.Builder, lines []string) {
	b.WriteString("```\n")
	for _, l := range lines {
		b.WriteString(slackEscape(l) + "\n")
	}
	b.WriteString("```\n")
}

// slackSpecial escapes what Slack parses in any text: &, < and > (links,
// mentions), ``` (code blocks), and the broadcast mentions.
var slackSpecial = strings.NewReplacer(
	"&", "&amp;", "<", "&lt;", ">", "&gt;", "```", "ˋˋˋ",
	"@channel", "＠channel", "@here", "＠here", "@everyone", "＠everyone",
)

func slackEscape(s string) string { return slackSpecial.Replace(s) }

package snapshot

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
)

// A document is what every text format writes: the same blocks, each
// format with its own syntax and escaping. Block text is already clean.
type block interface{ isBlock() }

type (
	// heading is a section title; level 1 is the snapshot's title.
	heading struct {
		level int
		text  string
	}
	// fieldList is a list of labelled values.
	fieldList []field
	// bullets is a list of sentences.
	bullets []string
	// paragraph is one sentence or note.
	paragraph string
	// table has a header row; flex is the column that shrinks to fit the
	// width; right marks right-aligned (numeric) columns.
	table struct {
		header []string
		rows   [][]string
		right  []bool
		flex   int
	}
	// preformatted is a code block; wrapped lines may be wrapped (logs,
	// queries), others are laid out to fit already (waterfall).
	preformatted struct {
		lines   []string
		wrapped bool
	}
	// collapsed is shown folded where the format can (Markdown <details>).
	collapsed struct {
		summary string
		blocks  []block
	}
	// linkList are titled URLs.
	linkList []Link
)

type field struct {
	key, value string
	code       bool // an identifier, shown as code where the format can
}

func (heading) isBlock()      {}
func (fieldList) isBlock()    {}
func (bullets) isBlock()      {}
func (paragraph) isBlock()    {}
func (table) isBlock()        {}
func (preformatted) isBlock() {}
func (collapsed) isBlock()    {}
func (linkList) isBlock()     {}

// budget limits the long parts of a document (Slack trims them to fit).
type budget struct {
	logLines int // -1: all
	spanRows int // -1: all
	queries  bool
	note     string // why something was cut, shown at the top
}

var fullBudget = budget{logLines: -1, spanRows: -1, queries: true}

// document lays out a clean snapshot as blocks.
func document(s Snapshot, o Options, b budget) []block {
	doc := []block{heading{1, title(s)}, overview(s)}
	if b.note != "" {
		doc = append(doc, paragraph(b.note))
	}
	doc = append(doc, failureBlocks(s.Failures)...)
	doc = append(doc, sloBlocks(s.SLO)...)
	doc = append(doc, redBlocks(s.RED)...)
	doc = append(doc, traceBlocks(s.Trace, o.Width, b.spanRows)...)
	doc = append(doc, logBlocks(s.Logs, b.logLines)...)
	if b.queries {
		doc = append(doc, queryBlocks(s)...)
	}
	if len(s.Links) > 0 {
		doc = append(doc, heading{2, "Links"}, linkList(s.Links))
	}
	return doc
}

func title(s Snapshot) string {
	switch {
	case s.SLO != nil:
		return fmt.Sprintf("Incident snapshot: %s/%s %s %s", s.SLO.Service, s.SLO.Name, s.SLO.Symbol, s.SLO.Verdict)
	case s.RED != nil:
		return "Incident snapshot: " + s.RED.Service
	case s.Trace != nil:
		return "Incident snapshot: trace " + s.Trace.TraceID
	}
	return "Incident snapshot"
}

func overview(s Snapshot) fieldList {
	ctx := s.Context
	if s.Environment != "" {
		ctx += " (" + s.Environment + ")"
	}
	f := fieldList{
		{key: "Context", value: ctx},
		{key: "Time range", value: rangeText(s.Range)},
		{key: "Taken", value: stamp(s.GeneratedAt)},
	}
	if len(s.Path) > 0 {
		f = append(f, field{key: "Path", value: breadcrumb(s.Path)})
	}
	return f
}

// breadcrumb renders the path: "SLO checkout/availability (worst) →
// route POST /api/checkout → trace dae89336… → logs".
func breadcrumb(path []Step) string {
	parts := make([]string, 0, len(path))
	for _, st := range path {
		var p string
		switch st.Step {
		case StepSLO:
			p = "SLO " + st.Label
		case StepTrace:
			p = "trace " + shortID(st.Label)
		case StepLogs:
			p = "logs"
		default:
			p = st.Step + " " + st.Label
		}
		if st.How != "" {
			p += " (" + st.How + ")"
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " → ")
}

func shortID(id string) string {
	if short := trace.ShortID(id); short != id {
		return short + "…"
	}
	return id
}

func failureBlocks(fs []Failure) []block {
	if len(fs) == 0 {
		return nil
	}
	items := make(bullets, 0, len(fs))
	for _, f := range fs {
		items = append(items, fmt.Sprintf("%s missing: %s failed: %s", partName(f.Part), f.Backend, f.Error))
	}
	return []block{heading{2, "Failures"}, items}
}

func partName(p string) string {
	switch p {
	case PartSLO:
		return "SLO"
	case PartRED:
		return "RED"
	case PartTrace:
		return "Trace"
	case PartLogs:
		return "Logs"
	}
	return p
}

func sloBlocks(p *SLO) []block {
	if p == nil {
		return nil
	}
	origin, objective := p.Origin, p.ObjectiveText
	if p.Threshold != nil {
		objective += " < " + units.Duration(time.Duration(*p.Threshold))
	}
	if p.Assumed {
		origin = "assumed: no SLO is defined for this service"
	}
	if p.Basis != "" {
		origin += "; threshold: " + p.Basis
	}
	f := fieldList{
		{key: "Verdict", value: p.Symbol + " " + p.Verdict},
		{key: "Objective", value: fmt.Sprintf("%s over %s (%s)", objective, units.Coarse(time.Duration(p.Period)), origin)},
		{key: "SLI", value: p.SLI},
		{key: "Budget left", value: percent(p.BudgetRemaining)},
		{key: "Burn rate now", value: burnText(p.CurrentBurn)},
		{key: "Budget exhausted in", value: exhaustionIn(p)},
	}
	if len(p.Alerts) > 0 {
		f = append(f, field{key: "Alerts firing", value: alertsText(p.Alerts)})
	}
	if len(p.BurnHistory) > 0 {
		f = append(f, field{key: "Burn history", value: spark(p.BurnHistory, 24)})
	}
	if p.Caveat != "" {
		f = append(f, field{key: "Caveat", value: p.Caveat})
	}
	blocks := []block{heading{2, fmt.Sprintf("SLO %s/%s", p.Service, p.Name)}, f, windowTable(p.Windows)}
	return append(blocks, warningBlocks(p.Warnings)...)
}

// alertsText lists firing alerts as "● Name (page, 12m)", a silenced or
// inhibited one as "● Name (page, 12m, silenced)".
func alertsText(as []Alert) string {
	parts := make([]string, len(as))
	for i, a := range as {
		facts := units.Coarse(time.Duration(a.ActiveFor))
		if a.Severity != "" {
			facts = a.Severity + ", " + facts
		}
		if a.Muted != "" {
			facts += ", " + a.Muted
		}
		parts[i] = fmt.Sprintf("%s %s (%s)", alert.Firing.Symbol(), a.Name, facts)
	}
	return strings.Join(parts, "; ")
}

// exhaustionIn qualifies a time to exhaustion with the burn it assumes;
// "never" (no TimeToExhaustion) and "spent" (zero) stand alone.
func exhaustionIn(p *SLO) string {
	if p.TimeToExhaustion == nil || *p.TimeToExhaustion == 0 {
		return p.ExhaustionText
	}
	return p.ExhaustionText + " at the current burn rate"
}

func windowTable(ws []Window) table {
	t := table{header: []string{"alert", "long", "short", "threshold", "long burn", "short burn", "firing"}, right: []bool{false, true, true, true, true, true, false}, flex: 0}
	for _, w := range ws {
		firing := ""
		if w.Firing {
			firing = "FIRING"
		}
		t.rows = append(t.rows, []string{w.Severity, w.Long, w.Short, burnText(Number(w.Factor)), burnText(w.LongBurn), burnText(w.ShortBurn), firing})
	}
	return t
}

func warningBlocks(ws []string) []block {
	if len(ws) == 0 {
		return nil
	}
	items := make(bullets, len(ws))
	for i, w := range ws {
		items[i] = "warning: " + w
	}
	return []block{items}
}

// sparkCells is the width of the RED sparklines.
const sparkCells = 8

func redBlocks(p *RED) []block {
	if p == nil {
		return nil
	}
	t := table{
		header: []string{"", "route", "rate", "errors", "p50", "p95", "p99", "share", "p99 hist", "err hist"},
		right:  []bool{false, false, true, true, true, true, true, true, false, false},
		flex:   1,
	}
	for _, r := range p.Routes {
		mark := ""
		if r.Selected {
			mark = "▶"
		}
		t.rows = append(t.rows, []string{
			mark, r.Route, rate(r.Rate), percent(r.ErrorRatio),
			r.P50.String(), r.P95.String(), r.P99.String(),
			percent(r.BurnShare), spark(r.LatencyHistory, sparkCells), spark(r.ErrorHistory, sparkCells),
		})
	}
	blocks := []block{heading{2, "RED of " + p.Service}}
	notes := bullets{redWindows(p)}
	if p.Convention != "" {
		notes = append(notes, "metrics convention: "+p.Convention)
	}
	if p.OmittedRoutes > 0 {
		notes = append(notes, fmt.Sprintf("%d more routes omitted", p.OmittedRoutes))
	}
	blocks = append(blocks, t, notes)
	return append(blocks, warningBlocks(p.Warnings)...)
}

// redWindows says what the RED table's numbers cover and how it is ranked.
func redWindows(p *RED) string {
	shareOf := cmp.Or(p.ShareOf, "errors")
	s := "routes ranked by their share of the service's " + shareOf
	if p.ShareWindow != "" {
		s += " over the last " + p.ShareWindow
	}
	s += "; ▶ marks the selected route"
	if p.Window != "" {
		s += "; rate, errors and p50–p99 over the last " + p.Window + " of the range, histories over all of it"
	}
	return s
}

func traceBlocks(p *Trace, width, maxRows int) []block {
	if p == nil {
		return nil
	}
	f := fieldList{
		{key: "Trace ID", value: p.TraceID, code: true},
		{key: "Root", value: p.RootService + ": " + p.RootName},
		{key: "Started", value: p.Start.UTC().Format("2006-01-02 15:04:05.000 UTC")},
		{key: "Duration", value: units.Duration(time.Duration(p.Duration))},
		{key: "Spans", value: fmt.Sprintf("%d, %d with errors, across %s", p.SpanCount, p.ErrorCount, strings.Join(p.Services, ", "))},
	}
	if p.Partial {
		f = append(f, field{key: "Partial", value: trace.PartialMark + " spans are missing: " + p.PartialReason})
	}
	blocks := []block{heading{2, "Trace " + shortID(p.TraceID)}, f}
	if len(p.Spans) > 0 {
		rows := p.Spans
		if maxRows >= 0 && len(rows) > maxRows {
			rows = rows[:maxRows]
		}
		blocks = append(blocks, paragraph(selectionNote(p, len(rows))), preformatted{lines: waterfall(p, rows, width)})
	}
	blocks = append(blocks, selfTimeBlocks(p)...)
	blocks = append(blocks, errorSpanBlocks(p.Errors)...)
	return append(blocks, warningBlocks(p.Warnings)...)
}

func selectionNote(p *Trace, rows int) string {
	note := fmt.Sprintf("Waterfall of %s", p.Selection)
	if rows < len(p.Spans) {
		note += fmt.Sprintf(", cut to %d of its %d rows", rows, len(p.Spans))
	}
	if p.OmittedSpans > 0 {
		note += fmt.Sprintf("; %d of %d spans omitted", p.OmittedSpans, p.SpanCount)
	}
	return note + "."
}

func selfTimeBlocks(p *Trace) []block {
	if len(p.TopSelfTime) == 0 {
		return nil
	}
	t := table{header: []string{"span", "self time", "of trace"}, right: []bool{false, true, true}, flex: 0}
	for _, s := range p.TopSelfTime {
		t.rows = append(t.rows, []string{s.Service + ": " + s.Name, units.Duration(time.Duration(s.Self)), percent(s.Share)})
	}
	return []block{heading{3, "Top spans by self time"}, t}
}

func errorSpanBlocks(es []SpanError) []block {
	if len(es) == 0 {
		return nil
	}
	items := make(bullets, 0, len(es))
	for _, e := range es {
		item := fmt.Sprintf("%s: %s (span %s)", e.Service, e.Name, e.SpanID)
		if e.StatusMessage != "" {
			item += ": " + truncate(e.StatusMessage, maxMessageCells)
		}
		if attrs := attrText(e.Attributes); attrs != "" {
			item += " — " + attrs
		}
		items = append(items, item)
	}
	return []block{heading{3, "Error spans, deepest first"}, items}
}

func attrText(as []Attr) string {
	parts := make([]string, 0, len(as))
	for _, a := range as {
		parts = append(parts, a.Key+"="+truncate(a.Value, 80))
	}
	return strings.Join(parts, " ")
}

func logBlocks(p *Logs, maxLines int) []block {
	if p == nil {
		return nil
	}
	lines := p.Lines
	omitted := p.Omitted
	if maxLines >= 0 && len(lines) > maxLines {
		omitted += len(lines) - maxLines
		lines = lines[:maxLines]
	}
	h := fmt.Sprintf("Logs: %d of %d lines, errors first", len(lines), p.Total)
	notes := bullets{}
	if p.Strategy != "" {
		notes = append(notes, "correlated by "+p.Strategy)
	}
	if omitted > 0 {
		notes = append(notes, fmt.Sprintf("%d lines omitted", omitted))
	}
	blocks := []block{heading{2, h}}
	if len(notes) > 0 {
		blocks = append(blocks, notes)
	}
	if len(lines) > 0 {
		pre := preformatted{wrapped: true}
		for _, l := range lines {
			pre.lines = append(pre.lines, fmt.Sprintf("%s %-5s %s  %s", units.Clock(l.Time), l.Level, l.Service, truncate(l.Message, maxMessageCells)))
		}
		blocks = append(blocks, pre)
	}
	return append(blocks, warningBlocks(p.Warnings)...)
}

func queryBlocks(s Snapshot) []block {
	var inner []block
	add := func(part string, qs []Query) {
		for _, q := range qs {
			head := fmt.Sprintf("%s — %s (%s %s, %s)", part, q.Purpose, q.Backend, q.Language, rangeText(q.Range))
			if q.NotSent != "" {
				head += " — not sent: " + q.NotSent
			}
			inner = append(inner, paragraph(head), preformatted{lines: strings.Split(q.Text, "\n"), wrapped: true})
		}
	}
	if s.SLO != nil {
		add("SLO", s.SLO.Queries)
	}
	if s.RED != nil {
		add("RED", s.RED.Queries)
	}
	if s.Trace != nil {
		add("Trace", s.Trace.Queries)
	}
	if s.Logs != nil {
		add("Logs", s.Logs.Queries)
	}
	if len(inner) == 0 {
		return nil
	}
	return []block{heading{2, "Queries"}, collapsed{summary: strconv.Itoa(len(inner)/2) + " queries, verbatim", blocks: inner}}
}

package waterfall

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/ui/fetch"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/uitest"
)

func TestViewGolden(t *testing.T) {
	tests := []struct {
		name          string
		noColor       bool
		width, height int
		keys          []string
	}{
		{name: "80x24", width: 80, height: 24},
		{name: "160x48", width: 160, height: 48},
		{name: "160x48_error_detail", width: 160, height: 48, keys: []string{"n", "d"}},
		{name: "200x30_side_detail", width: 200, height: 30, keys: []string{"n", "d"}},
		{name: "80x24_collapsed_scrolled", width: 80, height: 24, keys: []string{"j", "j", "j", "j", "j", "j", "j", "h", "G"}},
		{name: "80x24_nocolor_critical_only", noColor: true, width: 80, height: 24, keys: []string{"c", "n", "d"}},
		{name: "80x24_nocolor_detail_scrolled", noColor: true, width: 80, height: 24, keys: []string{"n", "d", "J", "J", "J", "J"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loadedModel(t, testEnv(tt.noColor), goldenTrace(), tt.width, tt.height)
			m = pressAll(t, m, tt.keys...)
			view := m.View()
			uitest.RequireSize(t, view, tt.width, tt.height)
			golden.RequireEqual(t, ansi.Strip(view))
		})
	}
}

// sgr matches one SGR sequence and captures its parameters.
var sgr = regexp.MustCompile(`\x1b\[([0-9;:]*)m`)

// setsColour reports whether an SGR parameter list sets a foreground or
// background colour (30–38, 40–48, 90–97, 100–107; 39 and 49 reset).
func setsColour(params string) bool {
	for _, p := range strings.FieldsFunc(params, func(r rune) bool { return r == ';' || r == ':' }) {
		n, err := strconv.Atoi(p)
		if err != nil {
			return true
		}
		if (n >= 30 && n <= 38) || (n >= 40 && n <= 48) || (n >= 90 && n <= 97) || (n >= 100 && n <= 107) {
			return true
		}
	}
	return false
}

func TestSetsColour(t *testing.T) {
	for params, want := range map[string]bool{"38;5;1": true, "31": true, "1;7": false, "0": false, "48;2;1;2;3": true, "4": false, "39": false} {
		if setsColour(params) != want {
			t.Errorf("setsColour(%q) = %v", params, !want)
		}
	}
}

func TestNoColorIsReadableWithoutColour(t *testing.T) {
	m := loadedModel(t, testEnv(true), goldenTrace(), 160, 48)
	raw := m.View()
	for _, m := range sgr.FindAllStringSubmatch(raw, -1) {
		if setsColour(m[1]) {
			t.Fatalf("NO_COLOR view sets a colour: %q", m[0])
		}
	}
	if !sgr.MatchString(raw) {
		t.Error("NO_COLOR view lost its reverse and bold attributes too")
	}
	coloured := loadedModel(t, testEnv(false), goldenTrace(), 160, 48).View()
	if !slices.ContainsFunc(sgr.FindAllStringSubmatch(coloured, -1), func(m []string) bool { return setsColour(m[1]) }) {
		t.Error("the coloured view sets no colour: the NO_COLOR check proves nothing")
	}
	plain := ansi.Strip(raw)
	for _, want := range []string{criticalMark, errorMark, "payments attempt 1"} {
		if !strings.Contains(plain, want) {
			t.Errorf("NO_COLOR view lacks %q", want)
		}
	}
	// Every critical row carries the symbol, every error row the cross.
	for _, line := range strings.Split(plain, "\n")[headerRows:] {
		if strings.Contains(line, "attempt 1") && !strings.Contains(line, criticalMark+errorMark) {
			t.Errorf("error span on the critical path not marked by symbols: %q", line)
		}
	}
}

// rowOfName returns the visible row of the span named name.
func rowOfName(t *testing.T, m *Model, name string) int {
	t.Helper()
	for r, n := range m.view.rows {
		if m.data.tree.Nodes[n].Span.Name == name {
			return r
		}
	}
	t.Fatalf("span %q is not visible", name)
	return -1
}

func selectedName(m *Model) string {
	return m.data.tree.Nodes[m.view.selectedNode()].Span.Name
}

func TestCollapseExpand(t *testing.T) {
	m := loadedModel(t, testEnv(false), goldenTrace(), 160, 48)
	total := len(m.view.rows)
	m.view = m.view.selectRow(rowOfName(t, m, "load cart"))

	m = pressAll(t, m, "h")
	if got := len(m.view.rows); got != total-2 {
		t.Fatalf("collapsing load cart shows %d rows, want %d", got, total-2)
	}
	if selectedName(m) != "load cart" {
		t.Fatalf("selection moved to %q", selectedName(m))
	}
	if !strings.Contains(ansi.Strip(m.View()), foldClosed+" checkout load cart") {
		t.Errorf("collapsed node not marked %s", foldClosed)
	}
	m = pressAll(t, m, "h")
	if selectedName(m) != "POST /api/checkout" || m.data.tree.Nodes[m.view.selectedNode()].Span.Service != "checkout" {
		t.Errorf("left on a collapsed node should select its parent, got %q", selectedName(m))
	}
	m.view = m.view.selectRow(rowOfName(t, m, "load cart"))
	m = pressAll(t, m, "l")
	if len(m.view.rows) != total {
		t.Fatalf("expand shows %d rows, want %d", len(m.view.rows), total)
	}
	m = pressAll(t, m, "l")
	if selectedName(m) != "SELECT cart_items" {
		t.Errorf("right on an expanded node should select its first child, got %q", selectedName(m))
	}
	m = pressAll(t, m, "k", "space")
	if len(m.view.rows) != total-2 {
		t.Errorf("space should collapse, %d rows", len(m.view.rows))
	}
	m = pressAll(t, m, "space")
	if len(m.view.rows) != total {
		t.Errorf("space again should expand, %d rows", len(m.view.rows))
	}
}

func TestCriticalOnly(t *testing.T) {
	m := loadedModel(t, testEnv(false), goldenTrace(), 160, 48)
	total := len(m.view.rows)
	m.view = m.view.selectRow(rowOfName(t, m, "GET inventory/1")) // off the path
	m = pressAll(t, m, "c")
	if len(m.view.rows) >= total || len(m.view.rows) == 0 {
		t.Fatalf("critical only shows %d of %d rows", len(m.view.rows), total)
	}
	for _, n := range m.view.rows {
		if !m.data.tree.Nodes[n].Critical {
			t.Errorf("non-critical span %q shown", m.data.tree.Nodes[n].Span.Name)
		}
	}
	if selectedName(m) != "validate inventory" {
		t.Errorf("selection should fall back to the nearest visible ancestor, got %q", selectedName(m))
	}
	if !strings.Contains(ansi.Strip(m.View()), "critical path only") {
		t.Error("status line does not say critical path only")
	}
	m = pressAll(t, m, "c")
	if len(m.view.rows) != total {
		t.Errorf("leaving critical only shows %d rows, want %d", len(m.view.rows), total)
	}
}

func TestSelectionAndScroll(t *testing.T) {
	m := loadedModel(t, testEnv(false), goldenTrace(), 80, 10) // 7 span rows on screen
	rows := len(m.view.rows)
	tests := []struct {
		keys             []string
		selected, offset int
	}{
		{keys: []string{"j", "down"}, selected: 2, offset: 0},
		{keys: []string{"k"}, selected: 1, offset: 0},
		{keys: []string{"up", "up"}, selected: 0, offset: 0},
		{keys: []string{"pgdown"}, selected: 7, offset: 1},
		{keys: []string{"G"}, selected: rows - 1, offset: rows - 7},
		{keys: []string{"pgup"}, selected: rows - 8, offset: rows - 8},
		{keys: []string{"g"}, selected: 0, offset: 0},
	}
	for _, tt := range tests {
		m = pressAll(t, m, tt.keys...)
		if m.view.selected != tt.selected || m.view.offset != tt.offset {
			t.Fatalf("after %v: selected %d offset %d, want %d %d", tt.keys, m.view.selected, m.view.offset, tt.selected, tt.offset)
		}
		uitest.RequireSize(t, m.View(), 80, 10)
		if !strings.Contains(ansi.Strip(m.View()), cursorMark) {
			t.Fatalf("after %v the selected row is off screen", tt.keys)
		}
	}
}

func TestNextError(t *testing.T) {
	m := loadedModel(t, testEnv(false), goldenTrace(), 160, 48)
	m = pressAll(t, m, "h", "c") // root collapsed and critical only: the error is hidden twice
	if len(m.view.rows) != 1 {
		t.Fatalf("collapsed root shows %d rows", len(m.view.rows))
	}
	m = pressAll(t, m, "n")
	if selectedName(m) != "attempt 1" {
		t.Fatalf("n selected %q, want the error span", selectedName(m))
	}
	m = pressAll(t, m, "n") // the only error: wraps onto itself
	if selectedName(m) != "attempt 1" {
		t.Errorf("n wrapped to %q", selectedName(m))
	}

	clean := goldenTrace()
	for i := range clean.Spans {
		clean.Spans[i].Status = trace.StatusOK
	}
	m = pressAll(t, loadedModel(t, testEnv(false), clean, 160, 48), "n")
	if m.view.selected != 0 || !strings.Contains(ansi.Strip(m.View()), "no error spans") {
		t.Error("n without errors should keep the selection and say so")
	}
}

func TestDetailToggle(t *testing.T) {
	tests := []struct {
		width, height int
		side          bool
		wantInDetail  []string
	}{
		{width: 80, height: 24, wantInDetail: []string{"status error: upstream timeout", "span c000000000000006", "Events (1)"}},
		{width: 200, height: 40, side: true, wantInDetail: []string{"status error: upstream timeout", "server.address = gw.acquirer.example", "+549ms exception"}},
	}
	for _, tt := range tests {
		m := loadedModel(t, testEnv(false), goldenTrace(), tt.width, tt.height)
		before := m.cols
		m = pressAll(t, m, "n", "d")
		if !m.showDetail || (m.cols.detailWidth > 0) != tt.side || (m.cols.detailRows > 0) == tt.side {
			t.Fatalf("%dx%d: detail layout %+v", tt.width, tt.height, m.cols)
		}
		view := ansi.Strip(m.View())
		uitest.RequireSize(t, m.View(), tt.width, tt.height)
		for _, want := range tt.wantInDetail {
			if !strings.Contains(view, want) {
				t.Errorf("%dx%d: detail lacks %q", tt.width, tt.height, want)
			}
		}
		m = pressAll(t, m, "d")
		if m.showDetail || m.cols != before {
			t.Errorf("%dx%d: second d should restore the layout", tt.width, tt.height)
		}
	}
}

// fortyAttributes is the golden trace with 40 attributes on its root span,
// keys attr00…attr39, some values long enough to wrap.
func fortyAttributes() *trace.Trace {
	tr := goldenTrace()
	s := &tr.Spans[0]
	for i := range 40 {
		s.Attributes = append(s.Attributes, trace.Attr{Key: fmt.Sprintf("attr%02d", i), Value: strings.Repeat("v", 10+i*7)})
	}
	return tr
}

// TestDetailScrollsToEveryAttribute: at 80×24 every one of 40 attributes
// comes on screen by pressing J, the panel says how to scroll, and K walks
// back to the top.
func TestDetailScrollsToEveryAttribute(t *testing.T) {
	m := pressAll(t, loadedModel(t, testEnv(true), fortyAttributes(), 80, 24), "d")
	seen := map[string]bool{}
	for range 60 {
		view := ansi.Strip(m.View())
		uitest.RequireSize(t, m.View(), 80, 24)
		for _, f := range strings.Fields(view) {
			if strings.HasPrefix(f, "attr") {
				seen[f] = true
			}
		}
		if !strings.Contains(view, "J/K scroll") {
			t.Fatal("an overflowing detail panel does not name its scroll keys")
		}
		m = pressAll(t, m, "J")
	}
	for i := range 40 {
		if k := fmt.Sprintf("attr%02d", i); !seen[k] {
			t.Errorf("%s never came on screen", k)
		}
	}
	if !strings.Contains(ansi.Strip(m.View()), cursorMark+" service.name = frontend") {
		t.Errorf("the last entry (a resource attribute) is not selected after scrolling down:\n%s", ansi.Strip(m.View()))
	}
	for range 60 {
		m = pressAll(t, m, "K")
	}
	if m.detailSel != 0 || m.detailOff != 0 {
		t.Errorf("K back to the top leaves entry %d, offset %d", m.detailSel, m.detailOff)
	}
	if m = pressAll(t, m, "j"); m.detailSel != 0 || m.detailOff != 0 {
		t.Error("selecting another span keeps the old detail scroll")
	}
}

func TestDetailKeysNeedThePanel(t *testing.T) {
	m := loadedModel(t, testEnv(true), fortyAttributes(), 80, 24)
	for _, k := range []string{"J", "v"} {
		next, cmd := m.Update(press(k))
		if cmd != nil || !strings.Contains(ansi.Strip(next.View()), "d shows them") {
			t.Errorf("%s without the detail panel should say how to open it", k)
		}
	}
}

func TestDetailWrapsMultiLineAndJSONValues(t *testing.T) {
	tr := goldenTrace()
	s := &tr.Spans[0]
	s.Attributes = []trace.Attr{
		{Key: "stack", Value: "panic: boom\n\tat main.go:1\n\tat lib.go:2"},
		{Key: "body", Value: `{"user":{"id":7,"tags":["a","b"]}}`},
	}
	tr = sanitize.Value(tr) // as the root hands it over: tabs expanded, newlines kept
	m := pressAll(t, loadedModel(t, testEnv(true), tr, 160, 48), "d")
	view := ansi.Strip(m.View())
	for _, want := range []string{cursorMark + " stack =", "    panic: boom", "            at main.go:1", "  body =", `    {`, `      "user": {`, `        "id": 7,`} {
		if !strings.Contains(view, want) {
			t.Errorf("detail lacks %q:\n%s", want, view)
		}
	}
}

func TestDetailOpensValueInPager(t *testing.T) {
	tr := goldenTrace()
	long := strings.Repeat("word ", 400) + "\x1b]52;c;ZXZpbA==\x07end"
	tr.Spans[0].Attributes = []trace.Attr{{Key: "short", Value: "x"}, {Key: "long", Value: long}}
	m := pressAll(t, loadedModel(t, testEnv(true), tr, 80, 24), "d", "J")
	_, cmd := m.Update(press("v"))
	if cmd == nil {
		t.Fatal("v opens nothing")
	}
	open, ok := cmd().(pane.OpenPager)
	if !ok {
		t.Fatalf("v returned %T, want pane.OpenPager", cmd())
	}
	if !strings.HasSuffix(open.Title, "· long") || open.Text != long {
		t.Errorf("pager opened %q with %d bytes, want the whole long value", open.Title, len(open.Text))
	}
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "more lines") || strings.Contains(view, "\x1b]52") {
		t.Errorf("a long value should be capped in the panel and sanitised:\n%s", view)
	}
}

func TestOpenLogs(t *testing.T) {
	tr := goldenTrace()
	wantRange := funnel.TimeRange{Start: epoch, End: epoch.Add(1200 * time.Millisecond)}
	tests := []struct {
		name string
		keys []string
		span string
	}{
		{name: "trace", keys: []string{"enter"}},
		{name: "span", keys: []string{"n", "L"}, span: "c000000000000006"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := loadedModel(t, testEnv(false), tr, 160, 48)
			m = pressAll(t, m, tt.keys[:len(tt.keys)-1]...)
			_, cmd := m.Update(press(tt.keys[len(tt.keys)-1]))
			if cmd == nil {
				t.Fatal("no command")
			}
			got, ok := cmd().(pane.OpenLogs)
			if !ok {
				t.Fatalf("got %T, want pane.OpenLogs", cmd())
			}
			want := pane.OpenLogs{TraceID: goldenTraceID, SpanID: tt.span,
				Services: []string{"frontend", "checkout", "payments"}, Range: wantRange}
			if got.TraceID != want.TraceID || got.SpanID != want.SpanID ||
				!slices.Equal(got.Services, want.Services) || !got.Range.Start.Equal(want.Range.Start) ||
				!got.Range.End.Equal(want.Range.End) {
				t.Errorf("got %+v, want %+v", got, want)
			}
		})
	}
}

func TestStaleResultDropped(t *testing.T) {
	env := testEnv(false)
	src := &fakeSource{trace: goldenTrace()}
	p := New(env, src, summaryOf(src.trace), env.Range).SetSize(160, 48)
	first := answers(p.Init())
	for _, msg := range first {
		p, _ = p.Update(msg)
	}
	m := p.(*Model)

	_, cmd := m.Update(pane.Refresh{})
	if cmd == nil || !m.Loading() {
		t.Fatal("refresh started no load")
	}
	if _, again := m.Update(pane.Refresh{}); again != nil {
		t.Error("a second refresh while one is in flight must not start another load")
	}
	stale := first[0].(fetch.Result[*loaded])
	stale.Value = prepare(syntheticTrace(5), nil)
	m = send(t, m, stale)
	if len(m.data.tree.Nodes) != len(goldenSpecs) || !m.Loading() {
		t.Fatal("a result of an older generation was accepted")
	}
	m = deliver(t, m, cmd)
	if m.Loading() {
		t.Error("the current generation's result was not accepted")
	}
}

func TestRefreshKeepsSelectionAndCollapse(t *testing.T) {
	env := testEnv(false)
	src := &fakeSource{trace: goldenTrace()}
	p := New(env, src, summaryOf(src.trace), env.Range).SetSize(160, 48)
	m := deliver(t, p, p.Init())
	m.view = m.view.selectRow(rowOfName(t, m, "validate inventory"))
	m = pressAll(t, m, "h", "j") // collapse it, select the next span

	reordered := goldenTrace()
	slices.Reverse(reordered.Spans) // a backend may answer in another order
	src.trace = reordered
	next, cmd := m.Update(pane.Refresh{})
	m = deliver(t, next, cmd)
	if selectedName(m) != "apply coupon" {
		t.Errorf("selection after refresh is %q", selectedName(m))
	}
	collapsed := m.view.rows[rowOfName(t, m, "validate inventory")]
	if !m.view.isCollapsed(collapsed) || !strings.Contains(ansi.Strip(m.View()), foldClosed+" checkout validate inventory") {
		t.Error("collapse state lost on refresh")
	}
	if src.calls.Load() != 2 {
		t.Errorf("source called %d times", src.calls.Load())
	}
}

func TestCloseCancelsInFlightLoad(t *testing.T) {
	env := testEnv(false)
	src := &fakeSource{block: true}
	p := New(env, src, trace.Summary{TraceID: goldenTraceID}, env.Range)
	done := make(chan tea.Msg, 1)
	load := p.Init()
	go func() { done <- load() }()
	p.Close()
	var msg tea.Msg
	select {
	case msg = <-done:
	case <-time.After(10 * time.Second): // a deadlock guard, not a speed check
		t.Fatal("Close did not cancel the load")
	}
	res, ok := msg.(fetch.Result[*loaded])
	if !ok {
		t.Fatalf("a cancelled load answered %T, want only its result, no backend health", msg)
	}
	if !errors.Is(res.Err, context.Canceled) {
		t.Fatalf("load ended with %v", res.Err)
	}
	if p.Update(msg); p.req.Err() != nil {
		t.Error("the answer to a cancelled load was accepted")
	}
}

// health is the backend health among msgs.
func health(t *testing.T, msgs []tea.Msg) pane.Health {
	t.Helper()
	for _, msg := range msgs {
		if h, ok := msg.(pane.Health); ok {
			return h
		}
	}
	t.Fatalf("no backend health in %v", msgs)
	return pane.Health{}
}

func TestErrorStateAndRetry(t *testing.T) {
	env := testEnv(false)
	src := &fakeSource{err: errors.New("tempo: 401 Unauthorized: missing X-Scope-OrgID")}
	p := New(env, src, trace.Summary{TraceID: goldenTraceID}, env.Range)
	p.SetSize(80, 24)
	if !strings.Contains(ansi.Strip(p.View()), "Loading trace "+goldenTraceID+" from tempo") {
		t.Errorf("loading state: %q", ansi.Strip(p.View()))
	}
	msgs := answers(p.Init())
	if h := health(t, msgs); h.Backend != "tempo" || h.Err == nil || !h.At.Equal(epoch.Add(time.Hour)) {
		t.Fatalf("health %+v", h)
	}
	p = deliver(t, p, func() tea.Msg { return msgs[0] })
	view := ansi.Strip(p.View())
	uitest.RequireSize(t, p.View(), 80, 24)
	for _, want := range []string{"could not be loaded from tempo", "401 Unauthorized: missing X-Scope-OrgID", "Press r to retry"} {
		if !strings.Contains(view, want) {
			t.Errorf("error view lacks %q:\n%s", want, view)
		}
	}

	src.err, src.trace = nil, goldenTrace()
	_, cmd := p.Update(pane.Refresh{})
	if cmd == nil {
		t.Fatal("refresh after an error started no load")
	}
	msgs = answers(cmd)
	if h := health(t, msgs); h.Err != nil {
		t.Errorf("health after retry: %v", h.Err)
	}
	p = deliver(t, p, func() tea.Msg { return msgs[0] })
	if !strings.Contains(ansi.Strip(p.View()), "frontend POST /api/checkout") {
		t.Error("retry did not show the trace")
	}
}

// A trace the backend answered it does not hold (an exemplar's, say) is no
// outage: the pane says it is missing and how to go on, the backend stays
// healthy.
func TestTraceNotFoundIsNotAnOutage(t *testing.T) {
	env := testEnv(true)
	src := &fakeSource{err: fmt.Errorf("tempo: trace %s %w", goldenTraceID, trace.ErrNotFound)}
	p := New(env, src, trace.Summary{TraceID: goldenTraceID}, env.Range)
	p.SetSize(80, 24)
	msgs := answers(p.Init())
	if h := health(t, msgs); h.Backend != "tempo" || h.Err != nil {
		t.Errorf("health %+v, want tempo healthy: it answered", h)
	}
	p = deliver(t, p, func() tea.Msg { return msgs[0] })
	view := p.View()
	uitest.RequireSize(t, view, 80, 24)
	if strings.Contains(view, errorMark) || strings.Contains(view, "could not be loaded") {
		t.Errorf("a missing trace looks like an outage:\n%s", view)
	}
	golden.RequireEqual(t, ansi.Strip(view))
}

func TestRefreshFailureKeepsTree(t *testing.T) {
	env := testEnv(false)
	src := &fakeSource{trace: goldenTrace()}
	p := New(env, src, summaryOf(src.trace), env.Range).SetSize(160, 48)
	m := deliver(t, p, p.Init())
	src.trace, src.err = nil, errors.New("tempo: connection refused")
	next, cmd := m.Update(pane.Refresh{})
	m = deliver(t, next, cmd)
	view := ansi.Strip(m.View())
	if !strings.Contains(view, "refresh failed: tempo: connection refused") || !strings.Contains(view, "payments POST /charge") {
		t.Errorf("failed refresh view:\n%s", view)
	}
}

func TestWarningsInHeader(t *testing.T) {
	tr := goldenTrace()
	tr.Partial = true
	tr.Warnings = []string{"trace exceeds max spans", "second"}
	tr.Spans[3].ParentID = "ffffffffffffffff" // orphan
	m := loadedModel(t, testEnv(false), tr, 160, 48)
	status := ansi.Strip(strings.Split(m.View(), "\n")[1])
	for _, want := range []string{"PARTIAL", "1 orphan span shown as root", "backend: trace exceeds max spans", "+1 more warnings"} {
		if !strings.Contains(status, want) {
			t.Errorf("status line lacks %q: %q", want, status)
		}
	}
}

func TestViewAlwaysFillsItsArea(t *testing.T) {
	sizes := [][2]int{{1, 1}, {10, 3}, {30, 5}, {80, 24}, {120, 40}, {240, 60}}
	for _, sz := range sizes {
		for _, keys := range [][]string{nil, {"d"}, {"c", "d", "G"}} {
			m := pressAll(t, loadedModel(t, testEnv(false), goldenTrace(), sz[0], sz[1]), keys...)
			uitest.RequireSize(t, m.View(), sz[0], sz[1])
		}
	}
	empty := loadedModel(t, testEnv(false), &trace.Trace{ID: goldenTraceID}, 80, 24)
	uitest.RequireSize(t, pressAll(t, empty, "j", "d", "n", "enter").View(), 80, 24)
	if !strings.Contains(ansi.Strip(empty.View()), "no spans") {
		t.Error("an empty trace does not say so")
	}
}

// chainTrace is one span calling the next, depth levels deep.
func chainTrace(depth int) *trace.Trace {
	t := &trace.Trace{ID: goldenTraceID}
	parent := ""
	for i := range depth {
		s := syntheticSpan(i, parent, i%3, epoch.Add(time.Duration(i)*time.Millisecond), time.Duration(2*depth-2*i)*time.Millisecond)
		t.Spans = append(t.Spans, s)
		parent = s.SpanID
	}
	return t
}

func TestDeepAndWideLabelsKeepTheColumns(t *testing.T) {
	deep := pressAll(t, loadedModel(t, testEnv(false), chainTrace(200), 80, 24), "G")
	view := deep.View()
	uitest.RequireSize(t, view, 80, 24)
	last := ansi.Strip(strings.Split(view, "\n")[23])
	if !strings.HasPrefix(last, "›◆  "+ellipsis) || !strings.Contains(last, "svc-01 operation 1") {
		t.Errorf("deep levels should be elided, keeping the name: %q", last)
	}

	wide := goldenTrace()
	wide.Spans[1].Name = "数据库查询数据库查询数据库查询数据库查询"
	wide.Spans[2].Name = "🔥🔥🔥 hot path 🔥🔥🔥🔥🔥🔥🔥🔥🔥"
	wide.Spans[3].Service = "サービス"
	for _, size := range [][2]int{{80, 24}, {160, 48}} {
		m := loadedModel(t, testEnv(false), wide, size[0], size[1])
		for _, keys := range [][]string{nil, {"j"}, {"j", "j"}, {"j", "j", "j", "d"}} {
			uitest.RequireSize(t, pressAll(t, m, keys...).View(), size[0], size[1])
		}
	}
}

func TestHelpListsWaterfallBindings(t *testing.T) {
	m := loadedModel(t, testEnv(false), goldenTrace(), 80, 24)
	help := m.Help()
	w := m.env.Keys.Waterfall
	for _, b := range []key.Binding{w.Collapse, w.Expand, w.Toggle, w.CriticalOnly, w.Details, w.NextError, w.TraceLogs, w.SpanLogs, w.DetailNext, w.DetailPrev, w.DetailOpen, m.env.Keys.List.Down} {
		if !slices.ContainsFunc(help, func(h key.Binding) bool { return slices.Equal(h.Keys(), b.Keys()) }) {
			t.Errorf("help lacks %v", b.Keys())
		}
	}
}

func BenchmarkView(b *testing.B) {
	for _, bc := range []struct {
		name  string
		spans int
	}{{"1k", 1_000}, {"10k", 10_000}, {"100k", 100_000}} {
		b.Run(bc.name, func(b *testing.B) {
			m := loadedModel(b, testEnv(false), syntheticTrace(bc.spans), 160, 48)
			m = pressAll(b, m, "pgdown", "pgdown") // rows with deep guides on screen
			b.ReportAllocs()
			for b.Loop() {
				_ = m.View()
			}
		})
	}
}

func BenchmarkKeypress100k(b *testing.B) {
	m := loadedModel(b, testEnv(false), syntheticTrace(100_000), 160, 48)
	down := press("down")
	b.ReportAllocs()
	for b.Loop() {
		next, _ := m.Update(down)
		m = next.(*Model)
		_ = m.View()
	}
}

// BenchmarkToggleCritical100k measures the O(n) path: recomputing the
// visible rows when the critical-only filter flips, plus one View.
func BenchmarkToggleCritical100k(b *testing.B) {
	m := loadedModel(b, testEnv(false), syntheticTrace(100_000), 160, 48)
	c := press("c")
	b.ReportAllocs()
	for b.Loop() {
		next, _ := m.Update(c)
		m = next.(*Model)
		_ = m.View()
	}
}

// TestOpensOnTheBottleneck: a fresh trace opens with the span that accounts
// for most of the critical path selected and on screen.
func TestOpensOnTheBottleneck(t *testing.T) {
	env := testEnv(false)
	src := goldenTrace()
	m := New(env, &fakeSource{trace: src}, summaryOf(src), env.Range).SetSize(80, 10)
	loaded := deliver(t, m, m.Init())
	n := loaded.view.selectedNode()
	if n < 0 || loaded.data.tree.Nodes[n].Span.Name != "await response" {
		t.Fatalf("selected node %d, want the payments await response span", n)
	}
	if line := lineContaining(ansi.Strip(loaded.View()), cursorMark); !strings.Contains(line, "payments await") {
		t.Errorf("the bottleneck is not the visible selected row: %q", line)
	}
}

func lineContaining(s, sub string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			return l
		}
	}
	return ""
}

// TestLiveRefreshSkipsSettledTraces: the live tick does not fetch a trace
// that ended long ago again (r still does), but keeps fetching a recent one,
// whose late spans may still arrive, and a partial one, whose missing spans
// may. A range change never fetches it: its spans lie in its own time span.
func TestLiveRefreshSkipsSettledTraces(t *testing.T) {
	tests := []struct {
		name      string
		partial   bool
		sinceEnd  time.Duration
		msg       tea.Msg
		wantFetch bool
	}{
		{"settled, live tick", false, time.Hour, pane.Refresh{Live: true}, false},
		{"settled, key r", false, time.Hour, pane.Refresh{}, true},
		{"recent, live tick", false, time.Minute, pane.Refresh{Live: true}, true},
		{"recent, range change", false, time.Minute, pane.RangeChanged{Range: funnel.Last(time.Hour, epoch)}, false},
		{"old but partial, live tick", true, time.Hour, pane.Refresh{Live: true}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := testEnv(false)
			src := &fakeSource{trace: goldenTrace()}
			src.trace.Partial = tt.partial
			tree := trace.Build(src.trace)
			env.Now = func() time.Time { return tree.End.Add(tt.sinceEnd) }
			m := New(env, src, summaryOf(src.trace), env.Range).SetSize(80, 24)
			loaded := deliver(t, m, m.Init())
			_, cmd := loaded.Update(tt.msg)
			if got := cmd != nil; got != tt.wantFetch {
				t.Errorf("fetched again = %v, want %v", got, tt.wantFetch)
			}
		})
	}
}

package logview

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/theme"
)

// mixedLines are a trace's lines in time order: the error and the warning
// sit among ordinary lines, not first.
func mixedLines() []logs.Line {
	at := func(ms int) time.Time { return benchStart.Add(time.Duration(ms) * time.Millisecond) }
	return []logs.Line{
		{Time: at(0), Level: logs.LevelDebug, Service: "frontend", Message: "request received"},
		{Time: at(5), Level: logs.LevelInfo, Service: "checkout", Message: "cart loaded"},
		{Time: at(9), Level: logs.LevelWarn, Service: "payments", Message: "retrying card gateway"},
		{Time: at(12), Level: logs.LevelInfo, Service: "payments", Message: "attempt 2"},
		{Time: at(15), Level: logs.LevelError, Service: "payments", Message: "charge timed out"},
		{Time: at(20), Level: logs.LevelFatal, Service: "payments", Message: "worker crashed"},
		{Time: at(21), Level: logs.LevelUnknown, Service: "frontend", Message: "response sent"},
	}
}

func noColorPane(t *testing.T, width, height int) *Model {
	t.Helper()
	styles := theme.New(true, true)
	km := keys.Default()
	env := pane.Env{Ctx: context.Background(), Styles: &styles, Keys: &km, Now: func() time.Time { return benchStart }}
	m := New(env, manyLines{mixedLines()}, pane.OpenLogs{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", Range: funnel.Last(time.Hour, benchStart)})
	m.SetSize(width, height)
	run(m, m.Init())
	return m
}

func TestViewGolden(t *testing.T) {
	for _, size := range [][2]int{{80, 21}, {160, 45}} {
		t.Run(fmt.Sprintf("%dx%d", size[0], size[1]), func(t *testing.T) {
			golden.RequireEqual(t, ansi.Strip(noColorPane(t, size[0], size[1]).View()))
		})
	}
}

// TestGutterMarksErrorsAndWarnings: in time order, without colour, every
// error and fatal line carries ✖ and every warning ⚠ in the gutter, and
// the title counts them.
func TestGutterMarksErrorsAndWarnings(t *testing.T) {
	view := ansi.Strip(noColorPane(t, 80, 21).View())
	want := map[string]string{
		"retrying card gateway": warnMark, "charge timed out": errorMark, "worker crashed": errorMark,
		"cart loaded": "", "response sent": "",
	}
	for msg, mark := range want {
		line := ""
		for _, l := range strings.Split(view, "\n") {
			if strings.Contains(l, msg) {
				line = l
			}
		}
		gutter := strings.TrimSpace(string([]rune(line)[:3]))
		if gutter != mark {
			t.Errorf("line %q: gutter %q, want %q", msg, gutter, mark)
		}
	}
	if !strings.Contains(view, errorMark+" 2 errors · "+warnMark+" 1 warning · time order") {
		t.Errorf("the title does not count errors and warnings:\n%s", view)
	}
}

// TestNoHintLine: the keys are on the root's help line (Help); the pane
// does not print them again.
func TestNoHintLine(t *testing.T) {
	m := noColorPane(t, 160, 45)
	view := ansi.Strip(m.View())
	for _, b := range m.Help() {
		if strings.Contains(view, b.Help().Key+" "+b.Help().Desc) {
			t.Errorf("the pane repeats the hint %q:\n%s", b.Help().Key+" "+b.Help().Desc, view)
		}
	}
}

package logview

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/ui/keys"
	"github.com/redline-tui/redline/ui/pane"
	"github.com/redline-tui/redline/ui/theme"
	"github.com/redline-tui/redline/ui/uitest"
)

// manyLines answers every query with the same n lines.
type manyLines struct{ lines []logs.Line }

func (manyLines) Name() string { return "loki" }

func (s manyLines) TraceLogs(context.Context, logs.Query) (logs.Result, error) {
	return logs.Result{Lines: s.lines, Strategy: "structured metadata trace_id"}, nil
}

var benchStart = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

// syntheticLines are n lines of a busy trace: mixed levels, services and
// spans, messages of typical length.
func syntheticLines(n int) []logs.Line {
	levels := []logs.Level{logs.LevelInfo, logs.LevelDebug, logs.LevelWarn, logs.LevelError}
	services := []string{"checkout", "payments", "inventory", "gateway"}
	out := make([]logs.Line, n)
	for i := range out {
		msg := fmt.Sprintf("request %d handled: user=u-%d cart=%d items upstream=payments latency_ms=%d", i, i%977, i%13, i%1500)
		out[i] = logs.Line{
			Time: benchStart.Add(time.Duration(i) * time.Millisecond), Level: levels[i%len(levels)],
			Service: services[i%len(services)], SpanID: fmt.Sprintf("%016x", i%4096),
			TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", Body: msg, Message: msg,
		}
	}
	return out
}

// loaded is the log pane at 160×45 with lines answered, as the root
// builds it.
func loaded(b *testing.B, lines []logs.Line) *Model {
	styles := theme.New(true, false)
	km := keys.Default()
	env := pane.Env{Ctx: context.Background(), Styles: &styles, Keys: &km, Now: func() time.Time { return benchStart }}
	m := New(env, manyLines{lines}, pane.OpenLogs{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", Range: funnel.Last(time.Hour, benchStart)})
	m.SetSize(160, 45)
	run(m, m.Init())
	if m.Table.Len() != len(lines) {
		b.Fatalf("pane holds %d lines, want %d", m.Table.Len(), len(lines))
	}
	return m
}

// run executes cmd and feeds what follows back to m, as the program does.
func run(m *Model, cmd tea.Cmd) {
	for queue := []tea.Cmd{cmd}; len(queue) > 0; queue = queue[1:] {
		if queue[0] == nil {
			continue
		}
		switch msg := queue[0]().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		default:
			_, next := m.Update(msg)
			queue = append(queue, next)
		}
	}
}

// liveHeapMB is the live heap, in MB, once lines are loaded; benchmarks
// report it after their loop (b.Loop drops metrics reported before).
func liveHeapMB() float64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapAlloc) / (1 << 20)
}

// BenchmarkLogsKeypress100k measures one keypress on 100,000 lines: Update
// for a down key plus the View the program draws after it (target ≤ 16 ms).
func BenchmarkLogsKeypress100k(b *testing.B) {
	m := loaded(b, syntheticLines(100_000))
	heap := liveHeapMB()
	down := uitest.Press("down")
	b.ReportAllocs()
	for b.Loop() {
		m.Update(down)
		_ = m.View()
	}
	b.ReportMetric(heap, "heap-MB")
}

// BenchmarkLogsFilterKeypress100k measures typing into the filter prompt
// on 100,000 lines: each iteration types a character or deletes it again
// (both refilter every line), plus the View (target ≤ 16 ms).
func BenchmarkLogsFilterKeypress100k(b *testing.B) {
	m := loaded(b, syntheticLines(100_000))
	m.Update(uitest.Press("/"))
	m.Update(uitest.Press("u"))
	heap := liveHeapMB()
	typed := []tea.KeyPressMsg{uitest.Press("-"), uitest.Press("backspace")}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		m.Update(typed[i%2])
		_ = m.View()
		i++
	}
	if !m.Capturing() || m.Table.Shown() == 0 {
		b.Fatal("the filter prompt closed, or the filter dropped every line")
	}
	b.ReportMetric(heap, "heap-MB")
}

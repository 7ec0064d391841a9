package waterfall

import (
	"strings"
	"testing"
	"time"

	"charm.land/lipgloss/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/trace"
)

func TestDrawBar(t *testing.T) {
	tests := []struct {
		name     string
		bar      trace.Bar
		want     string
		reversed bool // the first drawn cell uses the reverse-video technique
	}{
		{name: "full width", bar: trace.Bar{From: 0, To: 10}, want: "██████████"},
		{name: "zero length at start", bar: trace.Bar{From: 0, To: 0}, want: "▏         "},
		{name: "zero length at end", bar: trace.Bar{From: 10, To: 10}, want: "         ▏"},
		{name: "partial end", bar: trace.Bar{From: 0, To: 3.25}, want: "███▎      "},
		{name: "partial start", bar: trace.Bar{From: 2.5, To: 5}, want: "  ▌██     ", reversed: true},
		{name: "both partial", bar: trace.Bar{From: 1.75, To: 4.375}, want: " ▊██▍     ", reversed: true},
		{name: "inside one cell", bar: trace.Bar{From: 1.125, To: 1.5}, want: " ▍        "},
		{name: "shorter than an eighth", bar: trace.Bar{From: 4, To: 4.01}, want: "    ▏     "},
		{name: "last cell partial start", bar: trace.Bar{From: 9.875, To: 10}, want: "         ▉", reversed: true},
		{name: "beyond the width is clamped", bar: trace.Bar{From: -3, To: 42}, want: "██████████"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := drawBar(tt.bar, 10, newBarPaint(lipgloss.NewStyle()))
			if got := ansi.Strip(raw); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
			if w := ansi.StringWidth(raw); w != 10 {
				t.Errorf("width %d", w)
			}
			if got := strings.Contains(raw, "\x1b[7m"); got != tt.reversed {
				t.Errorf("reverse video %v, want %v (%q)", got, tt.reversed, raw)
			}
		})
	}
}

func TestAxisLabels(t *testing.T) {
	tests := []struct {
		total time.Duration
		width int
		want  string
	}{
		{1200 * time.Millisecond, 33, "0             500ms         1s   "},
		{1200 * time.Millisecond, 75, "0            200ms       400ms        600ms       800ms        1s          "},
		{90 * time.Second, 40, "0            30s           60s          "},
		{10 * time.Minute, 30, "0              5min           "},
		{1500 * time.Microsecond, 24, "0       500µs   1ms     "},
		{3 * time.Hour, 60, "0         30min     1h        1.5h      2h        2.5h      "},
		{137 * time.Nanosecond, 40, "0              50ns          100ns      "},
		{0, 10, "0         "},
		{time.Second, 4, "0   "},
	}
	for _, tt := range tests {
		got := axisLabels(tt.total, tt.width)
		if got != tt.want {
			t.Errorf("axisLabels(%v, %d) = %q, want %q", tt.total, tt.width, got, tt.want)
		}
		if w := ansi.StringWidth(got); w != tt.width {
			t.Errorf("axisLabels(%v, %d) is %d wide", tt.total, tt.width, w)
		}
	}
}

func TestTickLabel(t *testing.T) {
	tests := []struct {
		t, step time.Duration
		want    string
	}{
		{0, time.Second, "0"},
		{250 * time.Millisecond, 250 * time.Millisecond, "250ms"},
		{5 * time.Second, 2500 * time.Millisecond, "5s"},
		{7500 * time.Millisecond, 2500 * time.Millisecond, "7.5s"},
		{2 * time.Minute, time.Minute, "2min"},
		{90 * time.Minute, 30 * time.Minute, "1.5h"},
		{1500 * time.Millisecond, 500 * time.Millisecond, "1.5s"},
		{1000 * time.Microsecond, 250 * time.Microsecond, "1ms"},
		{50, 50, "50ns"},
	}
	for _, tt := range tests {
		if got := tickLabel(tt.t, tt.step); got != tt.want {
			t.Errorf("tickLabel(%v, %v) = %q, want %q", tt.t, tt.step, got, tt.want)
		}
	}
}

func TestComputeColumns(t *testing.T) {
	tests := []struct {
		width, height int
		detail        bool
		self          bool
		side          bool
	}{
		{width: 80, height: 24},
		{width: 99, height: 24},
		{width: 100, height: 24, self: true},
		{width: 160, height: 48, self: true},
		{width: 160, height: 48, detail: true, self: true},
		{width: 200, height: 40, detail: true, self: true, side: true},
		{width: 260, height: 40, self: true},
	}
	for _, tt := range tests {
		c := computeColumns(tt.width, tt.height, tt.detail)
		used := markerWidth + c.tree + 1 + durWidth + 1 + c.bar
		if c.self {
			used += 1 + durWidth
		}
		if used != c.listWidth {
			t.Errorf("%dx%d: columns use %d of %d cells: %+v", tt.width, tt.height, used, c.listWidth, c)
		}
		if c.bar < minBarWidth || c.tree > maxTreeWidth || c.self != tt.self || (c.detailWidth > 0) != tt.side {
			t.Errorf("%dx%d detail=%v: %+v", tt.width, tt.height, tt.detail, c)
		}
		if rows := headerRows + c.listRows + c.detailRows; rows != tt.height {
			t.Errorf("%dx%d: rows add up to %d", tt.width, tt.height, rows)
		}
	}
	narrow, wide := computeColumns(80, 24, false), computeColumns(160, 48, false)
	if narrow.tree >= wide.tree {
		t.Errorf("the tree column should shrink at 80 columns: %d vs %d", narrow.tree, wide.tree)
	}
}

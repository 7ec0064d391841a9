package snapshot_test

import (
	"bytes"
	"flag"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/snapshot"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// golden compares got with testdata/<name>.golden, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it)\n%s", name, firstDifference(string(want), string(got)))
	}
}

func firstDifference(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\nwant: " + wl + "\ngot:  " + gl
		}
	}
	return ""
}

func render(t testing.TB, s snapshot.Snapshot, f snapshot.Format, o snapshot.Options) string {
	t.Helper()
	out, err := snapshot.String(s, f, o)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestGoldenDemo(t *testing.T) {
	s := demoSnapshot(t)
	for _, f := range snapshot.Formats {
		t.Run(string(f), func(t *testing.T) {
			golden(t, "demo."+f.Ext(), []byte(render(t, s, f, snapshot.Options{})))
		})
	}
}

// TestGoldenSLOOnly is a snapshot taken at the SLO step: only its part.
func TestGoldenSLOOnly(t *testing.T) {
	in := demoInput(t)
	in.RED, in.Route, in.Summary, in.Trace, in.Tree, in.Logs, in.TraceQueries = nil, "", nil, nil, nil, nil, nil
	s := snapshot.FromFunnel(in)
	if s.RED != nil || s.Trace != nil || s.Logs != nil || len(s.Path) != 1 {
		t.Fatalf("SLO-step snapshot has parts beyond the SLO: %+v", s.Path)
	}
	golden(t, "slo-only.md", []byte(render(t, s, snapshot.FormatMarkdown, snapshot.Options{})))
}

// TestGoldenNoData: an SLO whose every window is unknown reads NO DATA,
// never OK, and the snapshot names the queries that gave nothing.
func TestGoldenNoData(t *testing.T) {
	in := demoInput(t)
	in.RED, in.Route, in.Summary, in.Trace, in.Tree, in.Logs, in.TraceQueries = nil, "", nil, nil, nil, nil, nil
	in.SLOQueries = in.SLOQueries[:2]
	m := slo.Measurements{At: in.SLO.At}
	for _, w := range []time.Duration{5 * time.Minute, 30 * time.Minute, time.Hour} {
		query := "all requests per job over " + slo.WindowLabel(w)
		m.Windows = append(m.Windows, slo.Ratio{Window: w, ErrorRatio: math.NaN(), Total: math.NaN(), Query: query})
	}
	m.Period = slo.Ratio{Window: slo.DefaultPeriod, ErrorRatio: math.NaN(), Total: math.NaN(), Query: "all requests per job over 30d"}
	st := slo.Evaluate(in.SLO.Objective, m)
	in.SLO = &st
	s := snapshot.FromFunnel(in)
	for _, f := range []snapshot.Format{snapshot.FormatMarkdown, snapshot.FormatJSON} {
		t.Run(string(f), func(t *testing.T) {
			out := render(t, s, f, snapshot.Options{})
			if !strings.Contains(out, "NO DATA") || !strings.Contains(out, "all requests per job over 5m") {
				t.Errorf("the snapshot does not say NO DATA and which query gave nothing:\n%s", out)
			}
			golden(t, "no-data."+f.Ext(), []byte(out))
		})
	}
}

// TestGoldenAssumedLatency: the assumed latency SLO says how its threshold
// was chosen, and quantiles beyond the last bucket read as lower bounds in
// every format.
func TestGoldenAssumedLatency(t *testing.T) {
	s := snapshot.FromFunnel(assumedLatencyInput(t))
	for _, f := range []snapshot.Format{snapshot.FormatText, snapshot.FormatJSON} {
		t.Run(string(f), func(t *testing.T) {
			golden(t, "assumed-latency."+f.Ext(), []byte(render(t, s, f, snapshot.Options{Width: 80})))
		})
	}
}

// TestQueriesNotSentSaySo: a query its step did not send (its backend had
// timed out) says so, with the reason, in every format.
func TestQueriesNotSentSaySo(t *testing.T) {
	in := demoInput(t)
	in.SLOQueries[0].NotSent = "prometheus timed out after 30s on detection"
	s := snapshot.FromFunnel(in)
	for _, f := range snapshot.Formats {
		t.Run(string(f), func(t *testing.T) {
			out := strings.Join(strings.Fields(render(t, s, f, snapshot.Options{})), " ") // unwrapped
			if f == snapshot.FormatSlack && strings.Contains(out, "queries left out") {
				return
			}
			if n := strings.Count(out, "not sent: prometheus timed out after 30s on detection"); n != 1 && f != snapshot.FormatJSON {
				t.Errorf("the reason appears %d times, want once:\n%s", n, out)
			}
			if n := strings.Count(out, "prometheus timed out after 30s on detection"); n != 1 {
				t.Errorf("the reason appears %d times, want once:\n%s", n, out)
			}
		})
	}
}

// cellsOf measures a line in terminal cells, independently of the
// package's own measure.
func cellsOf(s string) int { return ansi.StringWidth(s) }

func TestTextLinesFitWidth(t *testing.T) {
	s := demoSnapshot(t)
	for _, width := range []int{80, 60, 120} {
		out := render(t, s, snapshot.FormatText, snapshot.Options{Width: width})
		for i, line := range strings.Split(out, "\n") {
			if n := cellsOf(line); n > width {
				t.Errorf("width %d: line %d is %d cells: %q", width, i+1, n, line)
			}
		}
	}
}

func TestMarkdownWaterfallFits80Columns(t *testing.T) {
	out := render(t, demoSnapshot(t), snapshot.FormatMarkdown, snapshot.Options{})
	start := strings.Index(out, "```\n  span ")
	if start < 0 {
		t.Fatal("no waterfall code block in the Markdown snapshot")
	}
	block := out[start+4:]
	block = block[:strings.Index(block, "```")]
	lines := strings.Split(strings.TrimSuffix(block, "\n"), "\n")
	if len(lines) < 5 {
		t.Fatalf("waterfall has %d lines", len(lines))
	}
	for _, line := range lines {
		if n := cellsOf(line); n > 80 {
			t.Errorf("waterfall line is %d cells: %q", n, line)
		}
	}
}

func TestParseFormat(t *testing.T) {
	tests := []struct {
		in   string
		want snapshot.Format
		ok   bool
	}{
		{"md", snapshot.FormatMarkdown, true},
		{"Markdown", snapshot.FormatMarkdown, true},
		{"slack", snapshot.FormatSlack, true},
		{"txt", snapshot.FormatText, true},
		{" json ", snapshot.FormatJSON, true},
		{"html", "", false},
		{"", "", false},
	}
	for _, tt := range tests {
		got, err := snapshot.ParseFormat(tt.in)
		if got != tt.want || (err == nil) != tt.ok {
			t.Errorf("ParseFormat(%q) = %q, %v", tt.in, got, err)
		}
	}
	if err := snapshot.Render(&bytes.Buffer{}, demoSnapshot(t), "html", snapshot.Options{}); err == nil {
		t.Error("Render accepted an unknown format")
	}
}

func TestMaxLogLines(t *testing.T) {
	s := demoSnapshot(t)
	tests := []struct {
		max, want int
	}{
		{0, snapshot.DefaultMaxLogLines},
		{3, 3},
		{-1, 0},
	}
	for _, tt := range tests {
		out := render(t, s, snapshot.FormatJSON, snapshot.Options{MaxLogLines: tt.max})
		got, err := snapshot.ParseJSON([]byte(out))
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Logs.Lines) != tt.want || got.Logs.Omitted != got.Logs.Total-tt.want {
			t.Errorf("MaxLogLines %d: %d lines, %d omitted of %d", tt.max, len(got.Logs.Lines), got.Logs.Omitted, got.Logs.Total)
		}
		if len(got.Logs.Lines) > 0 && got.Logs.Lines[0].Level != "ERROR" {
			t.Errorf("first log line is %s, want errors first", got.Logs.Lines[0].Level)
		}
	}
}

func BenchmarkRenderMarkdown(b *testing.B) {
	s := demoSnapshot(b)
	var buf bytes.Buffer
	b.ReportAllocs()
	for b.Loop() {
		buf.Reset()
		if err := snapshot.Render(&buf, s, snapshot.FormatMarkdown, snapshot.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFromFunnel(b *testing.B) {
	in := demoInput(b)
	b.ReportAllocs()
	for b.Loop() {
		snapshot.FromFunnel(in)
	}
}

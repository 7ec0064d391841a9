package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"
	"github.com/charmbracelet/x/exp/golden"

	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// TestRunSnapshotSubcommand runs `redline snapshot` through run(), as the
// shell does.
func TestRunSnapshotSubcommand(t *testing.T) {
	isolateConfig(t)
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"demo text", []string{"snapshot", "--demo", "--format", "text"}, 0, "Incident snapshot: checkout/availability", ""},
		{"demo json", []string{"snapshot", "--demo", "--format", "json"}, 0, `"schema": "redline.snapshot/v1"`, ""},
		{"bad format", []string{"snapshot", "--demo", "--format", "yaml"}, exitUsage, "", "unknown snapshot format"},
		{"no backends", []string{"snapshot"}, exitUsage, "", "redline --demo"},
		{"help", []string{"snapshot", "--help"}, 0, "", "Exit status: 0 complete"},
		{"dead prometheus", []string{"snapshot", "--prometheus", "http://" + deadAddr(t)}, exitBackend, "## Failures", "slo step failed (prometheus)"},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		code := run(tt.args, &stdout, &stderr)
		if code != tt.code || !strings.Contains(stdout.String(), tt.stdout) || !strings.Contains(stderr.String(), tt.stderr) {
			t.Errorf("%s: code %d, stdout %q…, stderr %q; want %d, %q, %q", tt.name, code,
				firstLine(stdout.String()), stderr.String(), tt.code, tt.stdout, tt.stderr)
		}
		if tt.name != "demo text" {
			continue
		}
		for i, line := range strings.Split(stdout.String(), "\n") {
			if w := ansi.StringWidth(line); w > 80 {
				t.Errorf("text line %d is %d cells wide: %q", i+1, w, line)
			}
		}
	}
}

func firstLine(s string) string { return strings.SplitN(s, "\n", 2)[0] }

// TestConfigSnapshotSettings reads snapshot.deny_keys, snapshot.dir and a
// context's Grafana and Jaeger UI settings into both the TUI's options and
// the headless request.
func TestConfigSnapshotSettings(t *testing.T) {
	dir := isolateConfig(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	path := filepath.Join(dir, "redline", "config.yaml")
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(`contexts:
  prod:
    prometheus: {url: "http://127.0.0.1:9"}
    grafana: {url: "https://grafana.example", org_id: 2, datasources: {prometheus: prom-uid}}
    jaeger_ui_url: https://jaeger.example
    window: 6h
snapshot:
  deny_keys: [x-session-id]
  dir: ~/incidents
`), 0o600)
	var stderr bytes.Buffer
	b, code := liveBackends(endpointFlags{}, &stderr)
	if code != 0 {
		t.Fatalf("liveBackends: %d %s", code, stderr.String())
	}
	defer b.close()
	s := liveOptions(b).Snapshot
	if s.Dir != filepath.Join(home, "incidents") || len(s.DenyKeys) != 1 || s.DenyKeys[0] != "x-session-id" {
		t.Errorf("TUI snapshot options %+v, want ~ expanded and the deny-list", s)
	}
	if s.Links.GrafanaURL != "https://grafana.example" || s.Links.GrafanaOrgID != 2 || len(s.Links.Datasources) == 0 || s.Links.Datasources[0].UID != "prom-uid" || s.Links.Datasources[0].Type != "prometheus" || s.Links.JaegerUI != "https://jaeger.example" {
		t.Errorf("TUI links %+v", s.Links)
	}
	req := b.snapshotRequest(snapshotRequest{})
	if req.Context != "prod" || req.Window != 6*time.Hour || req.Links.JaegerUI != "https://jaeger.example" || len(req.DenyKeys) != 1 {
		t.Errorf("headless request %+v", req)
	}
	if req := b.snapshotRequest(snapshotRequest{Window: time.Hour}); req.Window != time.Hour {
		t.Errorf("--window %v was replaced by the context's", req.Window)
	}
}

// TestGoldenSnapshotOverlay draws the snapshot overlay opened on the demo's
// waterfall (while the file is being saved, so the frame does not hold the
// temporary directory), then checks the file and the report of where it
// went.
func TestGoldenSnapshotOverlay(t *testing.T) {
	dir := t.TempDir()
	opts := demoOptions(fixedNow)
	opts.Version = "test"
	opts.Ticker = uitest.NeverTick
	opts.Snapshot.Dir = dir
	d := uitest.New(t, ui.New(opts), 80, 24)
	d.Keys("enter", "enter", "enter")
	next, save := d.Model.Update(uitest.Press("s"))
	d.Model = next
	golden.RequireEqual(t, screen(d))
	d.Run(save)
	path := filepath.Join(dir, "20261121T210000Z-checkout.md")
	saved, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(saved), "# Incident snapshot: checkout/availability") || !strings.Contains(string(saved), "## Trace ") {
		t.Errorf("saved snapshot:\n%s", saved)
	}
	if report := savedReport(screen(d)); report != "snapshotsavedto"+path {
		t.Errorf("the overlay reports %q, want the path %s", report, path)
	}
	d.Keys("esc")
	if !strings.Contains(crumb(screen(d)), "▸ trace ") {
		t.Errorf("esc did not return to the waterfall:\n%s", screen(d))
	}
}

// savedReport joins the overlay's report of where the snapshot went, which
// wraps over the lines between the title and the snapshot's first line,
// without its spaces (a wrap may fall on one).
func savedReport(screen string) string {
	lines := strings.Split(screen, "\n")
	var report []string
	for _, l := range lines[2:] {
		if strings.HasPrefix(l, "# Incident") {
			break
		}
		report = append(report, strings.ReplaceAll(l, " ", ""))
	}
	return strings.Join(report, "")
}

// TestReadmeDocumentsTheSnapshotSchema keeps README.md's JSON schema the
// one funnel/snapshot's package doc states.
func TestReadmeDocumentsTheSnapshotSchema(t *testing.T) {
	src, err := os.ReadFile(filepath.Join("..", "..", "funnel", "snapshot", "snapshot.go"))
	if err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var schema []string
	for _, line := range strings.Split(string(src), "\n") {
		if code, ok := strings.CutPrefix(line, "//\t"); ok {
			schema = append(schema, code)
		}
	}
	_, block, _ := strings.Cut(string(readme), "<!-- snapshot-schema:start -->\n```\n")
	block, _, found := strings.Cut(block, "\n```\n<!-- snapshot-schema:end -->")
	if !found || block != strings.Join(schema, "\n") {
		t.Errorf("README.md's snapshot schema differs from funnel/snapshot's doc comment:\n%s", block)
	}
}

// BenchmarkSnapshotKey measures s on the demo's log step: collecting the
// path from the five panes, building and rendering the Markdown snapshot
// and wrapping it for the overlay (the file is saved in a command, not
// measured).
func BenchmarkSnapshotKey(b *testing.B) {
	opts := demoOptions(fixedNow)
	opts.Ticker = uitest.NeverTick
	d := uitest.New(b, ui.New(opts), 80, 24)
	d.Keys("enter", "enter", "enter", "enter")
	key := uitest.Press("s")
	for b.Loop() {
		if _, save := d.Model.Update(key); save == nil {
			b.Fatal("s did not save the snapshot")
		}
	}
}

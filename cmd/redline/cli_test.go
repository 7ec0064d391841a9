package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redline-tui/redline/funnel/snapshot"
)

// runArgs runs the command line and returns its exit status and output.
func runArgs(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// writeConfig writes a config file with the contexts lab and prod (the
// current one), both on a Prometheus that refuses connections.
func writeConfig(t *testing.T, dir string) string {
	t.Helper()
	dead := "http://" + deadAddr(t)
	path := filepath.Join(dir, "redline.yaml")
	body := "current-context: prod\ncontexts:\n  prod:\n    prometheus: {url: \"" + dead + "\"}\n  lab:\n    prometheus: {url: \"" + dead + "\"}\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestFlagsBeforeOrAfterTheSubcommand runs every subcommand with the flags
// it shares with redline before its name and after it: both must do the
// same thing.
func TestFlagsBeforeOrAfterTheSubcommand(t *testing.T) {
	dir := isolateConfig(t)
	cfg := writeConfig(t, dir)
	serveCfg := filepath.Join(dir, "serve.yaml")
	body := "serve:\n  authorized_keys: keys\n  audit_log: " + filepath.Join(dir, "missing", "audit.jsonl") + "\n"
	if err := os.WriteFile(serveCfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name          string
		before, after []string
		code          int
		want          string // in stdout when code is 0 or 3, else in stderr
	}{
		{"config check --config", []string{"--config", cfg, "config", "check"}, []string{"config", "check", "--config", cfg}, exitBackend, `configuration: ` + cfg + `, context "prod": valid`},
		{"config check --context", []string{"--context", "lab", "--config", cfg, "config", "check"}, []string{"config", "check", "--config", cfg, "--context", "lab"}, exitBackend, `context "lab": valid`},
		{"config check --prometheus", []string{"--prometheus", "http://" + deadAddr(t), "config", "check"}, []string{"config", "check", "--prometheus", "http://" + deadAddr(t)}, exitBackend, "command-line flags: valid"},
		{"snapshot --demo", []string{"--demo", "snapshot", "--format", "text"}, []string{"snapshot", "--format", "text", "--demo"}, 0, "Incident snapshot: checkout/availability"},
		{"snapshot --window", []string{"--window", "30m", "--demo", "snapshot", "--format", "json"}, []string{"snapshot", "--demo", "--format", "json", "--window", "30m"}, 0, `"schema": "redline.snapshot/v1"`},
		{"snapshot --service --route", []string{"--service", "checkout", "--route", "GET /api/cart/summary", "--demo", "snapshot", "--format", "md"}, []string{"snapshot", "--demo", "--format", "md", "--service", "checkout", "--route", "GET /api/cart/summary"}, 0, "route GET /api/cart/summary (given)"},
		{"snapshot --context", []string{"--config", cfg, "--context", "nope", "snapshot"}, []string{"snapshot", "--config", cfg, "--context", "nope"}, exitUsage, "[lab prod]"},
		{"serve --config", []string{"--config", serveCfg, "--demo", "serve"}, []string{"serve", "--demo", "--config", serveCfg}, exitUsage, "serve.audit_log"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, args := range [][]string{tt.before, tt.after} {
				code, stdout, stderr := runArgs(args...)
				out := stderr
				if tt.code != exitUsage {
					out = stdout
				}
				if code != tt.code || !strings.Contains(out, tt.want) {
					t.Errorf("redline %s: exit %d, want %d with %q:\nstdout %q\nstderr %q", strings.Join(args, " "), code, tt.code, tt.want, firstLine(stdout), stderr)
				}
			}
		})
	}
}

// TestSingleDashFlags: flags written with one dash, as the flag package
// took them before cobra, still work.
func TestSingleDashFlags(t *testing.T) {
	isolateConfig(t)
	if code, stdout, stderr := runArgs("-version"); code != 0 || stdout != "redline dev\n" {
		t.Errorf("-version: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	code, stdout, stderr := runArgs("snapshot", "-demo", "-format=text", "-window", "30m")
	if code != 0 || !strings.HasPrefix(stdout, "Incident snapshot: checkout/availability") {
		t.Errorf("snapshot -demo -format=text: exit %d, stdout %q, stderr %q", code, firstLine(stdout), stderr)
	}
	if code, _, stderr := runArgs("-bogus"); code != exitUsage || !strings.Contains(stderr, "unknown shorthand flag") {
		t.Errorf("-bogus: exit %d, stderr %q", code, stderr)
	}
}

// TestHelpCommand: `redline help CMD` is `redline CMD --help`, on stderr
// like the flag package's help was.
func TestHelpCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"help"}, "Commands:"},
		{[]string{"help", "snapshot"}, "Exit status: 0 complete"},
		{[]string{"help", "serve"}, "--listen ADDR"},
		{[]string{"help", "config", "check"}, "Usage:\n  redline config check [flags]"},
		{[]string{"help", "completion", "fish"}, "redline completion fish"},
	}
	for _, tt := range tests {
		code, stdout, help := runArgs(tt.args...)
		if code != 0 || stdout != "" || !strings.Contains(help, tt.want) {
			t.Errorf("redline %s: exit %d, stdout %q, help lacks %q:\n%s", strings.Join(tt.args, " "), code, stdout, tt.want, help)
		}
		if len(tt.args) < 2 {
			continue
		}
		if _, _, flagHelp := runArgs(append(tt.args[1:], "--help")...); flagHelp != help {
			t.Errorf("redline %s --help differs from redline %s:\n%s\n---\n%s", strings.Join(tt.args[1:], " "), strings.Join(tt.args, " "), flagHelp, help)
		}
	}
	for _, line := range strings.Split(helpOf(t), "\n") {
		if n := len([]rune(line)); n > helpWidth && !strings.HasPrefix(line, "  redline --prometheus") {
			t.Errorf("help line is %d columns wide: %q", n, line)
		}
	}
}

func helpOf(t *testing.T) string {
	t.Helper()
	code, _, help := runArgs("--help")
	if code != 0 || !strings.Contains(help, "Examples:") {
		t.Fatalf("redline --help: exit %d\n%s", code, help)
	}
	return help
}

// TestCompletionScripts: each shell's script is printed on stdout and
// calls back into redline for dynamic values.
func TestCompletionScripts(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish"} {
		code, script, stderr := runArgs("completion", shell)
		if code != 0 || stderr != "" || !strings.Contains(script, "redline") || !strings.Contains(script, "__complete") {
			t.Errorf("completion %s: exit %d, stderr %q, script %q…", shell, code, stderr, firstLine(script))
		}
	}
}

// TestCompletionDescriptionsKeepTheirTab: a completion answer separates a
// value from its description with a tab, which the boundary of printed
// streams would expand; shells would then complete the description too.
func TestCompletionDescriptionsKeepTheirTab(t *testing.T) {
	code, stdout, _ := runArgs("__complete", "help", "")
	if code != 0 || !strings.Contains(stdout, "snapshot\tPrint an incident snapshot without the UI\n") {
		t.Errorf("exit %d, answers %q", code, stdout)
	}
}

// TestCompleteContextsAndFormats asks cobra's __complete, as a shell does,
// for the values of --context (from the config file --config names, else
// the default file) and --format.
func TestCompleteContextsAndFormats(t *testing.T) {
	dir := isolateConfig(t)
	cfg := writeConfig(t, dir)
	def := filepath.Join(dir, "redline", "config.yaml")
	if err := os.MkdirAll(filepath.Dir(def), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(def, []byte("contexts:\n  default-only:\n    prometheus: {url: \"http://127.0.0.1:9\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var formats []string
	for _, f := range snapshot.Formats {
		formats = append(formats, string(f))
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"--config", cfg, "--context", ""}, []string{"lab", "prod"}},
		{[]string{"--config", cfg, "--context", "p"}, []string{"prod"}},
		{[]string{"snapshot", "--config", cfg, "--context", ""}, []string{"lab", "prod"}},
		{[]string{"--config", cfg, "config", "check", "--context", ""}, []string{"lab", "prod"}},
		{[]string{"serve", "--context", ""}, []string{"default-only"}},
		{[]string{"--config", filepath.Join(dir, "missing.yaml"), "--context", ""}, nil},
		{[]string{"snapshot", "--format", ""}, formats},
		{[]string{"--demo", "snapshot", "--format", "j"}, []string{"json"}},
	}
	for _, tt := range tests {
		code, stdout, _ := runArgs(append([]string{"__complete"}, tt.args...)...)
		got := strings.Split(strings.TrimSpace(stdout), "\n")
		want := append(tt.want, ":4") // ShellCompDirectiveNoFileComp
		if code != 0 || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("__complete %q: exit %d, got %q, want %q", tt.args, code, got, want)
		}
	}
}

// TestUsageErrors: an unknown flag, command or argument, or a flag the
// command does not take, exits 2 and says what was wrong.
func TestUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--bogus"}, "redline: unknown flag: --bogus"},
		{[]string{"snapshot", "--bogus"}, "redline snapshot: unknown flag: --bogus"},
		{[]string{"serve", "--bogus"}, "redline serve: unknown flag: --bogus"},
		{[]string{"config", "check", "--bogus"}, "redline config check: unknown flag: --bogus"},
		{[]string{"snapshot", "--demo", "--refresh", "5s"}, "redline snapshot: unknown flag: --refresh"},
		{[]string{"serve", "--window", "1h"}, "redline serve: unknown flag: --window"},
		{[]string{"snapshot", "--window", "0s"}, "must be positive"},
		{[]string{"snapshot", "--demo", "checkout"}, `redline snapshot: unexpected argument "checkout"`},
		{[]string{"serve", "extra"}, `redline serve: unexpected argument "extra"`},
		{[]string{"config", "check", "extra"}, `redline config check: unexpected argument "extra"`},
		{[]string{"config"}, "usage: redline config check"},
		{[]string{"config", "chek"}, "did you mean check?"},
		{[]string{"snapshto"}, "did you mean snapshot?"},
		{[]string{"completion"}, "name a shell"},
		{[]string{"completion", "tcsh"}, `unexpected argument "tcsh"`},
		{[]string{"help", "bogus"}, `unknown command "bogus"`},
	}
	for _, tt := range tests {
		code, stdout, stderr := runArgs(tt.args...)
		if code != exitUsage || stdout != "" || !strings.Contains(stderr, tt.want) {
			t.Errorf("redline %s: exit %d, stdout %q, stderr %q; want %d with %q", strings.Join(tt.args, " "), code, stdout, stderr, exitUsage, tt.want)
		}
	}
}

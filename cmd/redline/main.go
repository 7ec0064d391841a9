// Command redline is a terminal incident-triage tool: it walks an on-call
// engineer from SLO burn to the routes burning it, their slowest traces and
// the log lines of those traces, live against Prometheus, Tempo or Jaeger
// and Loki, or on an embedded demo incident (--demo).
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/spf13/pflag"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/clipboard"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

// Exit statuses.
const (
	exitUsage   = 2 // the command line or the config file cannot run
	exitBackend = 3 // a backend failed
)

// options is the parsed command line of the TUI.
type options struct {
	demo      bool
	version   bool
	window    positiveDuration
	refresh   positiveDuration
	entry     walk.Entry
	endpoints endpointFlags
}

// define declares the TUI's flags on fs.
func (o *options) define(fs *pflag.FlagSet) {
	demoFlag(fs, &o.demo)
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	windowFlag(fs, &o.window)
	fs.Var(&o.refresh, "refresh", "live refresh period, a `DURATION` (default 30s, or the context's refresh)")
	entryFlagSet(fs, &o.entry)
	endpointFlagSet(fs, &o.endpoints)
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// secrets are the credentials of every context this process opens
// (openBackends adds them): they are scrubbed from everything it prints,
// from what the UI shows and from snapshots.
var secrets = sanitize.NewSecrets()

// run is main without the process: it returns the exit status. Everything
// it prints goes through one boundary, sanitize.Writer: cleaned of control
// characters and scrubbed of secrets; only what a shell's completion reads
// (scripts, and the __complete answers whose tabs separate a value from
// its description) goes straight to stdout.
func run(args []string, stdout, stderr io.Writer) int {
	out, errOut := sanitize.NewWriter(stdout, secrets), sanitize.NewWriter(stderr, secrets)
	defer out.Flush()
	defer errOut.Flush()
	return runCommand(args, out, errOut, stdout)
}

// runRoot is `redline` without a subcommand: the version, or the TUI.
func runRoot(o options, stdout, stderr io.Writer) int {
	if o.version {
		fmt.Fprintln(stdout, "redline", version)
		return 0
	}
	uiOpts, cleanup, code := tuiOptions(o, stderr)
	if code != 0 {
		return code
	}
	defer cleanup()
	if err := runTUI(uiOpts); err != nil {
		fmt.Fprintln(stderr, "redline:", err)
		return 1
	}
	return 0
}

const noBackends = `redline: no backends configured.

Point redline at your backends:
  redline %s
or describe them in a config file (see README.md, "Configuration"):
  %s

To try redline without any backend, run the embedded demo incident:
  redline --demo
`

// tuiOptions wires the demo or the live backends. A non-zero code means
// redline cannot start; the reason is already printed.
func tuiOptions(o options, stderr io.Writer) (ui.Options, func(), int) {
	var opts ui.Options
	cleanup := func() {}
	if o.demo {
		opts = demoOptions(time.Now)
	} else {
		b, code := liveBackends(o.endpoints, stderr)
		if code != 0 {
			return opts, cleanup, code
		}
		opts = liveOptions(b)
		cleanup = b.close
	}
	if o.window > 0 {
		opts.Window = time.Duration(o.window)
	}
	if o.refresh > 0 {
		opts.RefreshInterval = time.Duration(o.refresh)
	}
	opts.Entry = o.entry
	opts.NoColor = os.Getenv("NO_COLOR") != ""
	opts.Version = version
	opts.Snapshot.Terminal = clipboard.EnvFromOS()
	return opts, cleanup, 0
}

// liveBackends resolves and opens the configured backends, printing why
// when it cannot.
func liveBackends(e endpointFlags, stderr io.Writer) (*backends, int) {
	r, err := resolve(e)
	if errors.Is(err, errNoBackends) {
		fmt.Fprintf(stderr, noBackends, flagSynopsis(), configHint(r.path))
		return nil, exitUsage
	}
	if err != nil {
		fmt.Fprintln(stderr, "redline:", err)
		return nil, exitUsage
	}
	b, err := openBackends(r)
	if err != nil {
		fmt.Fprintln(stderr, "redline:", err)
		return nil, exitUsage
	}
	return b, 0
}

func configHint(path string) string {
	if path != "" {
		return path + " (its context names no backend)"
	}
	return "$XDG_CONFIG_HOME/redline/config.yaml, or --config FILE"
}

// liveOptions turns opened backends into UI options.
func liveOptions(b *backends) ui.Options {
	return ui.Options{
		Sources: b.Sources, Context: b.context.Name,
		Window:          time.Duration(b.context.Window),
		RefreshInterval: time.Duration(b.context.Refresh),
		Snapshot:        ui.SnapshotOptions{DenyKeys: b.snapshot.DenyKeys, Dir: expandHome(b.snapshot.Dir), Links: snapshotLinks(b.context)},
		Secrets:         secrets,
	}
}

// expandHome turns a leading "~/" into the home directory, as a shell
// would: config files are not read by a shell.
func expandHome(path string) string {
	rest, ok := strings.CutPrefix(path, "~/")
	if !ok {
		return path
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return path
	}
	return filepath.Join(home, rest)
}

// runConfigCheck is `redline config check`.
func runConfigCheck(e endpointFlags, stdout, stderr io.Writer) int {
	b, code := liveBackends(e, stderr)
	if code != 0 {
		return code
	}
	defer b.close()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	return runCheck(ctx, b, stdout)
}

// runTUI runs the program until the user quits or the process is interrupted.
func runTUI(opts ui.Options) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts.Ctx = ctx
	programOpts := []tea.ProgramOption{tea.WithContext(ctx)}
	if opts.NoColor {
		programOpts = append(programOpts, tea.WithColorProfile(colorprofile.Ascii))
	}
	_, err := tea.NewProgram(ui.New(opts), programOpts...).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		return nil
	}
	return err
}

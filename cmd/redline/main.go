// Command redline is a terminal incident-triage tool: it walks an on-call
// engineer from SLO burn to the routes burning it, their slowest traces and
// the log lines of those traces, live against Prometheus, Tempo or Jaeger
// and Loki, or on an embedded demo incident (--demo).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/snapshot"
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
	window    time.Duration
	refresh   time.Duration
	entry     walk.Entry
	endpoints endpointFlags
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
// characters and scrubbed of secrets.
func run(args []string, stdout, stderr io.Writer) int {
	out, errOut := sanitize.NewWriter(stdout, secrets), sanitize.NewWriter(stderr, secrets)
	defer out.Flush()
	defer errOut.Flush()
	return runCommand(args, out, errOut)
}

// runCommand runs the command named by args.
func runCommand(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 {
		switch args[0] {
		case "config":
			return runConfig(args[1:], stdout, stderr)
		case "snapshot":
			return runSnapshotCommand(args[1:], stdout, stderr)
		case "serve":
			return runServe(args[1:], stderr)
		}
	}
	opts, err := parse(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		return exitUsage
	case opts.version:
		fmt.Fprintln(stdout, "redline", version)
		return 0
	}
	uiOpts, cleanup, code := tuiOptions(opts, stderr)
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

func parse(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("redline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.demo, "demo", false, "run on the embedded, deterministic demo incident")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.DurationVar(&o.window, "window", 0, "length of the time range, ending now (default 1h, or the context's window)")
	fs.DurationVar(&o.refresh, "refresh", 0, "live refresh period (default 30s, or the context's refresh)")
	entryFlagSet(fs, &o.entry)
	endpointFlagSet(fs, &o.endpoints)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), usageExamples)
	}
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "redline: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return o, errors.New("unexpected argument")
	}
	if o.window < 0 || o.refresh < 0 {
		fmt.Fprintln(stderr, "redline: --window and --refresh must be positive durations such as 1h or 30s")
		return o, errors.New("bad duration")
	}
	return o, checkEntry(o.entry, "redline", stderr)
}

var usageHead = `redline walks the on-call funnel in your terminal: SLO burn → routes of the
burning service → their slowest traces → the log lines of a trace.

Usage:
  redline [flags]
  redline [--alert NAME | --slo SERVICE/NAME | --service S] [--route R] [flags]
                                  open where the page points (Esc walks back)
  redline config check [flags]    validate the config and ping every backend
  redline snapshot [--context C] [--alert NAME | --slo SERVICE/NAME | --service S]
                   [--route R] [--trace ID] [--at TIME] [--window D]
                   [--format ` + snapshot.FormatChoice("|") + `] [--demo]
                                  print an incident snapshot without the UI
                                  (redline snapshot --help for more)
  redline serve [--listen 127.0.0.1:2222] [--context C] [--demo]
                                  serve the funnel over SSH (see README.md)

Flags:
`

const usageExamples = `
Examples:
  redline --demo                  explore the embedded demo incident
  redline --demo --window 6h      the same over the last six hours
  redline --prometheus http://127.0.0.1:9090 --jaeger 127.0.0.1:16685 --loki http://127.0.0.1:3100
  redline --context prod-eu       use a context of ~/.config/redline/config.yaml
  redline --alert CheckoutAvailabilityErrorBudgetBurn --demo
                                  open on the routes of the SLO the alert pages for
  redline config check            check that every configured backend answers
  redline snapshot --demo --format text
                                  the demo incident's snapshot as plain text

Keys: enter drills in, esc goes back, s shows an incident snapshot, y copies
it (OSC 52), ? lists every key, q quits.
`

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
		opts.Window = o.window
	}
	if o.refresh > 0 {
		opts.RefreshInterval = o.refresh
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

// runConfig runs `redline config check`.
func runConfig(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] != "check" {
		fmt.Fprintln(stderr, "usage: redline config check [--config FILE] [--context NAME] "+flagSynopsis())
		return exitUsage
	}
	var e endpointFlags
	fs := flag.NewFlagSet("redline config check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	endpointFlagSet(fs, &e)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return exitUsage
	}
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

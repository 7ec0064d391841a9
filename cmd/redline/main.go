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
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"

	"github.com/redline-tui/redline/ui"
)

// version is stamped at build time with -ldflags "-X main.version=…".
var version = "dev"

// exitUsage is the exit status for a command line that cannot run.
const exitUsage = 2

// config is the parsed command line.
type config struct {
	demo    bool
	version bool
	window  time.Duration
	refresh time.Duration
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run is main without the process: it returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	cfg, err := parse(args, stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		return 0
	case err != nil:
		return exitUsage
	case cfg.version:
		fmt.Fprintln(stdout, "redline", version)
		return 0
	case !cfg.demo:
		fmt.Fprint(stderr, noBackends)
		return exitUsage
	}
	if err := runTUI(cfg); err != nil {
		fmt.Fprintln(stderr, "redline:", err)
		return 1
	}
	return 0
}

func parse(args []string, stderr io.Writer) (config, error) {
	var cfg config
	fs := flag.NewFlagSet("redline", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&cfg.demo, "demo", false, "run on the embedded, deterministic demo incident")
	fs.BoolVar(&cfg.version, "version", false, "print the version and exit")
	fs.DurationVar(&cfg.window, "window", ui.DefaultWindow, "length of the time range, ending now")
	fs.DurationVar(&cfg.refresh, "refresh", ui.DefaultRefresh, "live refresh period")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), usageHead)
		fs.PrintDefaults()
		fmt.Fprint(fs.Output(), usageExamples)
	}
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "redline: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return cfg, errors.New("unexpected argument")
	}
	if cfg.window <= 0 || cfg.refresh <= 0 {
		fmt.Fprintln(stderr, "redline: --window and --refresh must be positive durations such as 1h or 30s")
		return cfg, errors.New("bad duration")
	}
	return cfg, nil
}

const usageHead = `redline walks the on-call funnel in your terminal: SLO burn → routes of the
burning service → their slowest traces → the log lines of a trace.

Usage:
  redline [flags]

Flags:
`

const usageExamples = `
Examples:
  redline --demo                  explore the embedded demo incident
  redline --demo --window 6h      the same over the last six hours
  redline --prometheus http://prometheus:9090 --tempo http://tempo:3200 --loki http://loki:3100

Keys: enter drills in, esc goes back, ? lists every key, q quits.
`

const noBackends = `redline: no backends configured.

Point redline at your backends:
  redline --prometheus URL (--tempo URL | --jaeger ADDR) --loki URL
or describe them in a config file (see README.md).

To try redline without any backend, run the embedded demo incident:
  redline --demo
`

// runTUI runs the program until the user quits or the process is interrupted.
func runTUI(cfg config) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := demoOptions(time.Now)
	opts.Ctx = ctx
	opts.Window = cfg.window
	opts.RefreshInterval = cfg.refresh
	opts.NoColor = os.Getenv("NO_COLOR") != ""
	opts.Version = version
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

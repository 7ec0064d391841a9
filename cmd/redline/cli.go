package main

import (
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/snapshot"
)

// cli is one run of the command line: its output streams and the exit
// status the command that ran chose.
type cli struct {
	stdout, stderr io.Writer
	shell          io.Writer // for what shell completion reads
	code           int
}

// runCommand runs the command args name and returns its exit status.
// Errors of the command line itself (an unknown flag or command, a bad
// value) exit with exitUsage; help and completion scripts exit 0.
func runCommand(args []string, stdout, stderr, shell io.Writer) int {
	c := &cli{stdout: stdout, stderr: stderr, shell: shell}
	root := c.rootCommand()
	// A nil slice would make cobra read os.Args.
	root.SetArgs(doubleDash(root, append([]string{}, args...)))
	cmd, err := root.ExecuteC()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", cmd.CommandPath(), err)
		if cmd.Name() != "help" {
			fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
		}
		return exitUsage
	}
	return c.code
}

// rootCommand is `redline` (the TUI) and its subcommands. A flag a
// subcommand shares with `redline` (--config, --context, the backend
// flags, --demo, --window) is declared once, by one function, on each
// command that takes it, so it is accepted before the subcommand's name as
// well as after it, and a command never accepts a flag it would ignore.
func (c *cli) rootCommand() *cobra.Command {
	var o options
	root := &cobra.Command{
		Use:   "redline",
		Short: "Walk the on-call funnel in your terminal",
		Long: `redline walks the on-call funnel in your terminal: SLO burn → routes of the
burning service → their slowest traces → the log lines of a trace. With
--alert, --slo or --service [--route] it opens where the page points, and
Esc walks back.

Keys: enter drills in, esc goes back, s shows an incident snapshot, y copies
it (OSC 52), ? lists every key, q quits.`,
		Example: `  redline --demo                  explore the embedded demo incident
  redline --demo --window 6h      the same over the last six hours
  redline --prometheus http://127.0.0.1:9090 --jaeger 127.0.0.1:16685 --loki http://127.0.0.1:3100
  redline --context prod-eu       use a context of ~/.config/redline/config.yaml
  redline --alert CheckoutAvailabilityErrorBudgetBurn --demo
                                  open on the routes of the SLO it pages for
  redline config check            check that every configured backend answers
  redline snapshot --demo --format text
                                  the demo incident's snapshot as plain text
  source <(redline completion bash)
                                  completion in this shell (also zsh, fish)`,
		Args:                       noArgs,
		SuggestionsMinimumDistance: 2,
		SilenceErrors:              true,
		SilenceUsage:               true,
		RunE: func(*cobra.Command, []string) error {
			if err := o.entry.Check(); err != nil {
				return err
			}
			c.code = runRoot(o, c.stdout, c.stderr)
			return nil
		},
	}
	// Cobra writes completion scripts and answers there (help goes to
	// c.stderr, see help); set before the completion command, which keeps
	// the writer it is given.
	root.SetOut(c.shell)
	root.SetErr(c.stderr)
	o.define(root.Flags())
	addCompletions(root)
	root.SetHelpFunc(c.help)
	root.SetUsageFunc(usage)
	root.SetHelpCommand(helpCommand())
	root.AddCommand(c.configCommand(), c.snapshotCommand(), c.serveCommand())
	completionCommand(root)
	// Known to the root, --help before a subcommand's name is not taken
	// for a flag with a value.
	root.InitDefaultHelpFlag()
	return root
}

// doubleDash rewrites the flag package's single-dash long flags (-demo,
// -config=FILE), which redline took before cobra, as pflag's --demo and
// --config=FILE: command lines written then still run. Only names of
// redline's flags are rewritten, and nothing after "--".
func doubleDash(root *cobra.Command, args []string) []string {
	long := map[string]bool{}
	for _, cmd := range append(root.Commands(), root) {
		for _, sub := range append(cmd.Commands(), cmd) {
			sub.Flags().VisitAll(func(f *pflag.Flag) { long[f.Name] = true })
		}
	}
	for i, a := range args {
		if a == "--" {
			break
		}
		name, _, _ := strings.Cut(strings.TrimPrefix(a, "-"), "=")
		if strings.HasPrefix(a, "-") && !strings.HasPrefix(a, "--") && len(name) > 1 && long[name] {
			args[i] = "-" + a
		}
	}
	return args
}

// completionCommand adds cobra's `redline completion bash|zsh|fish|powershell`,
// made to fail (exit 2) without a shell or with an unknown one rather than
// print its help and succeed.
func completionCommand(root *cobra.Command) {
	root.InitDefaultCompletionCmd()
	cmd, _, err := root.Find([]string{"completion"})
	if err != nil || cmd == root {
		return
	}
	cmd.Args, cmd.SuggestionsMinimumDistance = noArgs, 2
	cmd.RunE = func(*cobra.Command, []string) error {
		return errors.New("name a shell: bash, zsh, fish or powershell")
	}
}

// configCommand is `redline config check`.
func (c *cli) configCommand() *cobra.Command {
	group := &cobra.Command{
		Use:                        "config",
		Short:                      "Check the configuration",
		Args:                       noArgs,
		SuggestionsMinimumDistance: 2,
		RunE: func(*cobra.Command, []string) error {
			fmt.Fprintln(c.stderr, "usage: redline config check [--config FILE] [--context NAME] "+flagSynopsis())
			c.code = exitUsage
			return nil
		},
	}
	var e endpointFlags
	check := &cobra.Command{
		Use:   "check",
		Short: "Validate the config and ping every backend",
		Long: `redline config check validates the config file, pings every backend of the
context (or of the backend flags) and shows what each one answered and
what was detected.

Exit status: 0 every backend answered, 2 usage or config error, 3 a backend
failed.`,
		Example: `  redline config check
  redline --config ./config.yaml config check --context prod-eu`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			c.code = runConfigCheck(e, c.stdout, c.stderr)
			return nil
		},
	}
	endpointFlagSet(check.Flags(), &e)
	addCompletions(check)
	group.AddCommand(check)
	return group
}

// snapshotCommand is `redline snapshot`.
func (c *cli) snapshotCommand() *cobra.Command {
	var s snapshotFlags
	cmd := &cobra.Command{
		Use:   "snapshot",
		Short: "Print an incident snapshot without the UI",
		Long:  snapshotLong,
		Example: `  redline snapshot --demo --format md
  redline snapshot --context prod-eu --service checkout --format slack
  redline snapshot --route "POST /api/checkout" --at now-15m --window 30m --format json`,
		Args: cobra.ArbitraryArgs, // s.request says which argument is unexpected
		RunE: func(_ *cobra.Command, args []string) error {
			req, err := s.request(args, time.Now)
			if err != nil {
				return err
			}
			c.code = runSnapshotCommand(req, s.sel, c.stdout, c.stderr)
			return nil
		},
	}
	s.define(cmd.Flags())
	addCompletions(cmd)
	return cmd
}

// serveCommand is `redline serve`.
func (c *cli) serveCommand() *cobra.Command {
	var o serveOptions
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Serve the funnel over SSH",
		Long: `redline serve runs the funnel for a whole rotation from one host that holds
the backend credentials: ssh -t HOST opens the TUI, ssh HOST snapshot prints
a snapshot (see README.md, "Serve over SSH"). It serves in the foreground
until SIGINT or SIGTERM.`,
		Example: `  redline serve --context prod-eu --listen 0.0.0.0:2222
  redline serve --demo`,
		Args: noArgs,
		RunE: func(*cobra.Command, []string) error {
			c.code = runServe(o, c.stderr)
			return nil
		},
	}
	o.define(cmd.Flags())
	addCompletions(cmd)
	return cmd
}

// helpCommand is `redline help [command]`; an unknown command is a usage
// error.
func helpCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(cmd *cobra.Command, args []string) error {
			target, rest, err := cmd.Root().Find(args)
			if err != nil || len(rest) > 0 {
				return fmt.Errorf("unknown command %q: run %s --help", strings.Join(args, " "), cmd.Root().Name())
			}
			target.InitDefaultHelpFlag() // as when the command runs
			return target.Help()
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
			parent, _, err := cmd.Root().Find(args)
			if err != nil {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			var out []cobra.Completion
			for _, sub := range parent.Commands() {
				if sub.IsAvailableCommand() && strings.HasPrefix(sub.Name(), toComplete) {
					out = append(out, cobra.CompletionWithDesc(sub.Name(), sub.Short))
				}
			}
			return out, cobra.ShellCompDirectiveNoFileComp
		},
	}
}

// noArgs refuses arguments, suggesting a command for a misspelt one.
func noArgs(cmd *cobra.Command, args []string) error {
	if len(args) == 0 {
		return nil
	}
	msg := fmt.Sprintf("unexpected argument %q", args[0])
	if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
		msg += fmt.Sprintf(" (did you mean %s?)", strings.Join(s, " or "))
	}
	return errors.New(msg)
}

// demoFlag declares --demo.
func demoFlag(fs *pflag.FlagSet, demo *bool) {
	fs.BoolVar(demo, "demo", false, "use the embedded, deterministic demo incident instead of backends")
}

// windowFlag declares --window.
func windowFlag(fs *pflag.FlagSet, window *positiveDuration) {
	fs.Var(window, "window", "length of the time range, a `DURATION` such as 6h or 1d (default 1h, or the context's window)")
}

// positiveDuration is a flag value: a Go duration or whole days ("1d"),
// above zero. Its zero value means "not given".
type positiveDuration time.Duration

func (d *positiveDuration) Set(s string) error {
	v, err := config.ParseDuration(s)
	if err != nil || v <= 0 {
		return errors.New("must be positive: write a duration such as 30s, 15m, 1h or 1d")
	}
	*d = positiveDuration(v)
	return nil
}

func (d *positiveDuration) String() string {
	if *d == 0 {
		return ""
	}
	return time.Duration(*d).String()
}

func (d *positiveDuration) Type() string { return "duration" }

// addCompletions completes the values of the flags cmd has: context names
// from the config file that --config (or the default path) names, the
// snapshot formats, YAML files for --config. Flag help loses its
// backquotes, which shells would show in completion descriptions.
func addCompletions(cmd *cobra.Command) {
	fs := cmd.Flags()
	unquoteUsages(fs)
	if fs.Lookup("context") != nil {
		_ = cmd.RegisterFlagCompletionFunc("context", completeContexts)
	}
	if fs.Lookup("config") != nil {
		_ = cmd.MarkFlagFilename("config", "yaml", "yml")
	}
	if fs.Lookup("format") != nil {
		_ = cmd.RegisterFlagCompletionFunc("format", completeFormats)
	}
}

// completeContexts lists the contexts of the config file the command line
// names. A file that cannot be read completes nothing.
func completeContexts(cmd *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	path, _ := cmd.Flags().GetString("config")
	f, _ := config.Load(path)
	var out []cobra.Completion
	if f != nil {
		for _, name := range slices.Sorted(maps.Keys(f.Contexts)) {
			// A name that cleaning would change is left out: it is not
			// what a shell could type back.
			if strings.HasPrefix(name, toComplete) && sanitize.Line(name) == name {
				out = append(out, name)
			}
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

// completeFormats lists snapshot.Formats.
func completeFormats(_ *cobra.Command, _ []string, toComplete string) ([]cobra.Completion, cobra.ShellCompDirective) {
	var out []cobra.Completion
	for _, f := range snapshot.Formats {
		if strings.HasPrefix(string(f), toComplete) {
			out = append(out, string(f))
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}

package main

import (
	"cmp"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// helpWidth is the width help text is wrapped to: an 80-column terminal.
const helpWidth = 80

// help prints a command's help on stderr, as the flag package did: stdout
// stays for what a command produces (snapshots, completion scripts).
func (c *cli) help(cmd *cobra.Command, _ []string) {
	fmt.Fprintf(c.stderr, "%s\n\n%s", strings.TrimSpace(cmp.Or(cmd.Long, cmd.Short)), cmd.UsageString())
}

// usage prints a command's synopsis, examples, subcommands and flags.
func usage(cmd *cobra.Command) error {
	w := cmd.OutOrStderr()
	fmt.Fprint(w, "Usage:")
	if cmd.Runnable() {
		fmt.Fprintf(w, "\n  %s", cmd.UseLine())
	}
	subs := cmd.HasAvailableSubCommands()
	if subs {
		fmt.Fprintf(w, "\n  %s [command]", cmd.CommandPath())
	}
	if cmd.HasExample() {
		fmt.Fprintf(w, "\n\nExamples:\n%s", cmd.Example)
	}
	if subs {
		fmt.Fprint(w, "\n\nCommands:")
		for _, sub := range cmd.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(w, "\n  %-*s %s", sub.NamePadding(), sub.Name(), sub.Short)
			}
		}
	}
	if cmd.HasAvailableLocalFlags() {
		fmt.Fprint(w, "\n\nFlags:\n")
		writeFlags(w, cmd.LocalFlags())
	}
	if subs {
		path := strings.TrimPrefix(cmd.CommandPath(), cmd.Root().Name())
		fmt.Fprintf(w, "\n\nRun '%s help%s COMMAND' for more about a command.", cmd.Root().Name(), path)
	}
	fmt.Fprintln(w)
	return nil
}

// writeFlags lists fs's flags one to a line, their help aligned and
// wrapped to helpWidth; a bool flag shows no value.
func writeFlags(w io.Writer, fs *pflag.FlagSet) {
	type row struct{ name, help string }
	var rows []row
	width := 0
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Hidden {
			return
		}
		name := "      --" + f.Name
		if f.Shorthand != "" {
			name = "  -" + f.Shorthand + ", --" + f.Name
		}
		metavar, help := pflag.UnquoteUsage(f)
		if m, ok := f.Annotations[metavarKey]; ok {
			metavar = m[0]
		}
		if metavar != "" {
			name += " " + metavar
		}
		switch {
		case f.DefValue == "" || f.DefValue == "false":
		case f.Value.Type() == "string":
			help += fmt.Sprintf(" (default %q)", f.DefValue)
		default:
			help += " (default " + f.DefValue + ")"
		}
		rows = append(rows, row{name, help})
		width = max(width, len(name))
	})
	for i, r := range rows {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "%-*s   %s", width, r.name, wrap(r.help, helpWidth-width-3, width+3))
	}
}

// metavarKey is the flag annotation holding what a flag's value is
// called in help (its usage's back-quoted word).
const metavarKey = "redline_metavar"

// unquoteUsages moves each flag's back-quoted word (see pflag.UnquoteUsage)
// to an annotation, leaving plain help text.
func unquoteUsages(fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		if !strings.Contains(f.Usage, "`") {
			return
		}
		metavar, help := pflag.UnquoteUsage(f)
		f.Usage = help
		_ = fs.SetAnnotation(f.Name, metavarKey, []string{metavar})
	})
}

// wrap breaks text into lines of at most width columns (a longer word
// keeps its own line), indenting every line after the first by indent.
func wrap(text string, width, indent int) string {
	var b strings.Builder
	line := 0
	for i, word := range strings.Fields(text) {
		n := len([]rune(word))
		switch {
		case i == 0:
		case line+1+n > width:
			b.WriteString("\n" + strings.Repeat(" ", indent))
			line = 0
		default:
			b.WriteString(" ")
			line++
		}
		b.WriteString(word)
		line += n
	}
	return b.String()
}

package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/redline-tui/redline/funnel/walk"
)

// entryFlagSet defines the flags that choose where redline opens, the one
// definition `redline` and `redline snapshot` share.
func entryFlagSet(fs *flag.FlagSet, e *walk.Entry) {
	fs.StringVar(&e.Alert, "alert", "", "open on the SLO a firing or pending alert pages for (the most urgent when several)")
	fs.StringVar(&e.SLO, "slo", "", "open on an SLO, written SERVICE/NAME, e.g. checkout/availability")
	fs.StringVar(&e.Service, "service", "", "open on a service's worst SLO (else its routes)")
	fs.StringVar(&e.Route, "route", "", "open on a route's traces, e.g. \"POST /api/checkout\"")
}

// checkEntry reports an entry that cannot be walked on stderr, prefixed
// with the command's name.
func checkEntry(e walk.Entry, command string, stderr io.Writer) error {
	if err := e.Check(); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", command, err)
		return err
	}
	return nil
}

package main

import (
	"github.com/spf13/pflag"

	"github.com/redline-tui/redline/funnel/walk"
)

// entryFlagSet defines the flags that choose where redline opens, the one
// definition `redline` and `redline snapshot` share.
func entryFlagSet(fs *pflag.FlagSet, e *walk.Entry) {
	fs.StringVar(&e.Alert, "alert", "", "open on the SLO the firing or pending alert `NAME` pages for (the most urgent when several)")
	fs.StringVar(&e.SLO, "slo", "", "open on an SLO, written `SERVICE/NAME`, e.g. checkout/availability")
	fs.StringVar(&e.Service, "service", "", "open on a `SERVICE`'s worst SLO (else its routes)")
	fs.StringVar(&e.Route, "route", "", "open on a `ROUTE`'s traces, e.g. \"POST /api/checkout\"")
}

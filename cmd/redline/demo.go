package main

import (
	"time"

	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/ui"
)

// demoOptions wires the embedded demo incident into every step.
func demoOptions(now func() time.Time) ui.Options {
	src := demo.New(demo.Options{Seed: 1, Now: now})
	return ui.Options{Sources: ui.Sources{Metrics: src, Traces: src, Logs: src}, Now: now, Context: "demo"}
}

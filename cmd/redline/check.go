package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/funnel/sanitize"
)

// checkTimeout bounds each backend's ping in `redline config check`.
const checkTimeout = 15 * time.Second

// checkResult is one backend's answer to a ping.
type checkResult struct {
	check
	lines []string
	err   error
}

// runCheck validates the configuration (already done by loading it), pings
// every backend in parallel and prints what each one answered and what was
// detected. It returns 0 when every backend answered, 3 otherwise.
func runCheck(ctx context.Context, b *backends, stdout io.Writer) int {
	where := "command-line flags"
	if b.path != "" {
		where = fmt.Sprintf("%s, context %q", b.path, b.context.Name)
	}
	fmt.Fprintf(stdout, "configuration: %s: valid\n", where)
	failed := 0
	for _, r := range pingAll(ctx, b.checks) {
		mark := "✔ ok"
		if r.err != nil {
			mark, failed = "✖ FAILED", failed+1
		}
		fmt.Fprintf(stdout, "\n%s  %s  %s\n", mark, r.backend, sanitize.Line(sanitize.StripUserinfo(r.endpoint)))
		if r.err != nil {
			fmt.Fprintf(stdout, "  error: %s\n", sanitize.Line(r.err.Error()))
		}
		for _, l := range r.lines {
			fmt.Fprintf(stdout, "  %s\n", sanitize.Line(l))
		}
	}
	for _, missing := range missingBackends(b) {
		fmt.Fprintf(stdout, "\n–  %s\n", missing)
	}
	if failed > 0 {
		fmt.Fprintf(stdout, "\n%d of %d backends failed\n", failed, len(b.checks))
		return exitBackend
	}
	return 0
}

// pingAll pings every backend at once and returns results in input order.
func pingAll(ctx context.Context, checks []check) []checkResult {
	out := make([]checkResult, len(checks))
	var wg sync.WaitGroup
	for i, c := range checks {
		wg.Go(func() {
			cctx, cancel := context.WithTimeout(ctx, checkTimeout)
			defer cancel()
			lines, err := c.ping(cctx)
			out[i] = checkResult{check: c, lines: lines, err: err}
		})
	}
	wg.Wait()
	return out
}

// missingBackends says which optional steps are off for want of a backend.
func missingBackends(b *backends) []string {
	var out []string
	missing := func(role config.Role, what string) {
		out = append(out, fmt.Sprintf("no %s backend: %s (set %s, or pass %s)", strings.TrimSuffix(string(role), "s"), what, configKeysOf(role), flagsOf(role)))
	}
	if b.Traces == nil {
		missing(config.Traces, "the trace and log steps are off")
	}
	if b.Logs == nil {
		missing(config.Logs, "the log step is off")
	}
	return out
}

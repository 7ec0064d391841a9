package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
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
// detected, and whether each credentials file can be read and is private.
// It returns 0 when every backend answered and every credentials file is
// readable, 3 otherwise. stdout is run's boundary (sanitize.Writer), so
// backend text in errors and answers is cleaned and scrubbed there.
func runCheck(ctx context.Context, b *backends, stdout io.Writer) int {
	where := "command-line flags"
	if b.path != "" {
		where = fmt.Sprintf("%s, context %q", b.path, b.context.Name)
	}
	fmt.Fprintf(stdout, "configuration: %s: valid\n", where)
	failed := 0
	for _, r := range pingAll(ctx, b.checks) {
		files, filesOK := credentialFiles(b.context, r.backend)
		mark := "✔ ok"
		if r.err != nil || !filesOK {
			mark, failed = "✖ FAILED", failed+1
		}
		fmt.Fprintf(stdout, "\n%s  %s  %s\n", mark, r.backend, sanitize.StripUserinfo(r.endpoint))
		if r.err != nil {
			fmt.Fprintf(stdout, "  error: %s\n", secrets.Error(r.err))
		}
		for _, l := range append(files, r.lines...) {
			fmt.Fprintf(stdout, "  %s\n", secrets.Line(l)) // one line each
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

// credentialFiles describes each file the backend reads a credential
// from, never its content: whether it is readable and whether its mode
// lets others read it. ok is false when one cannot be read.
func credentialFiles(c *config.Context, backend string) (lines []string, ok bool) {
	sec, found := c.Section(backend)
	if !found {
		return nil, true
	}
	ok = true
	for _, f := range sec.Endpoint.CredentialFiles() {
		line, readable := describeCredentialFile(f)
		lines, ok = append(lines, line), ok && readable
	}
	return lines, ok
}

// describeCredentialFile is one line about a file the client reads; the
// mode of a certificate, which is public, is not a concern.
func describeCredentialFile(f config.CredentialFile) (string, bool) {
	head := fmt.Sprintf("%s %s: ", f.Key, f.Path)
	file, err := os.Open(f.Path)
	if err != nil {
		if cause := errors.Unwrap(err); cause != nil {
			err = cause // the path is already in the line
		}
		return head + "✖ not readable: " + err.Error(), false
	}
	defer file.Close()
	info, err := file.Stat()
	switch {
	case err != nil:
		return head + "✖ not readable: " + err.Error(), false
	case !info.Mode().IsRegular():
		return head + "✖ not a regular file", false
	}
	if mode := info.Mode().Perm(); f.Secret && mode&0o077 != 0 {
		return head + fmt.Sprintf("⚠ readable, but mode %04o is wider than 0600 (chmod 600 %s)", mode, f.Path), true
	}
	return head + fmt.Sprintf("✔ readable, mode %04o", info.Mode().Perm()), true
}

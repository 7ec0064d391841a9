package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/snapshot"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/ui"
)

// snapshotRequest is what `redline snapshot` was asked for. What Entry and
// TraceID leave open is picked by the walk; a zero At is now.
type snapshotRequest struct {
	Context     string // shown in the snapshot, e.g. "prod-eu" or "demo"
	Environment string
	Entry       walk.Entry // where the walk starts: an alert, an SLO, a service, a route
	TraceID     string
	// IncludePartial lets the walk pick a partial trace as the slowest;
	// by default it takes the slowest complete one.
	IncludePartial bool
	At             time.Time     // the end of the time range
	Window         time.Duration // its length; 0 means ui.DefaultWindow
	Format         string        // one of snapshot.Formats
	Now            func() time.Time
	Links          snapshot.Links
	DenyKeys       []string
	Width          int // 0 means snapshot.DefaultWidth
	// Deadline bounds the whole walk (--deadline, else snapshotDeadline
	// of the context); 0 means none.
	Deadline time.Duration
}

// Picks: how the walk chose each step, shown in the snapshot's path.
const (
	pickedTop   = "highest burn share"
	pickedGiven = "given"
)

// runSnapshot walks the funnel without the UI (worst SLO, its top route,
// that route's slowest trace, the trace's logs, unless the request names
// them) and prints the snapshot to stdout. It returns 0 when every step
// answered, exitUsage for a bad request or an entry that names nothing
// (nothing is printed but what exists), and exitBackend when a backend
// failed: the partial snapshot is still printed and its Failures say what
// is missing and why.
func runSnapshot(ctx context.Context, b ui.Sources, req snapshotRequest, stdout, stderr io.Writer) int {
	format, err := snapshot.ParseFormat(cmp.Or(req.Format, string(snapshot.FormatMarkdown)))
	if err != nil {
		fmt.Fprintln(stderr, "redline snapshot:", err)
		return exitUsage
	}
	if b.Metrics == nil {
		fmt.Fprintf(stderr, "redline snapshot: no metrics backend: pass %s, --context NAME or --demo\n", flagsOf(config.Metrics))
		return exitUsage
	}
	if req.Deadline > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, req.Deadline)
		defer cancel()
	}
	w := newSnapshotWalk(ui.Clean(b, secrets), req)
	w.run(ctx)
	if w.miss != nil {
		fmt.Fprintln(stderr, "redline snapshot:", sanitize.Line(w.miss.Error()))
		return exitUsage
	}
	s := snapshot.FromFunnel(w.in)
	opts := snapshot.Options{DenyKeys: req.DenyKeys, Width: req.Width, Secrets: secrets}
	if err := snapshot.Render(stdout, s, format, opts); err != nil {
		fmt.Fprintln(stderr, "redline snapshot:", err)
		return 1
	}
	// Notes and failures hold backend text (route names, error bodies) and
	// reach a terminal, over SSH a remote user's: the walk's sources are
	// cleaned and scrubbed (ui.Clean), and stderr is a sanitize.Writer.
	for _, note := range w.notes {
		fmt.Fprintln(stderr, "redline snapshot:", note)
	}
	if len(w.in.Failures) > 0 {
		for _, f := range w.in.Failures {
			fmt.Fprintf(stderr, "redline snapshot: %s step failed (%s): %s\n", f.Part, f.Backend, f.Error)
		}
		return exitBackend
	}
	return 0
}

// snapshotWalk is one headless pass down the funnel, filling a snapshot input.
type snapshotWalk struct {
	b       ui.Sources
	req     snapshotRequest
	in      snapshot.Input
	service string
	landing walk.Landing // where the entry landed on the SLO step
	report  slo.Report   // the SLO step's answer: what exists when the entry's service does not
	row     red.Row      // the route taken: its p95 and exemplars steer the trace search
	notes   []string     // why the walk stopped early, for stderr
	miss    error        // the entry names nothing: what exists instead
}

func newSnapshotWalk(b ui.Sources, req snapshotRequest) *snapshotWalk {
	now := time.Now
	if req.Now != nil {
		now = req.Now
	}
	at, window := req.At, req.Window
	if at.IsZero() {
		at = now()
	}
	if window <= 0 {
		window = ui.DefaultWindow
	}
	return &snapshotWalk{
		b: b, req: req, service: req.Entry.Service,
		in: snapshot.Input{
			Context: req.Context, Environment: req.Environment,
			Range: funnel.Last(window, at), Now: now(), Links: req.Links, DenyKeys: req.DenyKeys,
		},
	}
}

// run takes each step while the previous one gave what the next needs and
// the snapshot's deadline leaves time: a step it cuts short says so, and
// the next is not sent.
func (w *snapshotWalk) run(ctx context.Context) {
	steps := []struct {
		part    string
		backend namer
		take    func(context.Context) bool
	}{
		{snapshot.PartSLO, w.b.Metrics, w.slo}, {snapshot.PartRED, w.b.Metrics, w.red},
		{snapshot.PartTrace, w.b.Traces, w.trace}, {snapshot.PartLogs, w.b.Logs, w.logs},
	}
	for _, s := range steps {
		if ctx.Err() != nil && s.backend != nil {
			w.in.Fail(s.part, s.backend.Name(), fmt.Errorf("not sent: %s", w.stopped(ctx)))
			return
		}
		failures := len(w.in.Failures)
		ok := s.take(ctx)
		if ctx.Err() != nil && len(w.in.Failures) > failures {
			f := &w.in.Failures[len(w.in.Failures)-1]
			f.Error += " (" + w.stopped(ctx) + ")"
		}
		if !ok {
			return
		}
	}
}

// namer is what run needs of a step's source: its name.
type namer interface{ Name() string }

// stopped says why ctx ended: the snapshot's deadline, or an interrupt.
func (w *snapshotWalk) stopped(ctx context.Context) string {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return "the snapshot's deadline of " + w.req.Deadline.String() + " ran out"
	}
	return "interrupted"
}

// slo lands the entry (walk.Land): by default the worst SLO.
func (w *snapshotWalk) slo(ctx context.Context) bool {
	report, err := w.b.Metrics.SLOs(ctx, w.in.Range)
	if err != nil {
		w.in.Fail(snapshot.PartSLO, w.b.Metrics.Name(), err)
		return w.service != ""
	}
	w.report = report
	l, err := walk.Land(report, w.req.Entry)
	if err != nil {
		w.miss = err
		return false
	}
	w.landing = l
	if l.Note != "" {
		w.notes = append(w.notes, l.Note)
	}
	if l.Service == "" {
		w.notes = append(w.notes, "no SLO found: pass --service to snapshot a service's routes")
		return false
	}
	if l.HasSLO {
		w.in.SLO, w.in.SLOQueries, w.in.SLOWarning = &l.Status, report.Queries, report.Warnings
		w.in.How.SLO = l.How
	}
	w.service = l.Service
	return true
}

// red lands on the given route, else the one with the highest burn share.
// A route that names nothing is a miss, unless a trace is given (the route
// then only labels it); so is a service without an SLO and without routes.
func (w *snapshotWalk) red(ctx context.Context) bool {
	name := w.req.Entry.Route
	w.row = red.Row{Route: name}
	report, err := w.b.Metrics.Routes(ctx, red.QueryFor(w.service, w.in.Range, w.in.SLO))
	if err != nil {
		w.in.Fail(snapshot.PartRED, w.b.Metrics.Name(), err)
		return name != ""
	}
	report.Rows = walk.Routes(report.Rows)
	w.in.RED = &report
	row, err := walk.LandRoute(report.Rows, w.service, name)
	switch {
	case err == nil:
	case len(report.Rows) == 0 && !w.landing.HasSLO && w.landing.Service != "":
		w.miss = walk.ServiceMiss(w.report, w.service)
		return false
	case name == "":
		w.notes = append(w.notes, err.Error())
		return false
	case w.req.TraceID == "":
		w.miss = err
		return false
	}
	w.row, w.in.How.Route = row, pickedTop
	if name != "" {
		w.in.How.Route = pickedGiven
	}
	if !w.landing.HasSLO && w.landing.How != "" { // no SLO step to say how the service was found
		w.in.How.Route = w.landing.How + "; " + w.in.How.Route
	}
	w.in.Route = row.Route
	return true
}

// trace takes the slowest trace of the route (or the given one) and
// fetches it.
func (w *snapshotWalk) trace(ctx context.Context) bool {
	if w.b.Traces == nil {
		w.notes = append(w.notes, "no trace backend configured: the snapshot stops at the routes")
		return false
	}
	id := trace.NormalizeTraceID(w.req.TraceID)
	if id == "" {
		return w.slowestTrace(ctx)
	}
	w.in.How.Trace = pickedGiven
	if err := w.fetchTrace(ctx, id); err != nil {
		w.in.Fail(snapshot.PartTrace, w.b.Traces.Name(), err)
		return false
	}
	return true
}

// fetchTrace fetches trace id into the snapshot.
func (w *snapshotWalk) fetchTrace(ctx context.Context, id string) error {
	tr, err := w.b.Traces.Trace(ctx, id, w.in.Range)
	if err != nil {
		return err
	}
	w.in.Trace = tr
	w.in.Tree = trace.Build(tr)
	return nil
}

// traceTries is how many of the route's slowest traces the walk fetches
// before giving up when the trace backend does not hold them: an
// exemplar's trace may never have been kept (sampled out, expired).
const traceTries = 3

// slowestTrace searches the route's traces as the trace step does
// (walk.TraceSearch, exemplars merged), picks as it does
// (trace.PickSlowest) and fetches the pick, saying what it picked among.
// A pick the backend does not hold (trace.ErrNotFound) gives way to the
// next, up to traceTries picks; any other error ends the step.
func (w *snapshotWalk) slowestTrace(ctx context.Context) bool {
	q := walk.TraceSearch(w.service, w.row, w.in.Range, false)
	candidates := w.searchTraces(ctx, q)
	total := len(candidates)
	if total == 0 {
		return false
	}
	for missing := 0; ; missing++ {
		choice := trace.PickSlowest(candidates, w.req.IncludePartial)
		summary := candidates[choice.Index]
		w.in.Summary = &summary
		w.in.How.Trace = walk.HowPicked(choice, q, total) + notFoundNote(missing, w.b.Traces.Name())
		err := w.fetchTrace(ctx, summary.TraceID)
		if err == nil {
			return true
		}
		if !errors.Is(err, trace.ErrNotFound) || missing+1 == traceTries || len(candidates) == 1 {
			w.in.Fail(snapshot.PartTrace, w.b.Traces.Name(), err)
			return false
		}
		candidates = slices.Delete(slices.Clone(candidates), choice.Index, choice.Index+1)
	}
}

// searchTraces runs q and returns the route's candidates, exemplars
// merged; none when the search failed or found nothing, which it records.
func (w *snapshotWalk) searchTraces(ctx context.Context, q trace.Query) []trace.Summary {
	found, err := w.b.Traces.FindTraces(ctx, q)
	if err != nil {
		w.in.Fail(snapshot.PartTrace, w.b.Traces.Name(), err)
		return nil
	}
	w.in.TraceQueries = found.Queries
	candidates := walk.Traces(q, w.row, found.Traces)
	if len(candidates) == 0 {
		w.notes = append(w.notes, fmt.Sprintf("no traces of %s %s in the range", w.service, w.row.Route))
	}
	return candidates
}

// notFoundNote says how many slower picks the backend did not hold.
func notFoundNote(missing int, backend string) string {
	switch missing {
	case 0:
		return ""
	case 1:
		return "; 1 slower trace was not found in " + backend
	}
	return fmt.Sprintf("; %d slower traces were not found in %s", missing, backend)
}

// logs fetches the log lines of the fetched trace over its own time span.
func (w *snapshotWalk) logs(ctx context.Context) bool {
	if w.b.Logs == nil {
		w.notes = append(w.notes, "no log backend configured: the snapshot stops at the trace")
		return false
	}
	tree := w.in.Tree
	q := walk.TraceLogs(w.in.Trace.ID, "", tree.Services, funnel.TimeRange{Start: tree.Start, End: tree.End}, w.in.Range)
	result, err := w.b.Logs.TraceLogs(ctx, q)
	if err != nil {
		w.in.Fail(snapshot.PartLogs, w.b.Logs.Name(), err)
		return false
	}
	w.in.Logs = &result
	return true
}

// snapshotSelection says which backends `redline snapshot` talks to.
type snapshotSelection struct {
	demo      bool
	endpoints endpointFlags
}

// snapshotFlags are the flags of `redline snapshot`, declared once for the
// command line and for `ssh HOST snapshot` on a server.
type snapshotFlags struct {
	req    snapshotRequest
	sel    snapshotSelection
	at     string
	window positiveDuration
}

// define declares the flags on fs. --at takes RFC 3339
// ("2026-11-21T20:00:00Z"), "now" or "now-15m" (any Go duration, or days
// such as "now-2d"); --window a duration such as 1h or 1d.
func (s *snapshotFlags) define(fs *pflag.FlagSet) {
	demoFlag(fs, &s.sel.demo)
	entryFlagSet(fs, &s.req.Entry)
	fs.StringVar(&s.req.TraceID, "trace", "", "snapshot this trace `ID` (default: the route's slowest complete trace)")
	fs.BoolVar(&s.req.IncludePartial, "include-partial", false, "let the slowest trace be a partial one (spans missing)")
	fs.StringVar(&s.at, "at", "now", "end of the time range: an RFC 3339 `TIME`, now, or now-15m")
	windowFlag(fs, &s.window)
	fs.StringVar(&s.req.Format, "format", "md", "output `FORMAT`: "+snapshot.FormatChoice(", "))
	fs.Var((*positiveDuration)(&s.req.Deadline), "deadline", "bound on the whole snapshot, a `DURATION` such as 1m (default: one timeout per step of its backend: 2×metrics + 2×traces + logs, 2m30s with the 30s default; none with --demo)")
	endpointFlagSet(fs, &s.sel.endpoints)
}

// request checks the parsed flags and the arguments left (there must be
// none) and returns what was asked for.
func (s *snapshotFlags) request(args []string, now func() time.Time) (snapshotRequest, error) {
	req := s.req
	req.Now, req.Window = now, time.Duration(s.window)
	if len(args) > 0 {
		return req, fmt.Errorf("unexpected argument %q", args[0])
	}
	if err := req.Entry.Check(); err != nil {
		return req, err
	}
	if _, err := snapshot.ParseFormat(req.Format); err != nil {
		return req, err
	}
	if req.TraceID != "" && trace.NormalizeTraceID(req.TraceID) == "" {
		return req, fmt.Errorf("--trace %q is not a trace ID (1 to 32 hex digits)", req.TraceID)
	}
	t, err := parseAt(s.at, now())
	if err != nil {
		return req, err
	}
	req.At = t
	return req, nil
}

// parseSnapshotFlags reads `ssh HOST snapshot [flags]` on a server: the
// flags of `redline snapshot`, errors and help on stderr.
func parseSnapshotFlags(args []string, now func() time.Time, stderr io.Writer) (snapshotRequest, snapshotSelection, error) {
	var s snapshotFlags
	fs := pflag.NewFlagSet("redline snapshot", pflag.ContinueOnError)
	s.define(fs)
	unquoteUsages(fs)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "%s\n\nUsage:\n  snapshot [flags]\n\nFlags:\n", snapshotLong)
		writeFlags(stderr, fs)
		fmt.Fprintln(stderr)
	}
	err := fs.Parse(args)
	if errors.Is(err, pflag.ErrHelp) {
		return s.req, s.sel, err
	}
	req := s.req
	if err == nil {
		req, err = s.request(fs.Args(), now)
	}
	if err != nil {
		fmt.Fprintln(stderr, "redline snapshot:", err)
	}
	return req, s.sel, err
}

// maxFuture is how far past now --at may point (clock skew).
const maxFuture = time.Minute

// parseAt reads --at: "now", "now-<duration>", or an RFC 3339 time.
func parseAt(s string, now time.Time) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" || s == "now" {
		return now, nil
	}
	if ago, ok := strings.CutPrefix(s, "now-"); ok {
		d, err := config.ParseDuration(ago)
		if err != nil || d < 0 {
			return time.Time{}, fmt.Errorf("--at %q: write now-15m, now-2h or now-1d", s)
		}
		return now.Add(-d), nil
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("--at %q: write an RFC 3339 time such as 2026-11-21T20:00:00Z, or now-15m", s)
	}
	if t.After(now.Add(maxFuture)) {
		return time.Time{}, fmt.Errorf("--at %s is in the future", t.UTC().Format(time.RFC3339))
	}
	return t, nil
}

// snapshotLong is the description `redline snapshot --help` starts with.
const snapshotLong = `redline snapshot walks the funnel without the UI (worst SLO → its top route →
the route's slowest complete trace → the trace's logs) and prints a
paste-able incident snapshot.

Each step ends within its backend's timeout; the whole snapshot within
--deadline (default: one timeout per step, 2m30s with the 30s default). A
step cut short, and the queries and steps not sent, say so and why.

Exit status: 0 complete, 2 usage or config error, or an alert, SLO, service
or route that names nothing (what exists is listed), 3 a backend failed (the
partial snapshot is still printed and names what failed).`

// runSnapshotCommand is `redline snapshot`: the backends (the demo or the
// configured ones, with the config file's deny-list and the context's deep
// links), then the walk.
func runSnapshotCommand(req snapshotRequest, sel snapshotSelection, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if sel.demo {
		o := demoOptions(req.Now)
		req.Context = o.Context
		return runSnapshot(ctx, o.Sources, req, stdout, stderr)
	}
	b, code := liveBackends(sel.endpoints, stderr)
	if code != 0 {
		return code
	}
	defer b.close()
	return runSnapshot(ctx, b.Sources, b.snapshotRequest(req), stdout, stderr)
}

// snapshotRequest completes req with what the config gives: the context's
// name, deep links, window (unless --window was given) and deadline (unless
// --deadline was given) and the file's deny-list.
func (b *backends) snapshotRequest(req snapshotRequest) snapshotRequest {
	if req.Deadline == 0 {
		req.Deadline = snapshotDeadline(b.context)
	}
	req.Context = b.context.Name
	req.Links = snapshotLinks(b.context)
	req.DenyKeys = b.snapshot.DenyKeys
	if req.Window == 0 {
		req.Window = time.Duration(b.context.Window)
	}
	return req
}

// snapshotSteps is how many steps of the walk each role's backend answers:
// the SLOs and the routes; the trace search and the trace; the logs. A role
// not listed answers within one step.
var snapshotSteps = map[config.Role]int{config.Metrics: 2, config.Traces: 2, config.Logs: 1}

// snapshotDeadline is the deadline of a context's snapshot when --deadline
// does not say: one timeout per step, of the step's backend (each step ends
// within its backend's timeout, package sources/internal/step).
func snapshotDeadline(c *config.Context) time.Duration {
	var d time.Duration
	for _, s := range c.Sections() {
		n, ok := snapshotSteps[s.Role]
		if !ok {
			n = 1
		}
		d += time.Duration(n) * s.Endpoint.RequestTimeout()
	}
	return d
}

// snapshotLinks are the deep links a context configures (Grafana Explore
// with its datasource UIDs, the Jaeger UI).
func snapshotLinks(c *config.Context) snapshot.Links {
	l := snapshot.Links{JaegerUI: c.JaegerUI}
	if c.Grafana != nil {
		l.GrafanaURL, l.GrafanaOrgID, l.Datasources = c.Grafana.URL, c.Grafana.OrgID, grafanaDatasources(c.Grafana.Datasources)
	}
	return l
}

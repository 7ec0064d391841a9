package snapshot

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/alert"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/units"
)

// Limits of what a snapshot keeps.
const (
	// MaxRoutes is how many RED rows are kept (the selected route always is).
	MaxRoutes = 10
	// MaxKeptLogLines is how many log lines a Snapshot holds; Render shows
	// at most Options.MaxLogLines of them.
	MaxKeptLogLines = 500
	// TopSelfTimeSpans is how many spans the self-time ranking lists.
	TopSelfTimeSpans = 5
	// MaxErrorSpans is how many error spans are detailed.
	MaxErrorSpans = 5
)

// Input is the funnel state a snapshot is made of. Every part is optional:
// nil parts are absent from the snapshot. The TUI fills it from its panes
// (see Contributor), headless mode from its own walk.
type Input struct {
	Context     string // what redline looks at, e.g. "prod-eu" or "demo"
	Environment string // optional, e.g. "production"
	Range       funnel.TimeRange
	Now         time.Time // when the snapshot is taken

	// SLO is the objective drilled from; SLOQueries the queries behind it.
	SLO        *slo.Status
	SLOQueries []funnel.Query
	SLOWarning []string

	// RED is the service's RED report; Route the selected route ("" when
	// none is selected yet).
	RED   *red.Report
	Route string

	// Summary is the selected trace as the search listed it (optional when
	// Trace is set); TraceQueries are the search's queries.
	Summary      *trace.Summary
	TraceQueries []funnel.Query
	// Trace is the fetched trace; Tree its span tree (built from Trace
	// when nil).
	Trace *trace.Trace
	Tree  *trace.Tree

	Logs *logs.Result

	// How says how each step was picked, shown in the path.
	How How
	// Links configures deep links; zero means none.
	Links Links
	// DenyKeys are masked, besides DefaultDenyKeys, in the queries that
	// deep links quote: links are built here, before Render's cleaning.
	DenyKeys []string
	// Failures are the parts a backend failed to give.
	Failures []Failure
}

// How says how each step of the path was picked, e.g. "selected",
// "worst by severity", "given".
type How struct {
	SLO, Route, Trace, Logs string
}

// Contributor is implemented by a funnel pane that can add what it shows
// to a snapshot: the TUI root walks its navigation stack, from the first
// pane to the focused one, and each pane fills its part of in.
type Contributor interface {
	ContributeSnapshot(in *Input)
}

// Fail records that part is missing because backend failed with err.
func (in *Input) Fail(part, backend string, err error) {
	in.Failures = append(in.Failures, Failure{Part: part, Backend: backend, Error: err.Error()})
}

// Collect starts from base (context, range, now, links) and lets every
// contributor add its part, in order.
func Collect[C Contributor](base Input, panes []C) Input {
	for _, p := range panes {
		p.ContributeSnapshot(&base)
	}
	return base
}

// FromFunnel builds the snapshot of in. It keeps backend strings raw
// (Render sanitises them), sorts log lines errors first and cuts the trace
// down to what reads in a paste (see cutTrace).
func FromFunnel(in Input) Snapshot {
	s := Snapshot{
		Schema:      SchemaVersion,
		GeneratedAt: in.Now.UTC(),
		Context:     in.Context,
		Environment: in.Environment,
		Range:       rangeOf(in.Range),
		Failures:    slices.Clone(in.Failures),
	}
	if in.SLO != nil {
		s.SLO = sloPart(*in.SLO, in.SLOQueries, in.SLOWarning)
	}
	if in.RED != nil {
		s.RED = redPart(*in.RED, in.Route)
	}
	if in.Trace != nil || in.Summary != nil {
		s.Trace = tracePart(in)
	}
	if in.Logs != nil {
		s.Logs = logsPart(*in.Logs)
	}
	s.Path = pathOf(in, s)
	s.Links = links(in.Links, in.DenyKeys, s)
	return s
}

func rangeOf(r funnel.TimeRange) Range {
	return Range{Start: r.Start.UTC(), End: r.End.UTC(), Duration: Duration(r.Duration())}
}

func queriesOf(qs []funnel.Query) []Query {
	out := make([]Query, 0, len(qs))
	for _, q := range qs {
		out = append(out, Query{Backend: q.Backend, Language: string(q.Language), Purpose: q.Purpose, Text: q.Text, Range: rangeOf(q.Range), NotSent: q.NotSent})
	}
	return out
}

func numbers(vs []float64) []Number {
	if len(vs) == 0 {
		return nil
	}
	out := make([]Number, len(vs))
	for i, v := range vs {
		out[i] = Number(v)
	}
	return out
}

func pathOf(in Input, s Snapshot) []Step {
	var path []Step
	if s.SLO != nil {
		path = append(path, Step{Step: StepSLO, Label: s.SLO.Service + "/" + s.SLO.Name, How: in.How.SLO})
	}
	if s.RED != nil && s.RED.SelectedRoute != "" {
		path = append(path, Step{Step: StepRoute, Label: s.RED.SelectedRoute, How: in.How.Route})
	}
	if s.Trace != nil {
		path = append(path, Step{Step: StepTrace, Label: s.Trace.TraceID, How: in.How.Trace})
	}
	if s.Logs != nil {
		path = append(path, Step{Step: StepLogs, Label: "logs", How: in.How.Logs})
	}
	return path
}

func sloPart(st slo.Status, qs []funnel.Query, warnings []string) *SLO {
	o := st.Objective
	part := &SLO{
		Service: o.Service, Name: o.Name, SLI: o.SLI, Origin: string(o.Origin),
		Assumed:   o.Origin == slo.OriginAssumed,
		Objective: o.Target, ObjectiveText: units.Objective(o.Target),
		Period: Duration(o.Period), At: st.At.UTC(),
		Verdict: st.Verdict.String(), Symbol: st.Verdict.Symbol(),
		CurrentBurn: Number(st.CurrentBurn), BudgetRemaining: Number(st.BudgetRemaining),
		ExhaustionText: exhaustionText(st),
		LowTraffic:     st.LowTraffic, Caveat: st.Caveat, NoDataFrom: slices.Clone(st.NoDataFrom),
		Queries: queriesOf(qs), Warnings: slices.Clone(warnings),
	}
	if o.Threshold > 0 {
		t := Duration(o.Threshold)
		part.Threshold, part.Basis = &t, o.Basis
	}
	if st.TimeToExhaustion >= 0 {
		tte := Duration(st.TimeToExhaustion)
		part.TimeToExhaustion = &tte
	}
	for _, b := range st.Burns {
		part.Windows = append(part.Windows, Window{
			Severity: string(b.Severity), Long: slo.WindowLabel(b.Long), Short: slo.WindowLabel(b.Short),
			Factor: b.Factor, LongBurn: Number(b.LongBurn), ShortBurn: Number(b.ShortBurn), Firing: b.Firing,
		})
	}
	for _, p := range st.BurnHistory {
		part.BurnHistory = append(part.BurnHistory, Number(p.Value))
	}
	for _, a := range st.Alerts {
		if a.State == alert.Firing {
			part.Alerts = append(part.Alerts, Alert{Name: a.Name, Severity: a.Severity,
				ActiveSince: a.ActiveAt.UTC(), ActiveFor: Duration(max(st.At.Sub(a.ActiveAt), 0)), Muted: a.Mute.String()})
		}
	}
	return part
}

// redPart keeps the first MaxRoutes rows in the report's order, plus the
// selected route when it is further down.
func redPart(r red.Report, selected string) *RED {
	part := &RED{Service: r.Service, Convention: r.Convention, SelectedRoute: selected, ShareOf: r.BadEvents,
		Window: windowLabel(r.Window), ShareWindow: windowLabel(r.ShareWindow), Queries: queriesOf(r.Queries), Warnings: slices.Clone(r.Warnings)}
	for i, row := range r.Rows {
		if i >= MaxRoutes && row.Route != selected {
			part.OmittedRoutes++
			continue
		}
		part.Routes = append(part.Routes, Route{
			Route: row.Route, Selected: row.Route == selected && selected != "",
			Rate: Number(row.Rate), ErrorRatio: Number(row.ErrorRatio),
			P50: Quantile(row.P50), P95: Quantile(row.P95), P99: Quantile(row.P99),
			BurnShare:   Number(row.BurnShare),
			RateHistory: numbers(row.RateHistory), ErrorHistory: numbers(row.ErrorHistory), LatencyHistory: numbers(row.LatencyHistory),
		})
	}
	return part
}

// windowLabel names a window the way SLO tools do ("5m", "1h"); "" when unset.
func windowLabel(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return slo.WindowLabel(d)
}

// logsPart orders lines by level, most severe first, keeping time order
// within a level, and keeps MaxKeptLogLines of them.
func logsPart(r logs.Result) *Logs {
	lines := slices.Clone(r.Lines)
	slices.SortStableFunc(lines, func(a, b logs.Line) int { return int(b.Level) - int(a.Level) })
	part := &Logs{Strategy: r.Strategy, Total: len(lines), Queries: queriesOf(r.Queries), Warnings: slices.Clone(r.Warnings)}
	for i, l := range lines {
		if i >= MaxKeptLogLines {
			part.Omitted = len(lines) - i
			break
		}
		part.Lines = append(part.Lines, LogLine{
			Time: l.Time.UTC(), Level: strings.TrimSpace(l.Level.String()), Service: l.Service,
			Message: cmp.Or(l.Message, l.Body), SpanID: l.SpanID, Labels: l.Labels,
		})
	}
	return part
}

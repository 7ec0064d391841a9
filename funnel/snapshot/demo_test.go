package snapshot_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/snapshot"
	"github.com/redline-tui/redline/funnel/trace"
	"github.com/redline-tui/redline/funnel/walk"
	"github.com/redline-tui/redline/sources/demo"
)

// testNow is the fixed clock of the golden snapshots.
var testNow = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

// demoLinks are deep links as a config file would set them, with
// credentials that must never be printed.
var demoLinks = snapshot.Links{
	GrafanaURL:   "https://admin:hunter2@grafana.example.com/",
	GrafanaOrgID: 1,
	Datasources: []snapshot.Datasource{
		{Type: "prometheus", UID: "prom-uid", Language: "PromQL", Query: map[string]any{"range": true, "instant": false}},
		{Type: "tempo", UID: "tempo-uid", Language: "TraceQL", Query: map[string]any{"queryType": "traceql"}, Traces: true},
		{Type: "loki", UID: "loki-uid", Language: "LogQL", Query: map[string]any{"queryType": "range", "maxLines": 1000}},
	},
	JaegerUI: "https://jaeger.example.com",
}

// demoInput walks the demo incident like the headless command: worst SLO,
// its top route, the slowest trace of that route, the trace's logs.
func demoInput(t testing.TB) snapshot.Input {
	t.Helper()
	src := demo.New(demo.Options{Seed: 1, Now: func() time.Time { return testNow }})
	ctx := context.Background()
	rng := funnel.Last(time.Hour, testNow)
	slos, err := src.SLOs(ctx, rng)
	if err != nil {
		t.Fatal(err)
	}
	worst, _ := walk.WorstSLO(slos.Statuses, "")
	routes, err := src.Routes(ctx, red.QueryFor(worst.Objective.Service, rng, &worst))
	if err != nil {
		t.Fatal(err)
	}
	routes.Rows = walk.Routes(routes.Rows)
	route, _ := walk.Route(routes.Rows, "")
	q := walk.TraceSearch(worst.Objective.Service, route, rng, false)
	found, err := src.FindTraces(ctx, q)
	if err != nil {
		t.Fatal(err)
	}
	candidates := walk.Traces(q, route, found.Traces)
	choice := trace.PickSlowest(candidates, false)
	summary := candidates[choice.Index]
	tr, err := src.Trace(ctx, summary.TraceID, rng)
	if err != nil {
		t.Fatal(err)
	}
	tree := trace.Build(tr)
	lines, err := src.TraceLogs(ctx, walk.TraceLogs(tr.ID, "", tree.Services, funnel.TimeRange{Start: tree.Start, End: tree.End}, rng))
	if err != nil {
		t.Fatal(err)
	}
	return snapshot.Input{
		Context: "demo", Environment: "demo incident", Range: rng, Now: testNow,
		SLO: &worst, SLOQueries: slos.Queries,
		RED: &routes, Route: route.Route,
		Summary: &summary, TraceQueries: found.Queries, Trace: tr, Tree: tree,
		Logs:  &lines,
		How:   snapshot.How{SLO: "worst by severity", Route: "highest burn share", Trace: walk.HowPicked(choice, q, len(candidates))},
		Links: demoLinks,
	}
}

func demoSnapshot(t testing.TB) snapshot.Snapshot {
	t.Helper()
	return snapshot.FromFunnel(demoInput(t))
}

// assumedLatencyInput is a snapshot taken at the RED step of the demo's
// assumed latency SLO (payments): an assumed threshold and quantiles
// beyond the last bucket.
func assumedLatencyInput(t testing.TB) snapshot.Input {
	t.Helper()
	src := demo.New(demo.Options{Seed: 1, Now: func() time.Time { return testNow }})
	ctx := context.Background()
	rng := funnel.Last(time.Hour, testNow)
	slos, err := src.SLOs(ctx, rng)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(slos.Statuses, func(s slo.Status) bool {
		return s.Objective.Origin == slo.OriginAssumed && s.Objective.IsLatency()
	})
	if i < 0 {
		t.Fatal("the demo has no assumed latency SLO")
	}
	st := slos.Statuses[i]
	routes, err := src.Routes(ctx, red.QueryFor(st.Objective.Service, rng, &st))
	if err != nil {
		t.Fatal(err)
	}
	return snapshot.Input{
		Context: "demo", Range: rng, Now: testNow,
		SLO: &st, RED: &routes, Route: routes.Rows[0].Route,
		How: snapshot.How{SLO: "assumed latency", Route: "highest burn share"},
	}
}

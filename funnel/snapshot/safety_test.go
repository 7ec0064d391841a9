package snapshot_test

import (
	"github.com/redline-tui/redline/funnel/units"
	"math"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/snapshot"
	"github.com/redline-tui/redline/funnel/trace"
)

// syntheticInput is a small funnel whose every backend string is text:
// service, route and span names, attribute keys and values, log lines and
// labels, queries, warnings and failures.
func syntheticInput(text string) snapshot.Input {
	start := testNow.Add(-10 * time.Minute)
	rng := funnel.Last(time.Hour, testNow)
	obj := slo.Objective{Service: text, Name: text, Target: 0.999, SLI: text, Origin: slo.OriginConfig}
	status := slo.Evaluate(obj, slo.Measurements{At: testNow, Windows: []slo.Ratio{{Window: 5 * time.Minute, ErrorRatio: 0.02, Total: 1000}}, Period: slo.Ratio{ErrorRatio: 0.0005, Total: 1e6}})
	query := funnel.Query{Backend: text, Language: funnel.PromQL, Purpose: text, Text: "rate(x{route=\"" + text + "\"}[5m])\n" + text, Range: rng, NotSent: text}
	rows := []red.Row{{Service: text, Route: text, Rate: 3, ErrorRatio: 0.1, P99: units.Measured(time.Second), LatencyHistory: []float64{1, 2}}}
	spans := []trace.Span{
		{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b7", Service: text, Name: text, Kind: trace.KindServer, Start: start, Duration: time.Second, Status: trace.StatusError, StatusMessage: text,
			Attributes: []trace.Attr{{Key: text, Value: text}, {Key: "http.route", Value: text}}},
		{TraceID: "4bf92f3577b34da6a3ce929d0e0e4736", SpanID: "00f067aa0ba902b8", ParentID: "00f067aa0ba902b7", Service: text, Name: text, Start: start.Add(time.Millisecond), Duration: 500 * time.Millisecond, Status: trace.StatusError, StatusMessage: text},
	}
	tr := &trace.Trace{ID: "4bf92f3577b34da6a3ce929d0e0e4736", Spans: spans, Warnings: []string{text}, Queries: []funnel.Query{query}}
	line := logs.Parse(logs.Line{Time: start, Body: text, Labels: map[string]string{"service_name": text, text: text}, Metadata: map[string]string{"k": text}})
	return snapshot.Input{
		Context: text, Environment: text, Range: rng, Now: testNow,
		SLO: &status, SLOQueries: []funnel.Query{query}, SLOWarning: []string{text},
		RED: &red.Report{Service: text, Rows: rows, Convention: text, Queries: []funnel.Query{query}, Warnings: []string{text}}, Route: text,
		Summary:      &trace.Summary{TraceID: tr.ID, RootService: text, RootName: text, Services: []string{text}},
		TraceQueries: []funnel.Query{query}, Trace: tr,
		Logs:     &logs.Result{Lines: []logs.Line{line}, Strategy: text, Queries: []funnel.Query{query}, Warnings: []string{text}},
		How:      snapshot.How{SLO: text, Route: text, Trace: text},
		Links:    demoLinks,
		Failures: []snapshot.Failure{{Part: snapshot.PartLogs, Backend: text, Error: text}},
	}
}

func TestHostileCorpusNeverSurvivesRaw(t *testing.T) {
	corpus, err := sanitizetest.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	for _, hostile := range corpus {
		s := snapshot.FromFunnel(syntheticInput(hostile))
		for _, f := range snapshot.Formats {
			out := render(t, s, f, snapshot.Options{})
			if !sanitizetest.Safe(out) {
				t.Errorf("%s output of %q is not safe for a terminal", f, hostile)
			}
			if sanitize.Line(hostile) != hostile && strings.Contains(out, hostile) {
				t.Errorf("%s output holds %q raw", f, hostile)
			}
			if f == snapshot.FormatText {
				for _, line := range strings.Split(out, "\n") {
					if n := cellsOf(line); n > snapshot.DefaultWidth {
						t.Errorf("text line of %d cells with %q: %q", n, hostile, line)
					}
				}
			}
		}
	}
}

func TestHugeLogLineIsCapped(t *testing.T) {
	huge := strings.Repeat("A", 1<<20)
	in := syntheticInput("x")
	in.Logs.Lines[0].Message = huge
	s := snapshot.FromFunnel(in)
	for _, f := range snapshot.Formats {
		if f == snapshot.FormatJSON {
			continue // JSON keeps data whole
		}
		if out := render(t, s, f, snapshot.Options{}); len(out) > 100_000 {
			t.Errorf("%s snapshot of a 1 MB log line is %d bytes", f, len(out))
		}
	}
}

func TestFenceCannotBeClosedByText(t *testing.T) {
	s := snapshot.FromFunnel(syntheticInput("```\n# injected heading ```` <b>&amp;"))
	md := render(t, s, snapshot.FormatMarkdown, snapshot.Options{})
	fence := "" // the fence of the code block we are in, "" outside
	for _, line := range strings.Split(md, "\n") {
		switch {
		case fence == "" && strings.HasPrefix(line, "```"):
			fence = line
		case fence != "" && line == fence:
			fence = ""
		case fence == "" && (strings.HasPrefix(line, "# injected") || strings.Contains(line, "<b>")):
			t.Errorf("backend text escaped its block in Markdown: %q", line)
		}
	}
	if fence != "" {
		t.Error("Markdown ends inside a code block")
	}
	if !strings.Contains(md, "`````\n") {
		t.Error("a code block holding ```` does not use a longer fence")
	}
	slackOut := render(t, s, snapshot.FormatSlack, snapshot.Options{})
	if strings.Contains(slackOut, "<b>") || strings.Contains(slackOut, "```` ") {
		t.Error("Slack output holds raw < or a backend ```")
	}
	if strings.Count(slackOut, "```")%2 != 0 {
		t.Error("Slack output has an unbalanced code fence")
	}
}

func TestSlackMentionsAndLinksAreNeutralised(t *testing.T) {
	s := snapshot.FromFunnel(syntheticInput("<!channel> @here <https://evil.example|click>"))
	out := render(t, s, snapshot.FormatSlack, snapshot.Options{})
	for _, bad := range []string{"<!channel>", "@here", "<https://evil"} {
		if strings.Contains(out, bad) {
			t.Errorf("Slack output holds %q", bad)
		}
	}
}

func TestSlackStaysWithinLimit(t *testing.T) {
	in := demoInput(t)
	lines := in.Logs.Lines
	for len(in.Logs.Lines) < 2000 {
		in.Logs.Lines = append(in.Logs.Lines, lines...)
	}
	for i := range in.Logs.Lines {
		in.Logs.Lines[i].Message = strings.Repeat("long message ", 30)
	}
	out := render(t, snapshot.FromFunnel(in), snapshot.FormatSlack, snapshot.Options{MaxLogLines: 500})
	if n := len([]rune(out)); n > snapshot.SlackLimit {
		t.Fatalf("Slack snapshot is %d characters", n)
	}
	if !strings.Contains(out, "Cut to fit Slack") {
		t.Error("a cut Slack snapshot does not say so")
	}
}

func TestDenyListMasks(t *testing.T) {
	in := syntheticInput("x")
	root := &in.Trace.Spans[0]
	root.Attributes = []trace.Attr{
		{Key: "http.request.header.authorization", Value: "Bearer s3cr3t-a"},
		{Key: "X-Api-Key", Value: "s3cr3t-b"},
		{Key: "db.password", Value: "s3cr3t-c"},
		{Key: "user.customer_id", Value: "s3cr3t-d"}, // denied by Options.DenyKeys
		{Key: "http.route", Value: "/api/checkout"},
	}
	root.StatusMessage = `GET https://bob:s3cr3t-e@api.example/ failed; token=s3cr3t-f, "session_id":"s3cr3t-g" Authorization: Bearer s3cr3t-h`
	in.Logs.Lines[0].Labels = map[string]string{"Set-Cookie": "s3cr3t-i", "pod": "checkout-1"}
	in.Logs.Lines[0].Message = `login ok password="s3cr3t j" apikey=s3cr3t-k user=alice`
	in.Failures[0].Error = `loki: Get "http://admin:s3cr3t-l@loki:3100/loki/api/v1/query_range": 401`
	in.Failures = append(in.Failures, snapshot.Failure{Part: snapshot.PartSLO, Backend: "prometheus", Error: `prometheus: HTTP 401: invalid credentials: oncall "s3cr3t-m" (check credentials)`})
	s := snapshot.FromFunnel(in)
	for _, f := range snapshot.Formats {
		out := render(t, s, f, snapshot.Options{DenyKeys: []string{"customer_id"}})
		if strings.Contains(out, "s3cr3t") {
			i := strings.Index(out, "s3cr3t")
			t.Errorf("%s output leaks a secret: …%s…", f, out[max(i-60, 0):min(i+20, len(out))])
		}
		kept := []string{"/api/checkout", "user=alice", snapshot.Mask, "api.example", "loki:3100"}
		if f == snapshot.FormatJSON {
			kept = append(kept, "checkout-1") // labels are in JSON only
		}
		for _, kept := range kept {
			if !strings.Contains(out, kept) {
				t.Errorf("%s output lost %q", f, kept)
			}
		}
	}
}

func TestJSONRoundTrip(t *testing.T) {
	s := demoSnapshot(t)
	first := render(t, s, snapshot.FormatJSON, snapshot.Options{})
	parsed, err := snapshot.ParseJSON([]byte(first))
	if err != nil {
		t.Fatal(err)
	}
	if second := render(t, parsed, snapshot.FormatJSON, snapshot.Options{}); second != first {
		t.Fatalf("JSON does not survive a round trip:\n%s", firstDifference(first, second))
	}
	if parsed.Schema != snapshot.SchemaVersion || parsed.Trace.Duration != s.Trace.Duration || !parsed.Range.Start.Equal(s.Range.Start) {
		t.Errorf("round trip changed values: %+v", parsed.Range)
	}
	if _, err := snapshot.ParseJSON([]byte(`{"schema":"redline.snapshot/v2"}`)); err == nil {
		t.Error("ParseJSON accepted another schema version")
	}
}

func TestJSONUnknownNumbersAreNull(t *testing.T) {
	in := syntheticInput("x")
	in.RED.Rows[0].ErrorRatio = math.NaN()
	s := snapshot.FromFunnel(in)
	out := render(t, s, snapshot.FormatJSON, snapshot.Options{})
	if !strings.Contains(out, `"error_ratio": null`) {
		t.Error("an unknown error ratio is not null in JSON")
	}
	parsed, err := snapshot.ParseJSON([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if parsed.RED.Routes[0].ErrorRatio.Known() {
		t.Error("null did not read back as unknown")
	}
}

// TestConfiguredDenyKeysMaskDeepLinks: a query holding a value of a
// configured deny key is masked in the links that quote it too, not only in
// the Queries section.
func TestConfiguredDenyKeysMaskDeepLinks(t *testing.T) {
	in := syntheticInput("x")
	q := []funnel.Query{{Backend: "prometheus", Language: funnel.PromQL, Text: "up\ncustomer_id=s3cr3t-z"}}
	in.SLOQueries, in.RED.Queries, in.Logs.Queries = q, q, []funnel.Query{{Backend: "loki", Language: funnel.LogQL, Text: "{app=\"x\"}\ncustomer_id=s3cr3t-z"}}
	in.DenyKeys = []string{"customer_id"}
	s := snapshot.FromFunnel(in)
	if len(s.Links) == 0 {
		t.Fatal("no deep links were built")
	}
	for _, l := range s.Links {
		if u, err := url.QueryUnescape(l.URL); err != nil || strings.Contains(u, "s3cr3t") {
			t.Errorf("%s leaks the denied value: %s", l.Title, u)
		}
	}
}

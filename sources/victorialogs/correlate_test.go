package victorialogs

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
)

// window is traceRange widened by the default shift, as LogsQL writes it.
const window = "_time:[2026-11-21T19:59:30Z, 2026-11-21T20:00:32Z]"

func TestTraceLogsDiscoversAndCaches(t *testing.T) {
	f := newFakeVL()
	c := f.start(t, Config{Tenant: "12:3"})
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	if got, want := paths(reqs), []string{pathStreamFieldNames, pathFieldNames, pathFieldValues, pathQuery}; !slices.Equal(got, want) {
		t.Fatalf("requests %v, want %v", got, want)
	}
	for _, r := range reqs {
		if r.header.Get("AccountID") != "12" || r.header.Get("ProjectID") != "3" {
			t.Errorf("%s sent AccountID %q ProjectID %q, want 12 and 3", r.path, r.header.Get("AccountID"), r.header.Get("ProjectID"))
		}
		if r.header.Get("X-Scope-OrgID") != "" {
			t.Errorf("%s sent X-Scope-OrgID", r.path)
		}
	}
	wantQuery := window + ` _stream:{"service_name"=~"shop|payments"} ("trace_id":~"(?i)^` + tid + `$" or _msg:~"(?i)` + tid + `") | sort by (_time) | limit 1000`
	if reqs[3].query != wantQuery {
		t.Errorf("query\n%s\nwant\n%s", reqs[3].query, wantQuery)
	}
	if len(res.Queries) != 1 || res.Queries[0].Text != wantQuery || res.Queries[0].Language != funnel.LogsQL || res.Queries[0].Backend != "victorialogs" {
		t.Errorf("recorded queries %+v, want the LogsQL query sent", res.Queries)
	}
	var got []string
	for _, l := range res.Lines {
		got = append(got, l.Service+" "+strings.TrimSpace(l.Level.String())+" "+l.Message)
	}
	want := []string{"shop INFO checkout start", "payments WARN charging card", "payments ERROR card declined trace_id=" + tid}
	if !slices.Equal(got, want) {
		t.Errorf("lines\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if res.Lines[0].SpanID != sid || res.Lines[0].Labels["job"] != "shop" || res.Lines[0].Metadata["trace_id"] != tid {
		t.Errorf("first line %+v lacks its span ID, stream fields or fields", res.Lines[0])
	}
	wantStrategy := `field trace_id + message text on _stream:{"service_name"=~"shop|payments"}; trace ID in field trace_id (2), message text (1)`
	if res.Strategy != wantStrategy {
		t.Errorf("strategy\n%s\nwant\n%s", res.Strategy, wantStrategy)
	}

	// The next look-up reuses the service field and both holders.
	if _, err := c.TraceLogs(context.Background(), shopQuery()); err != nil {
		t.Fatal(err)
	}
	if reqs := f.take(); len(reqs) != 1 || reqs[0].query != wantQuery {
		t.Errorf("cached look-up sent %v, want only the query", paths(reqs))
	}
}

func TestTraceLogsCachesTheHoldersThatFoundLines(t *testing.T) {
	f := newFakeVL()
	f.lines = strings.SplitAfter(shopLines, "\n")[0] // a trace_id field only
	c := f.start(t, Config{})
	if _, err := c.TraceLogs(context.Background(), shopQuery()); err != nil {
		t.Fatal(err)
	}
	f.take()
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	if len(reqs) != 1 || !strings.Contains(reqs[0].query, `} "trace_id":~"(?i)^`+tid+`$" | sort`) {
		t.Errorf("cached look-up sent %+v, want the trace_id field alone", reqs)
	}
	if !strings.HasPrefix(res.Strategy, "field trace_id on ") {
		t.Errorf("strategy %q", res.Strategy)
	}
}

func TestTraceLogsRediscoversWhenTheCacheFindsNothing(t *testing.T) {
	f := newFakeVL()
	c := f.start(t, Config{})
	if _, err := c.TraceLogs(context.Background(), shopQuery()); err != nil {
		t.Fatal(err)
	}
	f.take()
	f.lines = ""
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	want := []string{pathQuery, pathStreamFieldNames, pathFieldNames, pathFieldValues, pathQuery}
	if got := paths(f.take()); !slices.Equal(got, want) {
		t.Errorf("requests %v, want the cached query, then discovery", got)
	}
	if len(res.Queries) != 2 || !strings.HasPrefix(res.Strategy, "no lines of trace "+tid) {
		t.Errorf("queries %d, strategy %q", len(res.Queries), res.Strategy)
	}
}

func TestTraceLogsPinned(t *testing.T) {
	f := newFakeVL()
	c := f.start(t, Config{ServiceField: "service.name", TraceField: "_msg", Limit: 20})
	q := shopQuery()
	q.SpanID = sid
	res, err := c.TraceLogs(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	reqs := f.take()
	want := window + ` "service.name":in("shop","payments") _msg:~"(?i)` + tid + `" | sort by (_time) | limit 20`
	if len(reqs) != 1 || reqs[0].query != want {
		t.Fatalf("sent %+v, want only\n%s", reqs, want)
	}
	if len(res.Lines) != 1 || res.Lines[0].SpanID != sid {
		t.Errorf("lines %+v, want the span's one line", res.Lines)
	}
}

func TestTraceLogsJaegerID(t *testing.T) {
	const jid = "3ab1c2d3e4f50617"
	f := newFakeVL()
	f.lines = `{"_msg":"boom 00000000000000003AB1C2D3E4F50617 failed","_time":"2026-11-21T20:00:01Z","service_name":"shop"}` + "\n"
	c := f.start(t, Config{ServiceField: "service_name", TraceField: "_msg"})
	res, err := c.TraceLogs(context.Background(), logs.Query{TraceID: jid, Services: []string{"shop"}, Range: traceRange})
	if err != nil {
		t.Fatal(err)
	}
	if reqs := f.take(); !strings.Contains(reqs[0].query, `_msg:~"(?i)`+jid+`"`) {
		t.Errorf("query %s does not look for the 16 digits in any case", reqs[0].query)
	}
	if len(res.Lines) != 1 {
		t.Errorf("lines %+v, want the upper-case padded one", res.Lines)
	}
}

func TestTraceLogsFallsBackToEveryService(t *testing.T) {
	tests := []struct {
		name     string
		services []string
		fields   string
		warning  string
	}{
		{"no value names the services", []string{"checkout"}, "", "no value of service_name names checkout"},
		{"no service field", []string{"shop"}, `{"values":[{"value":"_msg","hits":1},{"value":"host","hits":1}]}`, "no field names a service (fields here: _msg, host)"},
		{"no services", nil, "", "the trace names no service"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeVL()
			if tt.fields != "" {
				f.fields = tt.fields
			}
			c := f.start(t, Config{})
			res, err := c.TraceLogs(context.Background(), logs.Query{TraceID: tid, Services: tt.services, Range: traceRange})
			if err != nil {
				t.Fatal(err)
			}
			reqs := f.take()
			if q := reqs[len(reqs)-1].query; strings.Contains(q, "service") {
				t.Errorf("query %s filters a service", q)
			}
			if len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], tt.warning) || !strings.Contains(res.Warnings[0], "service_field") {
				t.Errorf("warnings %q, want %q and the pin", res.Warnings, tt.warning)
			}
		})
	}
}

func TestTraceLogsNoLogsInTheWindow(t *testing.T) {
	f := newFakeVL()
	f.fields, f.streamFields = `{"values":[]}`, `{"values":[]}`
	c := f.start(t, Config{})
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	if res.Strategy != "no logs in the window" || slices.Contains(paths(f.take()), pathQuery) {
		t.Errorf("strategy %q; want no query sent", res.Strategy)
	}
}

func TestTraceLogsLimit(t *testing.T) {
	f := newFakeVL()
	c := f.start(t, Config{Limit: 2})
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) != 2 || len(res.Warnings) == 0 || !strings.Contains(res.Warnings[0], "the limit was reached") {
		t.Errorf("%d lines, warnings %q: want 2 and the limit named", len(res.Lines), res.Warnings)
	}
}

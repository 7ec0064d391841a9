package demo

import (
	"context"
	"strings"
	"testing"

	"github.com/redline-tui/redline/funnel/logs"
)

func logsQuery(traceID string) logs.Query {
	return logs.Query{TraceID: traceID, Range: lastHour.Widen(0)}
}

func TestTraceLogs(t *testing.T) {
	s := newTestSource(1)
	tr := slowestCheckoutTrace(t, s)
	res, err := s.TraceLogs(context.Background(), logsQuery(tr.ID))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) < 20 || res.Strategy == "" || len(res.Queries) != 1 {
		t.Fatalf("%d lines, strategy %q, %d queries", len(res.Lines), res.Strategy, len(res.Queries))
	}
	formats := map[logs.Format]bool{}
	var timeout, retry, hostile bool
	for i, l := range res.Lines {
		if l.TraceID != tr.ID {
			t.Fatalf("line %d belongs to trace %q: %s", i, l.TraceID, l.Body)
		}
		if i > 0 && l.Time.Before(res.Lines[i-1].Time) {
			t.Fatalf("line %d is older than line %d", i, i-1)
		}
		if spanByID(tr, l.SpanID) == nil {
			t.Errorf("line %d names span %q, not in the trace", i, l.SpanID)
		}
		formats[l.Format] = true
		timeout = timeout || strings.Contains(l.Message, "payment gateway timeout after 2.5s") && l.Level == logs.LevelWarn
		retry = retry || strings.Contains(l.Body, "retrying charge")
		hostile = hostile || strings.ContainsRune(l.Body, '\x1b')
	}
	if len(formats) != 3 {
		t.Errorf("formats %v, want JSON, logfmt and plain", formats)
	}
	if !timeout {
		t.Error("no warning about the payment gateway timeout")
	}
	if !retry {
		t.Error("no line about retrying the charge")
	}
	if !hostile {
		t.Error("no line carries an escape sequence for the UI to neutralise")
	}
}

func TestTraceLogsOfOneSpan(t *testing.T) {
	s := newTestSource(1)
	tr := slowestCheckoutTrace(t, s)
	q := logsQuery(tr.ID)
	q.SpanID = tr.Spans[0].SpanID
	res, err := s.TraceLogs(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) == 0 {
		t.Fatal("no lines for the root span")
	}
	for _, l := range res.Lines {
		if l.SpanID != q.SpanID {
			t.Errorf("line of span %s: %s", l.SpanID, l.Body)
		}
	}
}

func TestTraceLogsLimitKeepsNewest(t *testing.T) {
	s := newTestSource(1)
	tr := slowestCheckoutTrace(t, s)
	all, _ := s.TraceLogs(context.Background(), logsQuery(tr.ID))
	q := logsQuery(tr.ID)
	q.Limit = 5
	res, err := s.TraceLogs(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Lines) != 5 || res.Lines[4].Body != all.Lines[len(all.Lines)-1].Body || len(res.Warnings) != 1 {
		t.Errorf("%d lines, %d warnings", len(res.Lines), len(res.Warnings))
	}
}

package logmatch

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
)

func TestMatchServices(t *testing.T) {
	values := []string{"Shop", "shop", "PAYMENTS", "cart"}
	if got := MatchServices(values, []string{"shop", "payments", "missing", "shop"}); !slices.Equal(got, []string{"shop", "PAYMENTS"}) {
		t.Errorf("MatchServices = %q, want the exact spelling first, else any case", got)
	}
}

func TestPresent(t *testing.T) {
	if got := Present([]string{"service_name", "app", "job", "app"}, []string{"job", "level", "app"}); !slices.Equal(got, []string{"app", "job"}) {
		t.Errorf("Present = %q, want candidate order without repeats", got)
	}
}

func TestUsableServices(t *testing.T) {
	if got := UsableServices([]string{"", "shop", "\xff", "shop", "cart"}); !slices.Equal(got, []string{"shop", "cart"}) {
		t.Errorf("UsableServices = %q", got)
	}
}

func TestCountWords(t *testing.T) {
	if got := CountWords([]string{"b", "a", "b"}); got != "b (2), a (1)" {
		t.Errorf("CountWords = %q", got)
	}
}

func TestNewLookup(t *testing.T) {
	now := time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)
	b := Bounds{Backend: "x", Limit: 100, MaxLimit: 500, Shift: time.Second, Now: now}
	lk, err := NewLookup(logs.Query{TraceID: "0xABC", SpanID: "F", Limit: 9000}, b)
	if err != nil {
		t.Fatal(err)
	}
	want := funnel.Last(time.Hour, now).Widen(time.Second)
	if lk.TraceID != strings.Repeat("0", 29)+"abc" || lk.SpanID != strings.Repeat("0", 15)+"f" || lk.Limit != 500 || lk.Window != want || len(lk.Warnings) != 1 {
		t.Errorf("lookup %+v", lk)
	}
	r := funnel.TimeRange{Start: now, End: now.Add(-time.Second)}
	for _, q := range []logs.Query{{TraceID: "xyz"}, {TraceID: "a", SpanID: "q"}, {TraceID: "a", Range: r}} {
		if _, err := NewLookup(q, b); err == nil || !strings.HasPrefix(err.Error(), "x: ") {
			t.Errorf("NewLookup(%+v) = %v, want an error naming the backend", q, err)
		}
	}
}

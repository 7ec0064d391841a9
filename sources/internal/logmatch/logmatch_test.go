package logmatch

import (
	"cmp"
	"errors"
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

// fakePass is a look-up pass: its queries, whether it found lines and
// whether it used the cache.
type fakePass struct {
	queries          []funnel.Query
	found, usedCache bool
}

func (p fakePass) Stale() bool          { return !p.found && p.usedCache }
func (p fakePass) Sent() []funnel.Query { return p.queries }

// Result names the pass by its own first query, so a test can tell which
// pass was rendered.
func (p fakePass) Result(queries []funnel.Query) logs.Result {
	return logs.Result{Strategy: p.queries[0].Purpose, Queries: queries}
}

func TestRediscover(t *testing.T) {
	errBackend := errors.New("loki: HTTP 500")
	q := func(purpose string) []funnel.Query { return []funnel.Query{{Purpose: purpose}} }
	tests := []struct {
		name       string
		cached     fakePass // the pass with what the source knows
		cachedErr  error
		pinnedErr  error
		wantPinned bool   // a second pass ran with the pins alone, the cache forgotten
		want       string // the purposes of the queries returned
	}{
		{"found with the cache", fakePass{queries: q("cached"), found: true, usedCache: true}, nil, nil, false, "cached"},
		{"nothing, no cache used", fakePass{queries: q("fresh")}, nil, nil, false, "fresh"},
		{"nothing with the cache", fakePass{queries: q("cached"), usedCache: true}, nil, nil, true, "cached,pinned"},
		{"the cached pass failed", fakePass{queries: q("cached"), usedCache: true}, errBackend, nil, false, "cached"},
		{"the second pass failed", fakePass{queries: q("cached"), usedCache: true}, nil, errBackend, true, "cached,pinned"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var passes []string
			forgot := false
			pass := func(d string) (fakePass, error) {
				passes = append(passes, d)
				if d == "known" {
					return tt.cached, tt.cachedErr
				}
				return fakePass{queries: q("pinned"), found: true}, tt.pinnedErr
			}
			res, err := Rediscover(pass, func() string { return "known" }, func() string { return "pinned" }, func() { forgot = true })
			wantPasses := []string{"known"}
			if tt.wantPinned {
				wantPasses = append(wantPasses, "pinned")
			}
			if !slices.Equal(passes, wantPasses) || forgot != tt.wantPinned {
				t.Errorf("passes %q (cache forgotten %v), want %q", passes, forgot, wantPasses)
			}
			var got []string
			for _, q := range res.Queries {
				got = append(got, q.Purpose)
			}
			if strings.Join(got, ",") != tt.want {
				t.Errorf("queries %q, want %s", got, tt.want)
			}
			if wantErr := cmp.Or(tt.cachedErr, tt.pinnedErr); err != wantErr {
				t.Errorf("error %v, want %v", err, wantErr)
			}
			wantPass := wantPasses[len(wantPasses)-1]
			if wantPass == "known" {
				wantPass = tt.cached.queries[0].Purpose
			}
			if err == nil && res.Strategy != wantPass {
				t.Errorf("rendered the %s pass, want the %s one", res.Strategy, wantPass)
			}
		})
	}
}

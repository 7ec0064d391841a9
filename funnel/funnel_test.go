package funnel

import (
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 21, 20, 0, 0, 0, time.UTC)

func TestTimeRange(t *testing.T) {
	r := Last(time.Hour, t0)
	if !r.Start.Equal(t0.Add(-time.Hour)) || !r.End.Equal(t0) || r.Duration() != time.Hour {
		t.Fatalf("Last = %+v", r)
	}
	if got := r.Shift(-30 * time.Minute); !got.Start.Equal(t0.Add(-90*time.Minute)) || got.Duration() != time.Hour {
		t.Errorf("Shift = %+v", got)
	}
	if got := r.Widen(time.Minute); !got.Start.Equal(t0.Add(-61*time.Minute)) || !got.End.Equal(t0.Add(time.Minute)) {
		t.Errorf("Widen = %+v", got)
	}
	tests := []struct {
		at   time.Time
		want bool
	}{
		{r.Start, true}, {r.End, true}, {t0.Add(-time.Minute), true},
		{r.Start.Add(-time.Nanosecond), false}, {r.End.Add(time.Nanosecond), false},
	}
	for _, tt := range tests {
		if got := r.Contains(tt.at); got != tt.want {
			t.Errorf("Contains(%v) = %v, want %v", tt.at, got, tt.want)
		}
	}
}

func TestTimeRangeString(t *testing.T) {
	tests := []struct {
		r    TimeRange
		want string
	}{
		{Last(time.Hour, t0.Add(time.Hour)), "2026-11-21 20:00:00 – 21:00:00 UTC"},
		{Last(time.Hour, t0.Add(4*time.Hour+30*time.Minute)), "2026-11-21 23:30:00 – 2026-11-22 00:30:00 UTC"},
		{Last(time.Hour, t0.In(time.FixedZone("CET", 3600))), "2026-11-21 19:00:00 – 20:00:00 UTC"},
	}
	for _, tt := range tests {
		if got := tt.r.String(); got != tt.want {
			t.Errorf("String = %q, want %q", got, tt.want)
		}
	}
}

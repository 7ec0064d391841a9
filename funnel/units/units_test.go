package units

import (
	"cmp"
	"math"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{850 * time.Microsecond, "850µs"},
		{12300 * time.Microsecond, "12.3ms"},
		{350 * time.Millisecond, "350ms"},
		{1240 * time.Millisecond, "1.24s"},
		{192 * time.Second, "3m12s"},
		{3*time.Hour + 12*time.Minute, "3h12m"},
		{3 * time.Hour, "3h"},
		{30 * 24 * time.Hour, "30d"},
		{-2 * time.Second, "-2.00s"},
	}
	for _, tt := range tests {
		if got := Duration(tt.in); got != tt.want {
			t.Errorf("Duration(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestExhaustion(t *testing.T) {
	tests := []struct {
		in   time.Duration
		want string
	}{
		{-1, "—"},
		{0, "spent"},
		{3*time.Hour + 12*time.Minute, "3h12m"},
	}
	for _, tt := range tests {
		if got := Exhaustion(tt.in); got != tt.want {
			t.Errorf("Exhaustion(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRatios(t *testing.T) {
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"percent", Percent(0.125), "12.5%"},
		{"small percent", Percent(0.00001), "<0.01%"},
		{"negative budget", Percent(-1.5), "-150%"},
		{"unknown percent", Percent(math.NaN()), "?"},
		{"almost all", Percent(0.99996), "100%"},
		{"objective", Objective(0.999), "99.9%"},
		{"objective whole", Objective(0.99), "99%"},
		{"objective 4 nines", Objective(0.9999), "99.99%"},
		{"rate", Rate(12.34), "12.3/s"},
		{"kilo rate", Rate(1234), "1.23k/s"},
		{"unknown rate", Rate(math.NaN()), "?"},
		{"infinite rate", Rate(math.Inf(1)), "?"},
		{"burn", Burn(14.4), "14.4"},
		{"unknown burn", Burn(math.NaN()), "?"},
		{"clock", Clock(time.Date(2026, 11, 21, 20, 41, 7, 123e6, time.FixedZone("X", 3600))), "19:41:07.123"},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, tt.got, tt.want)
		}
	}
}

func TestQuantile(t *testing.T) {
	tests := []struct {
		name    string
		q       Quantile
		text    string
		seconds float64
	}{
		{"measured", Measured(1240 * time.Millisecond), "1.24s", 1.24},
		{"beyond the last bucket", AtLeast(15 * time.Second), ">15.0s", math.Inf(1)},
		{"no requests", Quantile{}, "—", math.NaN()},
		{"measured zero is a value", Measured(0), "0ns", 0},
	}
	for _, tt := range tests {
		if got := tt.q.String(); got != tt.text {
			t.Errorf("%s: String = %q, want %q", tt.name, got, tt.text)
		}
		if got := tt.q.Seconds(); !(got == tt.seconds || math.IsNaN(got) && math.IsNaN(tt.seconds)) {
			t.Errorf("%s: Seconds = %v, want %v", tt.name, got, tt.seconds)
		}
	}
}

func TestQuantileCompare(t *testing.T) {
	s := time.Second
	ordered := []Quantile{{}, Measured(0), Measured(2 * s), AtLeast(2 * s), Measured(3 * s), AtLeast(15 * s)}
	for i, a := range ordered {
		for j, b := range ordered {
			want := cmp.Compare(i, j)
			if got := a.Compare(b); got != want {
				t.Errorf("%v.Compare(%v) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestCount(t *testing.T) {
	for n, want := range map[int]string{0: "0 errors", 1: "1 error", 2: "2 errors"} {
		if got := Count(n, "error"); got != want {
			t.Errorf("Count(%d) = %q, want %q", n, got, want)
		}
	}
}

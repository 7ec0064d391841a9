package sparkline

import (
	"math"
	"testing"
)

func TestRender(t *testing.T) {
	tests := []struct {
		name   string
		values []float64
		width  int
		want   string
	}{
		{"scaled to peak", []float64{0, 1, 2, 4, 8}, 5, "▁▂▃▅█"},
		{"right aligned", []float64{1, 1}, 4, "  ██"},
		{"all zero", []float64{0, 0, 0}, 3, "▁▁▁"},
		{"unknown is blank", []float64{1, math.NaN(), 1}, 3, "█ █"},
		{"beyond the scale", []float64{1, math.Inf(1), 2}, 3, "▅↑█"},
		{"-Inf is blank", []float64{1, math.Inf(-1), 2}, 3, "▅ █"},
		{"beyond wins its bucket", []float64{1, 1, 2, math.Inf(1)}, 2, "█↑"},
		{"fits unpadded", []float64{1, 2}, 2, "▅█"},
		{"averaged buckets", []float64{0, 0, 4, 4}, 2, "▁█"},
		{"no width", []float64{1}, 0, ""},
		{"empty", nil, 3, "   "},
	}
	for _, tt := range tests {
		if got := Render(tt.values, tt.width); got != tt.want {
			t.Errorf("%s: Render(%v, %d) = %q, want %q", tt.name, tt.values, tt.width, got, tt.want)
		}
	}
}

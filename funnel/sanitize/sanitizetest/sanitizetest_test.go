package sanitizetest

import "testing"

func TestSafe(t *testing.T) {
	tests := []struct {
		in   string
		want bool
	}{
		{"plain text", true},
		{"multi\nline", true},
		{"漢字 🔥 ␛ ␀", true},
		{"", true},
		{"a\x1bb", false},
		{"tab\t", false},
		{"cr\r", false},
		{"del\x7f", false},
		{"c1\u0085", false},
		{"raw\x9b", false},
		{"bidi\u202e", false},
		{"isolate\u2066", false},
		{"invalid\xff", false},
	}
	for _, tt := range tests {
		if got := Safe(tt.in); got != tt.want {
			t.Errorf("Safe(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

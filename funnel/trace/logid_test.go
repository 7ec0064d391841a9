package trace

import (
	"regexp"
	"testing"
)

func TestLogIDPattern(t *testing.T) {
	full := "4bf92f3577b34da6a3ce929d0e0e4736"
	short := "00000000000000003ab1c2d3e4f50617"
	cases := []struct {
		id, text string
		whole    bool
		match    []string
		miss     []string
	}{
		{full, "x trace=4BF92F3577B34DA6A3CE929D0E0E4736 y", false, nil, nil},
		{short, "boom 3AB1C2D3E4F50617 failed", false, nil, nil},
		{short, "boom 00000000000000003ab1c2d3e4f50617", false, nil, nil},
		{full, "4bf92f3577b34da6a3ce929d0e0e4736", true, []string{"4BF92F3577B34DA6A3CE929D0E0E4736"}, []string{"x4bf92f3577b34da6a3ce929d0e0e4736"}},
		{short, "3ab1c2d3e4f50617", true, []string{"00000000000000003AB1C2D3E4F50617"}, []string{"13ab1c2d3e4f50617", "000003ab1c2d3e4f506170"}},
	}
	for _, c := range cases {
		re := regexp.MustCompile(LogIDPattern(c.id, c.whole))
		for _, s := range append([]string{c.text}, c.match...) {
			if !re.MatchString(s) {
				t.Errorf("LogIDPattern(%s, %v) = %s does not match %q", c.id, c.whole, re, s)
			}
		}
		for _, s := range c.miss {
			if re.MatchString(s) {
				t.Errorf("LogIDPattern(%s, %v) = %s matches %q", c.id, c.whole, re, s)
			}
		}
	}
	if got := LogIDText(short); got != "3ab1c2d3e4f50617" {
		t.Errorf("LogIDText(%s) = %s", short, got)
	}
	if got := LogIDText(full); got != full {
		t.Errorf("LogIDText(%s) = %s", full, got)
	}
}

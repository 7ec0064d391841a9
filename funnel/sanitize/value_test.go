package sanitize

import (
	"errors"
	"io/fs"
	"reflect"
	"testing"
)

type inner struct {
	Name   string
	Labels map[string]string
}

type answer struct {
	Title    string
	Query    string `sanitize:"text"`
	Lines    []string
	Inner    *inner
	Items    []inner
	Pair     [2]string
	Any      any
	Count    int
	hidden   string
	NilInner *inner
}

func TestValueCleansEveryReachableString(t *testing.T) {
	const dirty = "a\x1b[31mb\tc\nd"
	a := answer{
		Title:  dirty,
		Query:  dirty,
		Lines:  []string{dirty, "clean"},
		Inner:  &inner{Name: dirty, Labels: map[string]string{dirty: dirty, "k": "v"}},
		Items:  []inner{{Name: dirty}},
		Pair:   [2]string{dirty, dirty},
		Any:    dirty,
		Count:  7,
		hidden: dirty,
	}
	a = Value(a)
	line, text := Line(dirty), Text(dirty)
	want := answer{
		Title:  line,
		Query:  text,
		Lines:  []string{line, "clean"},
		Inner:  &inner{Name: line, Labels: map[string]string{line: line, "k": "v"}},
		Items:  []inner{{Name: line}},
		Pair:   [2]string{line, line},
		Any:    line,
		Count:  7,
		hidden: dirty, // not walked: backend text lives in exported fields
	}
	if !reflect.DeepEqual(a, want) {
		t.Errorf("Value gave\n%#v\nwant\n%#v", a, want)
	}
}

func TestValueSharesCleanDataAndNeverWritesItsInput(t *testing.T) {
	clean := &inner{Name: "checkout", Labels: map[string]string{"route": "/api/cart"}}
	if got := Value(clean); got != clean {
		t.Error("clean data was copied")
	}
	dirty := []inner{{Name: "ok"}, {Name: "\x1b[2J", Labels: map[string]string{"k": "\x07"}}}
	got := Value(dirty)
	if dirty[1].Name != "\x1b[2J" || dirty[1].Labels["k"] != "\x07" {
		t.Errorf("the input was written: %#v", dirty)
	}
	if got[1].Name != Line("\x1b[2J") || got[1].Labels["k"] != Line("\x07") || got[0].Name != "ok" {
		t.Errorf("Value = %#v", got)
	}
}

func TestErrorCleansTheMessageAndKeepsTheChain(t *testing.T) {
	err := Error(errors.Join(fs.ErrNotExist, errors.New("tempo: \x1b]52;c;ZWNobw==\x07 body")))
	if got, want := err.Error(), Line(fs.ErrNotExist.Error()+"\ntempo: \x1b]52;c;ZWNobw==\x07 body"); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	if !errors.Is(err, fs.ErrNotExist) {
		t.Error("the cleaned error lost its chain")
	}
	if plain := errors.New("prometheus: 503"); Error(plain) != plain || Error(nil) != nil {
		t.Error("a clean error or nil was wrapped")
	}
}

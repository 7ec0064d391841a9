package ui

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/logs"
	"github.com/redline-tui/redline/funnel/red"
	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/funnel/trace"
)

// hostileSource answers every call with every string field of the answer,
// at any depth, set to hostile text, and fails with it too.
type hostileSource struct{ text string }

func (h hostileSource) Name() string { return h.text }

func (h hostileSource) SLOs(context.Context, funnel.TimeRange) (slo.Report, error) {
	return filled[slo.Report](h.text), errors.New(h.text)
}

func (h hostileSource) Routes(context.Context, red.Query) (red.Report, error) {
	return filled[red.Report](h.text), errors.New(h.text)
}

func (h hostileSource) FindTraces(context.Context, trace.Query) (trace.SearchResult, error) {
	return filled[trace.SearchResult](h.text), errors.New(h.text)
}

func (h hostileSource) Trace(context.Context, string, funnel.TimeRange) (*trace.Trace, error) {
	return filled[*trace.Trace](h.text), errors.New(h.text)
}

func (h hostileSource) TraceLogs(context.Context, logs.Query) (logs.Result, error) {
	return filled[logs.Result](h.text), errors.New(h.text)
}

// filled is a T whose exported strings all hold text, with one element in
// every slice and map and every pointer set.
func filled[T any](text string) T {
	var v T
	fill(reflect.ValueOf(&v).Elem(), text, 0)
	return v
}

func fill(v reflect.Value, text string, depth int) {
	if depth > 8 {
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), text, depth+1)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), text, depth+1)
			}
		}
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(v.Index(0), text, depth+1)
	case reflect.Map:
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, text, depth+1)
		fill(e, text, depth+1)
		v.Set(reflect.MakeMap(v.Type()))
		v.SetMapIndex(k, e)
	}
}

// unsafeString returns the first string reachable from v that is not safe
// for a terminal, and whether there is one.
func unsafeString(v reflect.Value) (string, bool) {
	switch v.Kind() {
	case reflect.String:
		return v.String(), !sanitizetest.Safe(v.String())
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			return unsafeString(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if s, bad := unsafeString(v.Field(i)); bad {
				return s, true
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if s, bad := unsafeString(v.Index(i)); bad {
				return s, true
			}
		}
	case reflect.Map:
		for _, k := range v.MapKeys() {
			if s, bad := unsafeString(k); bad {
				return s, true
			}
			if s, bad := unsafeString(v.MapIndex(k)); bad {
				return s, true
			}
		}
	}
	return "", false
}

// TestSourcesReachPanesOnlyCleaned: whatever string of whatever answer a
// backend fills with hostile text, the panes receive it cleaned, and the
// error and the backend's name too.
func TestSourcesReachPanesOnlyCleaned(t *testing.T) {
	corpus, err := sanitizetest.Corpus()
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i, text := range corpus {
		opts := cleanSources(Options{Sources: Sources{Metrics: hostileSource{text}, Traces: hostileSource{text}, Logs: hostileSource{text}}})
		answers := map[string]func() (any, error){
			"SLOs":       func() (any, error) { return opts.Metrics.SLOs(ctx, funnel.TimeRange{}) },
			"Routes":     func() (any, error) { return opts.Metrics.Routes(ctx, red.Query{Service: text}) },
			"FindTraces": func() (any, error) { return opts.Traces.FindTraces(ctx, trace.Query{}) },
			"Trace":      func() (any, error) { return opts.Traces.Trace(ctx, text, funnel.TimeRange{}) },
			"TraceLogs":  func() (any, error) { return opts.Logs.TraceLogs(ctx, logs.Query{}) },
		}
		for method, call := range answers {
			answer, err := call()
			if s, bad := unsafeString(reflect.ValueOf(answer)); bad {
				t.Errorf("corpus %d: %s answered unsafe text %q", i, method, s)
			}
			if !sanitizetest.Safe(err.Error()) {
				t.Errorf("corpus %d: %s failed with unsafe text %q", i, method, err)
			}
		}
		for _, name := range []string{opts.Metrics.Name(), opts.Traces.Name(), opts.Logs.Name()} {
			if !sanitizetest.Safe(name) {
				t.Errorf("corpus %d: unsafe backend name %q", i, name)
			}
		}
	}
}

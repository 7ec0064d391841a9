package sanitize

import (
	"reflect"
	"sync"
)

// Value cleans, in place, every string reachable from ptr, a non-nil
// pointer to an answer decoded from a backend: each becomes Line(s), or
// Text(s) in a struct field tagged `sanitize:"text"` (multi-line text such
// as a query). It follows pointers, exported struct fields, slices, arrays,
// maps (keys and values) and interfaces, and skips what cannot hold a
// string. It writes only the strings that change, so clean data shared
// between goroutines is only read.
func Value(ptr any) {
	v := reflect.ValueOf(ptr)
	if v.Kind() != reflect.Pointer {
		panic("sanitize: Value needs a pointer, got " + v.Kind().String())
	}
	walk(v, false)
}

// walk cleans the strings of v (text: keep newlines) and reports whether it
// changed any.
func walk(v reflect.Value, text bool) bool {
	if !holdsText(v.Type()) {
		return false
	}
	switch v.Kind() {
	case reflect.String:
		return setClean(v, text)
	case reflect.Pointer:
		return !v.IsNil() && walk(v.Elem(), text)
	case reflect.Interface:
		return !v.IsNil() && walkCopy(v, v.Elem(), text)
	case reflect.Struct:
		return walkFields(v)
	case reflect.Slice, reflect.Array:
		changed := false
		for i := range v.Len() {
			changed = walk(v.Index(i), text) || changed
		}
		return changed
	case reflect.Map:
		return walkMap(v, text)
	}
	return false
}

func setClean(v reflect.Value, text bool) bool {
	s := v.String()
	c := clean(s, text)
	if c == s {
		return false
	}
	v.SetString(c)
	return true
}

// walkCopy cleans a copy of elem, which cannot be set in place (the value
// in an interface), and stores it in v when it changed.
func walkCopy(v, elem reflect.Value, text bool) bool {
	c := reflect.New(elem.Type()).Elem()
	c.Set(elem)
	if !walk(c, text) {
		return false
	}
	v.Set(c)
	return true
}

func walkFields(v reflect.Value) bool {
	changed := false
	t := v.Type()
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() {
			changed = walk(v.Field(i), f.Tag.Get("sanitize") == "text") || changed
		}
	}
	return changed
}

// walkMap cleans keys and values; a key that changes is replaced.
func walkMap(v reflect.Value, text bool) bool {
	changed := false
	for _, k := range v.MapKeys() {
		ck := reflect.New(k.Type()).Elem()
		ck.Set(k)
		cv := reflect.New(v.Type().Elem()).Elem()
		cv.Set(v.MapIndex(k))
		keyChanged, valueChanged := walk(ck, text), walk(cv, text)
		if keyChanged {
			v.SetMapIndex(k, reflect.Value{})
		}
		if keyChanged || valueChanged {
			v.SetMapIndex(ck, cv)
			changed = true
		}
	}
	return changed
}

// texty caches, per type, whether a value of it can hold a string Value
// cleans, so numbers, times and their slices are skipped whole.
var texty sync.Map // reflect.Type → bool

func holdsText(t reflect.Type) bool {
	if known, ok := texty.Load(t); ok {
		return known.(bool)
	}
	texty.Store(t, true) // a recursive type holds text if any part does
	holds := typeHoldsText(t)
	texty.Store(t, holds)
	return holds
}

func typeHoldsText(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.String, reflect.Interface:
		return true
	case reflect.Pointer, reflect.Slice, reflect.Array:
		return holdsText(t.Elem())
	case reflect.Map:
		return holdsText(t.Key()) || holdsText(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && holdsText(f.Type) {
				return true
			}
		}
	}
	return false
}

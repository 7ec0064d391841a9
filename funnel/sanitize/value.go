package sanitize

import (
	"reflect"
	"sync"
)

// Value returns v, an answer decoded from a backend, with every string
// reachable from it cleaned: each becomes Line(s), or Text(s) in a struct
// field tagged `sanitize:"text"` (multi-line text such as a query). It
// follows pointers, exported struct fields, slices, arrays, maps (keys and
// values) and interfaces, and skips what cannot hold a string. v itself is
// never written: what holds a string that changes is copied, the rest is
// shared, so clean data costs no allocation and answers shared between
// goroutines stay as they are.
func Value[T any](v T) T { return ValueScrubbed(v, nil) }

// ValueScrubbed is Value with secrets scrubbed from every string too
// (see Secrets.Line and Secrets.Text).
func ValueScrubbed[T any](v T, secrets *Secrets) T {
	in := reflect.ValueOf(&v).Elem()
	if c := cleanerOf(in.Type(), false); c != nil {
		if out, changed := c(in, secrets); changed {
			in.Set(out)
		}
	}
	return v
}

// cleaner returns v cleaned and whether that differs from v; when it does
// not, it returns v. It is built once per type (see compile), so the walk
// reads no tags and looks nothing up.
type cleaner func(v reflect.Value, secrets *Secrets) (reflect.Value, bool)

type cleanerKey struct {
	t    reflect.Type
	text bool
}

var cleaners sync.Map // cleanerKey → cleaner, nil when the type holds no string

func cleanerOf(t reflect.Type, text bool) cleaner {
	key := cleanerKey{t, text}
	if c, ok := cleaners.Load(key); ok {
		return c.(cleaner)
	}
	c := compiler{building: map[cleanerKey]*cleaner{}}.compile(t, text)
	cleaners.Store(key, c)
	return c
}

// compiler builds the cleaner of a type; building holds the types being
// built, so a recursive type refers to its own cleaner.
type compiler struct{ building map[cleanerKey]*cleaner }

func (cp compiler) compile(t reflect.Type, text bool) cleaner {
	key := cleanerKey{t, text}
	if c, ok := cp.building[key]; ok {
		return func(v reflect.Value, sc *Secrets) (reflect.Value, bool) { return (*c)(v, sc) }
	}
	c := new(cleaner)
	cp.building[key] = c
	defer delete(cp.building, key)
	switch t.Kind() {
	case reflect.String:
		*c = stringCleaner(text)
	case reflect.Interface:
		*c = interfaceCleaner(text)
	case reflect.Pointer:
		*c = pointerCleaner(cp.compile(t.Elem(), text))
	case reflect.Struct:
		*c = cp.structCleaner(t)
	case reflect.Slice, reflect.Array:
		*c = elemsCleaner(cp.compile(t.Elem(), text))
	case reflect.Map:
		*c = mapCleaner(cp.compile(t.Key(), text), cp.compile(t.Elem(), text))
	}
	return *c
}

func stringCleaner(text bool) cleaner {
	return func(v reflect.Value, sc *Secrets) (reflect.Value, bool) {
		s := v.String()
		c := sc.Scrub(clean(s, text))
		if c == s {
			return v, false
		}
		out := reflect.New(v.Type()).Elem()
		out.SetString(c)
		return out, true
	}
}

func interfaceCleaner(text bool) cleaner {
	return func(v reflect.Value, sc *Secrets) (reflect.Value, bool) {
		if v.IsNil() {
			return v, false
		}
		c := cleanerOf(v.Elem().Type(), text)
		if c == nil {
			return v, false
		}
		elem, changed := c(v.Elem(), sc)
		if !changed {
			return v, false
		}
		return settable(v.Type(), elem), true
	}
}

func pointerCleaner(elem cleaner) cleaner {
	if elem == nil {
		return nil
	}
	return func(v reflect.Value, sc *Secrets) (reflect.Value, bool) {
		if v.IsNil() {
			return v, false
		}
		e, changed := elem(v.Elem(), sc)
		if !changed {
			return v, false
		}
		p := reflect.New(v.Type().Elem())
		p.Elem().Set(e)
		return p, true
	}
}

// settable is value as a settable value of type t.
func settable(t reflect.Type, value reflect.Value) reflect.Value {
	out := reflect.New(t).Elem()
	out.Set(value)
	return out
}

type fieldCleaner struct {
	index int
	clean cleaner
}

func (cp compiler) structCleaner(t reflect.Type) cleaner {
	var fields []fieldCleaner
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		if c := cp.compile(f.Type, f.Tag.Get("sanitize") == "text"); c != nil {
			fields = append(fields, fieldCleaner{i, c})
		}
	}
	if len(fields) == 0 {
		return nil
	}
	return func(v reflect.Value, sc *Secrets) (reflect.Value, bool) {
		var out reflect.Value
		for _, f := range fields {
			field, changed := f.clean(v.Field(f.index), sc)
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = settable(v.Type(), v)
			}
			out.Field(f.index).Set(field)
		}
		return orSame(out, v)
	}
}

func elemsCleaner(elem cleaner) cleaner {
	if elem == nil {
		return nil
	}
	return func(v reflect.Value, sc *Secrets) (reflect.Value, bool) {
		var out reflect.Value
		for i := range v.Len() {
			e, changed := elem(v.Index(i), sc)
			if !changed {
				continue
			}
			if !out.IsValid() {
				out = copyElems(v)
			}
			out.Index(i).Set(e)
		}
		return orSame(out, v)
	}
}

// orSame is out and true when a change made it, else v and false.
func orSame(out, v reflect.Value) (reflect.Value, bool) {
	if !out.IsValid() {
		return v, false
	}
	return out, true
}

// copyElems is a settable copy of the slice or array v.
func copyElems(v reflect.Value) reflect.Value {
	if v.Kind() == reflect.Array {
		return settable(v.Type(), v)
	}
	out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
	reflect.Copy(out, v)
	return out
}

// mapCleaner returns a new map when a key or a value changes.
func mapCleaner(key, value cleaner) cleaner {
	if key == nil && value == nil {
		return nil
	}
	same := func(v reflect.Value, _ *Secrets) (reflect.Value, bool) { return v, false }
	if key == nil {
		key = same
	}
	if value == nil {
		value = same
	}
	return func(v reflect.Value, sc *Secrets) (reflect.Value, bool) {
		var out reflect.Value
		for iter := v.MapRange(); iter.Next(); {
			k, keyChanged := key(iter.Key(), sc)
			e, valueChanged := value(iter.Value(), sc)
			if !keyChanged && !valueChanged {
				continue
			}
			if !out.IsValid() {
				out = reflect.MakeMapWithSize(v.Type(), v.Len())
				for all := v.MapRange(); all.Next(); {
					out.SetMapIndex(all.Key(), all.Value())
				}
			}
			out.SetMapIndex(iter.Key(), reflect.Value{})
			out.SetMapIndex(k, e)
		}
		return orSame(out, v)
	}
}

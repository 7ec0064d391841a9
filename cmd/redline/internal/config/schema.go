package config

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

// fileSchema is the type whose yaml tags define the known keys.
var fileSchema = reflect.TypeOf(File{})

// checkKeys walks node against the Go type t and reports the first key that
// t does not know, with its line and the closest known key. Maps (contexts,
// headers) accept any key; their values are checked against the element type.
func checkKeys(file string, node *yaml.Node, t reflect.Type, path string) error {
	t = deref(t)
	if m, ok := inlineMap(t); ok { // e.g. http_headers: any header name
		t = m
	}
	switch {
	case t.Kind() == reflect.Map && node.Kind == yaml.MappingNode:
		for i := 0; i+1 < len(node.Content); i += 2 {
			key := node.Content[i].Value
			if err := checkKeys(file, node.Content[i+1], t.Elem(), join(path, key)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Slice && node.Kind == yaml.SequenceNode:
		for i, item := range node.Content {
			if err := checkKeys(file, item, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	case t.Kind() == reflect.Struct && node.Kind == yaml.MappingNode && !opaque(t):
		return checkStruct(file, node, t, path)
	}
	return nil
}

func checkStruct(file string, node *yaml.Node, t reflect.Type, path string) error {
	fields := knownFields(t)
	for i := 0; i+1 < len(node.Content); i += 2 {
		k := node.Content[i]
		ft, ok := fields[k.Value]
		if !ok {
			return &Error{
				File: file, Key: join(path, k.Value), Line: k.Line,
				Msg: "unknown key",
				Fix: suggest(k.Value, fields),
			}
		}
		if err := checkKeys(file, node.Content[i+1], ft, join(path, k.Value)); err != nil {
			return err
		}
	}
	return nil
}

// opaque types decode themselves from scalars (Duration, secrets, URLs).
func opaque(t reflect.Type) bool {
	return t.PkgPath() == "net/url" || t.Name() == "URL" || t.Name() == "Duration"
}

// knownFields maps yaml keys of t (following inline fields) to their types.
func knownFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		name, opts, _ := strings.Cut(tag, ",")
		switch {
		case tag == "-" || !f.IsExported():
			continue
		case strings.Contains(opts, "inline"):
			for k, v := range knownFields(deref(f.Type)) {
				out[k] = v
			}
			continue
		case name == "":
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// inlineMap is the map type of a struct that is only an inline map (such
// as http_headers' Headers), whose keys are free.
func inlineMap(t reflect.Type) (reflect.Type, bool) {
	if t.Kind() != reflect.Struct || t.NumField() != 1 {
		return nil, false
	}
	f := t.Field(0)
	_, opts, _ := strings.Cut(f.Tag.Get("yaml"), ",")
	if !strings.Contains(opts, "inline") || f.Type.Kind() != reflect.Map {
		return nil, false
	}
	return f.Type, true
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// suggest names the closest known key, or lists them all.
func suggest(key string, fields map[string]reflect.Type) string {
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Strings(names)
	best, bestDist := "", len(key)/2+2
	for _, n := range names {
		if d := editDistance(key, n); d < bestDist {
			best, bestDist = n, d
		}
	}
	if best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	return "known keys: " + strings.Join(names, ", ")
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// applyHTTPDefaults gives endpoints Prometheus' HTTP defaults
// (follow_redirects and enable_http2 true) unless the file sets them: the
// inline decoding bypasses prometheus/common's own defaulting.
func applyHTTPDefaults(root *yaml.Node, f *File) {
	for name, c := range f.Contexts {
		if c == nil {
			continue
		}
		for _, s := range c.Sections() {
			n, h := lookup(root, "contexts", name, s.Key), &s.Endpoint.HTTP
			h.FollowRedirects = !has(n, "follow_redirects") || h.FollowRedirects
			h.EnableHTTP2 = !has(n, "enable_http2") || h.EnableHTTP2
		}
	}
}

// lookup follows mapping keys from n; nil when a key is absent.
func lookup(n *yaml.Node, keys ...string) *yaml.Node {
	for _, k := range keys {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == k {
				next = n.Content[i+1]
			}
		}
		n = next
	}
	return n
}

func has(n *yaml.Node, key string) bool { return lookup(n, key) != nil }

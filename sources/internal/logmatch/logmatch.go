// Package logmatch is what the log sources (Loki, VictoriaLogs) share to
// find a trace's lines: which of the candidate names of a service field a
// backend holds, which of its values name the trace's services, and how the
// outcome is put in words.
package logmatch

import (
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Present keeps the candidates that appear in names, in candidate order.
func Present(candidates, names []string) []string {
	var out []string
	for _, c := range candidates {
		if slices.Contains(names, c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

// MatchServices returns the values that name one of services, spelt as the
// backend spells them: exact matches, else case-insensitive ones.
func MatchServices(values, services []string) []string {
	var out []string
	for _, svc := range services {
		var hit string
		for _, v := range values {
			if v == svc {
				hit = v
				break
			}
			if hit == "" && strings.EqualFold(v, svc) {
				hit = v
			}
		}
		if hit != "" && !slices.Contains(out, hit) {
			out = append(out, hit)
		}
	}
	return out
}

// UsableServices drops empty, repeated and non-UTF-8 service names: none
// can name a log stream, and an empty one would select every stream.
func UsableServices(services []string) []string {
	var out []string
	for _, s := range services {
		if s != "" && utf8.ValidString(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// CountWords renders words with their counts in order of first appearance:
// "a (3), b (1)".
func CountWords(words []string) string {
	var order []string
	counts := map[string]int{}
	for _, w := range words {
		if counts[w] == 0 {
			order = append(order, w)
		}
		counts[w]++
	}
	parts := make([]string, len(order))
	for i, w := range order {
		parts[i] = fmt.Sprintf("%s (%d)", w, counts[w])
	}
	return strings.Join(parts, ", ")
}

// AppendNew appends the non-empty items not already in list.
func AppendNew(list []string, items ...string) []string {
	for _, it := range items {
		if it != "" && !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

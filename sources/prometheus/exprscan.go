package prometheus

import (
	"strconv"
	"strings"
)

// exprSelector is a metric selector found in a PromQL expression: the
// metric's name and the matchers in its braces.
type exprSelector struct {
	metric   string
	matchers []matcher
}

// selectorsIn lists the named selectors of expr, e.g.
// slo:sli_error:ratio_rate5m{sloth_service="shop"} of an alerting rule. It
// is a scanner, not a parser: it skips string literals, numbers, ranges and
// function calls, and reads the braces after a name. Function and keyword
// names (sum, by, and…) come out as selectors too; callers look the names
// up among known metrics. Text it cannot read ends the scan.
func selectorsIn(expr string) []exprSelector {
	var out []exprSelector
	s := scanner{src: expr}
	for s.more() {
		switch c := s.peek(); {
		case c == '"' || c == '\'' || c == '`':
			if _, ok := s.literal(); !ok {
				return out
			}
		case c == '[':
			s.skipPast(']')
		case isDigit(c) || c == '.':
			s.word(func(c byte) bool { return isNameByte(c) || c == '.' })
		case isNameStart(c):
			sel, ok := s.selector()
			if !ok {
				return out
			}
			out = append(out, sel)
		case c == '{':
			if _, ok := s.matchers(); !ok { // {__name__=…}: not a named selector
				return out
			}
		default:
			s.pos++
		}
	}
	return out
}

// scanner walks a PromQL expression byte by byte.
type scanner struct {
	src string
	pos int
}

func (s *scanner) more() bool { return s.pos < len(s.src) }
func (s *scanner) peek() byte { return s.src[s.pos] }

func (s *scanner) skipSpace() {
	for s.more() && strings.IndexByte(" \t\r\n", s.peek()) >= 0 {
		s.pos++
	}
}

func (s *scanner) skipPast(c byte) {
	if i := strings.IndexByte(s.src[s.pos:], c); i >= 0 {
		s.pos += i + 1
		return
	}
	s.pos = len(s.src)
}

// word consumes the bytes for which in holds.
func (s *scanner) word(in func(byte) bool) string {
	start := s.pos
	for s.more() && in(s.peek()) {
		s.pos++
	}
	return s.src[start:s.pos]
}

// selector reads a name and, when braces follow, its matchers.
func (s *scanner) selector() (exprSelector, bool) {
	sel := exprSelector{metric: s.word(isNameByte)}
	s.skipSpace()
	if !s.more() || s.peek() != '{' {
		return sel, true
	}
	ms, ok := s.matchers()
	sel.matchers = ms
	return sel, ok
}

// matchers reads {label op "value", …} up to its closing brace.
func (s *scanner) matchers() ([]matcher, bool) {
	s.pos++ // {
	var out []matcher
	for {
		s.skipSpace()
		if !s.more() {
			return out, false
		}
		switch c := s.peek(); {
		case c == '}':
			s.pos++
			return out, true
		case c == ',':
			s.pos++
		default:
			m, ok := s.matcher()
			if !ok {
				return out, false
			}
			out = append(out, m)
		}
	}
}

// matcher reads one label matcher; a quoted (UTF-8) label name is read too.
func (s *scanner) matcher() (matcher, bool) {
	var m matcher
	if c := s.peek(); c == '"' || c == '\'' || c == '`' {
		label, ok := s.literal()
		if !ok {
			return m, false
		}
		m.Label = label
	} else if m.Label = s.word(isNameByte); m.Label == "" {
		return m, false
	}
	s.skipSpace()
	for _, op := range []string{"=~", "!~", "!=", "="} {
		if strings.HasPrefix(s.src[s.pos:], op) {
			m.Op = op
			s.pos += len(op)
			break
		}
	}
	s.skipSpace()
	if m.Op == "" || !s.more() {
		return m, false
	}
	value, ok := s.literal()
	m.Value = value
	return m, ok
}

// literal reads a quoted string: "…" and '…' with Go's escapes, `…` raw.
func (s *scanner) literal() (string, bool) {
	q := s.peek()
	end := s.pos + 1
	for end < len(s.src) && s.src[end] != q {
		if s.src[end] == '\\' && q != '`' {
			end++
		}
		end++
	}
	if end >= len(s.src) {
		return "", false
	}
	raw := s.src[s.pos : end+1]
	s.pos = end + 1
	if q == '\'' {
		raw = `"` + strings.ReplaceAll(strings.ReplaceAll(raw[1:len(raw)-1], `\'`, `'`), `"`, `\"`) + `"`
	}
	v, err := strconv.Unquote(raw)
	return v, err == nil
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isNameStart(c byte) bool {
	return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}
func isNameByte(c byte) bool { return isNameStart(c) || isDigit(c) }

package snapshot

import (
	"regexp"
	"strings"

	"github.com/redline-tui/redline/funnel/sanitize"
)

// Mask replaces the value of a deny-listed key.
const Mask = "••••"

// DefaultDenyKeys are the attribute and label keys whose values are always
// masked. A key is denied when, lower-cased and stripped of "-", "_", "."
// and spaces, it contains one of these (so "http.request.header.x-api-key"
// and "X_Auth_Token" are denied).
var DefaultDenyKeys = []string{
	"authorization", "cookie", "set-cookie", "password", "passwd", "secret",
	"token", "api-key", "apikey", "x-api-key", "session", "credentials",
}

// denyList matches keys against normalised deny entries.
type denyList []string

func newDenyList(extra []string) denyList {
	var d denyList
	for _, k := range append(append([]string(nil), DefaultDenyKeys...), extra...) {
		if n := normalizeKey(k); n != "" {
			d = append(d, n)
		}
	}
	return d
}

func normalizeKey(k string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case '-', '_', '.', ' ':
			return -1
		}
		return r
	}, strings.ToLower(k))
}

func (d denyList) denies(key string) bool {
	n := normalizeKey(key)
	for _, k := range d {
		if strings.Contains(n, k) {
			return true
		}
	}
	return false
}

// inlinePair finds key=value, key: value and "key":"value" pairs in free
// text (logfmt, JSON, headers, query strings). An auth scheme such as
// "Bearer abc" is taken whole as the value.
var inlinePair = regexp.MustCompile(`(["']?)([A-Za-z0-9_.\-]+)(["']?)(\s*[=:]\s*)((?i:bearer|basic|digest|token|negotiate)\s+[^\s,;"'&]+|"(?:[^"\\]|\\.)*"|'[^']*'|[^\s,;&"'}\])]+)`)

// maskInline masks the values of denied keys written inside free text.
// After "key: " (a header, or prose such as "invalid credentials: alice
// pw-1") an unquoted value runs to the end of its clause, so a value of
// several words is masked whole rather than its first word only.
func (d denyList) maskInline(s string) string {
	if !strings.ContainsAny(s, "=:") || !d.denies(s) { // no denied key anywhere in s
		return s
	}
	var b strings.Builder
	at := 0
	for _, m := range inlinePair.FindAllStringSubmatchIndex(s, -1) {
		key, sep, value := s[m[4]:m[5]], s[m[8]:m[9]], s[m[10]:m[11]]
		if !d.denies(key) || m[0] < at {
			continue
		}
		end := m[11]
		masked := Mask
		switch {
		case value[0] == '"' || value[0] == '\'':
			masked = string(value[0]) + Mask + string(value[0])
		case strings.Contains(sep, ":") && strings.TrimSpace(sep) != sep && !isAuthScheme(value):
			end += clauseEnd(s[end:])
		}
		b.WriteString(s[at:m[10]])
		b.WriteString(masked)
		at = end
	}
	b.WriteString(s[at:])
	return b.String()
}

// clauseEnd is the length of the rest of a clause: up to ",", ";", "&"
// or a closing bracket.
func clauseEnd(s string) int {
	if i := strings.IndexAny(s, ",;&}])"); i >= 0 {
		return i
	}
	return len(s)
}

// isAuthScheme reports whether a masked value is "Scheme credential".
func isAuthScheme(value string) bool { return strings.ContainsAny(value, " \t") }

// cleaner is the one pass every backend string takes before any format
// sees it: sanitised, scrubbed of secrets, credentials stripped from URLs,
// denied values masked.
type cleaner struct {
	deny    denyList
	secrets *sanitize.Secrets
}

// line cleans one line of text.
func (c cleaner) line(s string) string {
	return c.deny.maskInline(sanitize.StripUserinfo(c.secrets.Line(s)))
}

// text cleans multi-line text (queries), keeping newlines.
func (c cleaner) text(s string) string {
	return c.deny.maskInline(sanitize.StripUserinfo(c.secrets.Text(s)))
}

func (c cleaner) lines(ss []string) []string {
	if ss == nil {
		return nil
	}
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = c.line(s)
	}
	return out
}

// value cleans the value of key: masked when the key is denied.
func (c cleaner) value(key, v string) string {
	if c.deny.denies(key) {
		return Mask
	}
	return c.line(v)
}

func (c cleaner) labels(m map[string]string) map[string]string {
	if m == nil {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[c.line(k)] = c.value(k, v)
	}
	return out
}

func (c cleaner) queries(qs []Query) []Query {
	out := make([]Query, len(qs))
	for i, q := range qs {
		q.Backend, q.Language, q.Purpose, q.NotSent = c.line(q.Backend), c.line(q.Language), c.line(q.Purpose), c.line(q.NotSent)
		q.Text = c.text(q.Text)
		out[i] = q
	}
	return out
}

// clean returns a copy of s with every string cleaned; s is not changed.
func (c cleaner) clean(s Snapshot) Snapshot {
	s.Context, s.Environment = c.line(s.Context), c.line(s.Environment)
	s.Path = c.path(s.Path)
	s.SLO = c.slo(s.SLO)
	s.RED = c.red(s.RED)
	s.Trace = c.trace(s.Trace)
	s.Logs = c.logs(s.Logs)
	s.Links = c.links(s.Links)
	s.Failures = c.failures(s.Failures)
	return s
}

func (c cleaner) path(steps []Step) []Step {
	out := make([]Step, len(steps))
	for i, st := range steps {
		out[i] = Step{Step: c.line(st.Step), Label: c.line(st.Label), How: c.line(st.How)}
	}
	return out
}

func (c cleaner) slo(p *SLO) *SLO {
	if p == nil {
		return nil
	}
	cp := *p
	cp.Service, cp.Name, cp.SLI, cp.Origin = c.line(p.Service), c.line(p.Name), c.line(p.SLI), c.line(p.Origin)
	cp.Caveat, cp.NoDataFrom = c.line(p.Caveat), c.lines(p.NoDataFrom)
	cp.Alerts = append([]Alert(nil), p.Alerts...)
	for i := range cp.Alerts {
		cp.Alerts[i].Name, cp.Alerts[i].Severity = c.line(cp.Alerts[i].Name), c.line(cp.Alerts[i].Severity)
	}
	cp.Windows = append([]Window(nil), p.Windows...)
	for i := range cp.Windows {
		cp.Windows[i].Severity = c.line(cp.Windows[i].Severity)
	}
	cp.Queries, cp.Warnings = c.queries(p.Queries), c.lines(p.Warnings)
	return &cp
}

func (c cleaner) red(p *RED) *RED {
	if p == nil {
		return nil
	}
	cp := *p
	cp.Service, cp.Convention, cp.SelectedRoute = c.line(p.Service), c.line(p.Convention), c.line(p.SelectedRoute)
	cp.Routes = append([]Route(nil), p.Routes...)
	for i := range cp.Routes {
		cp.Routes[i].Route = c.line(cp.Routes[i].Route)
	}
	cp.Queries, cp.Warnings = c.queries(p.Queries), c.lines(p.Warnings)
	return &cp
}

func (c cleaner) trace(p *Trace) *Trace {
	if p == nil {
		return nil
	}
	cp := *p
	cp.TraceID, cp.RootService, cp.RootName = c.line(p.TraceID), c.line(p.RootService), c.line(p.RootName)
	cp.Services, cp.Selection = c.lines(p.Services), c.line(p.Selection)
	cp.PartialReason = c.line(p.PartialReason)
	cp.Spans = append([]SpanRow(nil), p.Spans...)
	for i := range cp.Spans {
		r := &cp.Spans[i]
		r.Service, r.Name, r.Kind, r.SpanID = c.line(r.Service), c.line(r.Name), c.line(r.Kind), c.line(r.SpanID)
		r.Unreported = c.line(r.Unreported)
	}
	cp.TopSelfTime = append([]SelfTime(nil), p.TopSelfTime...)
	for i := range cp.TopSelfTime {
		r := &cp.TopSelfTime[i]
		r.Service, r.Name, r.SpanID = c.line(r.Service), c.line(r.Name), c.line(r.SpanID)
	}
	cp.Errors = c.spanErrors(p.Errors)
	cp.Queries, cp.Warnings = c.queries(p.Queries), c.lines(p.Warnings)
	return &cp
}

func (c cleaner) spanErrors(es []SpanError) []SpanError {
	if es == nil {
		return nil
	}
	out := make([]SpanError, len(es))
	for i, e := range es {
		out[i] = SpanError{Service: c.line(e.Service), Name: c.line(e.Name), SpanID: c.line(e.SpanID), StatusMessage: c.line(e.StatusMessage)}
		for _, a := range e.Attributes {
			out[i].Attributes = append(out[i].Attributes, Attr{Key: c.line(a.Key), Value: c.value(a.Key, a.Value)})
		}
	}
	return out
}

func (c cleaner) logs(p *Logs) *Logs {
	if p == nil {
		return nil
	}
	cp := *p
	cp.Strategy = c.line(p.Strategy)
	cp.Lines = make([]LogLine, len(p.Lines))
	for i, l := range p.Lines {
		l.Level, l.Service, l.Message, l.SpanID = c.line(l.Level), c.line(l.Service), c.line(l.Message), c.line(l.SpanID)
		l.Labels = c.labels(l.Labels)
		cp.Lines[i] = l
	}
	cp.Queries, cp.Warnings = c.queries(p.Queries), c.lines(p.Warnings)
	return &cp
}

func (c cleaner) links(ls []Link) []Link {
	if ls == nil {
		return nil
	}
	out := make([]Link, len(ls))
	for i, l := range ls {
		out[i] = Link{Title: c.line(l.Title), URL: sanitize.StripUserinfo(c.secrets.Line(l.URL))}
	}
	return out
}

func (c cleaner) failures(fs []Failure) []Failure {
	if fs == nil {
		return nil
	}
	out := make([]Failure, len(fs))
	for i, f := range fs {
		out[i] = Failure{Part: c.line(f.Part), Backend: c.line(f.Backend), Error: c.line(f.Error)}
	}
	return out
}

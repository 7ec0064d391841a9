package sanitize

import (
	"encoding/base64"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
	"unicode/utf8"
)

// Redacted stands for a secret scrubbed from text.
const Redacted = "‹redacted›"

// MinInWord is the length in bytes from which a secret is scrubbed wherever
// it appears. A shorter one is scrubbed only as a whole token (not preceded
// or followed by a letter, digit or "_"): scrubbing "pw" inside every word
// would maim the text and, by the holes it leaves, spell the secret out.
const MinInWord = 8

// minCutPrefix is the shortest start of a secret scrubbed where text was
// cut (before "…" or at its end), so a secret cut in half by a shortened
// excerpt does not leave its first half.
const minCutPrefix = 4

// cutMark is the mark of shortened text.
const cutMark = "…"

// Secrets is the set of credentials redline holds (passwords, tokens,
// header values, URL userinfo), scrubbed from backend text before redline
// shows it: each secret and each form a backend can echo it in is replaced
// by Redacted. Those forms are the raw value, what Line makes of it, its
// URL (query and path) and JSON string escapes, and its standard and
// URL-safe base64; AddBasic adds base64("user:password"), the credential
// of a "Basic" header, and the "Basic"/"Bearer" prefix of an echoed header
// stays while its credential goes.
//
// Matches of all secrets are found first and their union replaced, so
// overlapping secrets leave no piece of either; adjacent matches become
// one Redacted. A secret cut short by an excerpt (its first
// minCutPrefix bytes or more, followed by "…") is scrubbed too.
//
// Secrets is safe for concurrent use and only grows; a nil *Secrets holds
// none, so its methods are the plain sanitizer.
type Secrets struct {
	mu       sync.Mutex // serialises Add
	seen     map[string]bool
	patterns atomic.Pointer[compiled] // replaced, never written
}

// compiled are the patterns, longest first, with a filter of their
// first bytes: most text holds none, and one pass over it says so.
type compiled struct {
	patterns []pattern
	starts   [filterBits / 64]uint64 // bit startHash(p.text) of every pattern of 4 bytes or more
	short    bool                    // some pattern is shorter: the filter cannot rule it out
}

// filterBits is the size of the filter of pattern starts.
const filterBits = 1 << 16

// startHash hashes the 4 bytes of s at i.
func startHash(s string, i int) uint32 {
	v := uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
	return (v * 2654435761) >> 16
}

func (c *compiled) set(p pattern) {
	if len(p.text) < 4 {
		c.short = true
		return
	}
	h := startHash(p.text, 0)
	c.starts[h/64] |= 1 << (h % 64)
}

// mayHold reports whether text may hold a pattern: false only when none
// starts anywhere in it.
func (c *compiled) mayHold(text string) bool {
	if c.short {
		return true
	}
	if len(text) < 4 {
		return false
	}
	v := uint32(text[0])<<8 | uint32(text[1])<<16 | uint32(text[2])<<24
	for i := 3; i < len(text); i++ {
		v = v>>8 | uint32(text[i])<<24 // text[i-3:i+1], as startHash reads it
		if h := (v * 2654435761) >> 16; c.starts[h/64]&(1<<(h%64)) != 0 {
			return true
		}
	}
	return false
}

// pattern is one form of a secret.
type pattern struct {
	text  string
	token bool // matched only as a whole token (shorter than MinInWord)
}

// NewSecrets returns an empty set.
func NewSecrets() *Secrets { return &Secrets{seen: map[string]bool{}} }

// Add adds secrets, with their encodings. Empty and blank ones are ignored.
func (s *Secrets) Add(secrets ...string) {
	var forms []string
	for _, v := range secrets {
		if strings.TrimSpace(v) == "" {
			continue
		}
		forms = append(forms, encodings(v)...)
	}
	s.add(forms)
}

// AddBasic adds the password of HTTP basic authentication and the
// credential of its Authorization header, base64("user:password").
func (s *Secrets) AddBasic(user, password string) {
	if password == "" {
		return
	}
	s.Add(password)
	pair := user + ":" + password
	s.add([]string{
		base64.StdEncoding.EncodeToString([]byte(pair)),
		base64.RawStdEncoding.EncodeToString([]byte(pair)),
	})
}

// encodings lists v and the forms it can be echoed in.
func encodings(v string) []string {
	b := []byte(v)
	return []string{
		v, Line(v), strings.TrimSpace(v),
		url.QueryEscape(v), url.PathEscape(v),
		jsonEscape(v, true), jsonEscape(v, false),
		base64.RawStdEncoding.EncodeToString(b), base64.RawURLEncoding.EncodeToString(b),
	}
}

// jsonEscape is v as written inside a JSON string, with <, > and &
// escaped (as Go writes them) or not.
func jsonEscape(v string, html bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(v) // a string always encodes
	quoted := strings.TrimSuffix(b.String(), "\n")
	return quoted[1 : len(quoted)-1]
}

// add adds forms not yet known, keeping the patterns longest first.
func (s *Secrets) add(forms []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[string]bool{}
	}
	var next []pattern
	if old := s.patterns.Load(); old != nil {
		next = slices.Clone(old.patterns)
	}
	for _, f := range forms {
		// Text is scrubbed once cleaned, so valid UTF-8: a form that is
		// not could only match inside a character.
		if strings.TrimSpace(f) == "" || !utf8.ValidString(f) || s.seen[f] {
			continue
		}
		s.seen[f] = true
		next = append(next, pattern{text: f, token: len(f) < MinInWord})
	}
	slices.SortStableFunc(next, func(a, b pattern) int { return len(b.text) - len(a.text) })
	c := &compiled{patterns: next}
	for _, p := range next {
		c.set(p)
	}
	s.patterns.Store(c)
}

func (s *Secrets) current() *compiled {
	if s == nil {
		return nil
	}
	return s.patterns.Load()
}

// Scrub replaces every secret in text by Redacted; it sanitises nothing.
// Text without a secret is returned as is.
func (s *Secrets) Scrub(text string) string {
	c := s.current()
	if c == nil || text == "" || !c.mayHold(text) {
		return text
	}
	var spans []span
	for _, p := range c.patterns {
		spans = p.find(text, spans)
	}
	spans = appendCuts(text, c.patterns, spans)
	if len(spans) == 0 {
		return text
	}
	return replaceSpans(text, spans)
}

// span is the byte range [start, end) of a match.
type span struct{ start, end int }

// find appends the matches of p in text.
func (p pattern) find(text string, spans []span) []span {
	for i := 0; i < len(text); {
		j := strings.Index(text[i:], p.text)
		if j < 0 {
			break
		}
		start, end := i+j, i+j+len(p.text)
		if !p.token || isWholeToken(text, start, end) {
			spans = append(spans, span{start, end})
		}
		_, size := utf8.DecodeRuneInString(text[start:])
		i = start + size
	}
	return spans
}

// isWholeToken reports whether text[start:end] is neither preceded nor
// followed by a word character.
func isWholeToken(text string, start, end int) bool {
	before, _ := utf8.DecodeLastRuneInString(text[:start])
	after, _ := utf8.DecodeRuneInString(text[end:])
	return !(start > 0 && isWordRune(before)) && !(end < len(text) && isWordRune(after))
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// appendCuts appends the starts of secrets that end where text was cut,
// right before "…".
func appendCuts(text string, patterns []pattern, spans []span) []span {
	cut := func(at int) {
		for _, p := range patterns {
			if n := cutPrefix(text[:at], p.text); n > 0 {
				spans = append(spans, span{at - n, at})
				return
			}
		}
	}
	for i := 0; ; {
		j := strings.Index(text[i:], cutMark)
		if j < 0 {
			break
		}
		cut(i + j)
		i += j + len(cutMark)
	}
	return spans
}

// cutPrefix is the length of the longest proper start of secret, at least
// minCutPrefix bytes long, that text ends with; 0 when none.
func cutPrefix(text, secret string) int {
	for n := min(len(secret)-1, len(text)); n >= minCutPrefix; n-- {
		if strings.HasSuffix(text, secret[:n]) {
			return n
		}
	}
	return 0
}

// replaceSpans replaces the union of spans by one Redacted per run.
func replaceSpans(text string, spans []span) string {
	slices.SortFunc(spans, func(a, b span) int { return a.start - b.start })
	var b strings.Builder
	b.Grow(len(text))
	at := 0
	for i := 0; i < len(spans); {
		start, end := spans[i].start, spans[i].end
		for i++; i < len(spans) && spans[i].start <= end; i++ {
			end = max(end, spans[i].end)
		}
		b.WriteString(text[at:start])
		b.WriteString(Redacted)
		at = end
	}
	b.WriteString(text[at:])
	return b.String()
}

// Line is the package's Line, then Scrub.
func (s *Secrets) Line(text string) string { return s.Scrub(Line(text)) }

// Text is the package's Text, then Scrub.
func (s *Secrets) Text(text string) string { return s.Scrub(Text(text)) }

// Error is the package's Error with secrets scrubbed from the message.
func (s *Secrets) Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	if firstOffending(msg, false) == len(msg) && s.Scrub(msg) == msg {
		return err
	}
	return cleanError{err, s}
}

package sanitize

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
)

func TestScrubEachForm(t *testing.T) {
	const user, pw, token = "oncall", `pw-s3cr&t/"x"`, "tok_0123456789abcdef"
	s := NewSecrets()
	s.AddBasic(user, pw)
	s.Add(token)
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pw))
	tests := map[string]string{
		"raw":                "invalid credentials: oncall " + pw,
		"basic header":       "Request headers: Authorization: Basic " + basic,
		"unpadded base64":    "auth=" + strings.TrimRight(basic, "="),
		"bearer header":      "Authorization: Bearer " + token,
		"query escaped":      "GET /?password=" + url.QueryEscape(pw),
		"path escaped":       "GET /u/" + url.PathEscape(pw) + "/x",
		"JSON escaped":       `{"echo":"` + strings.ReplaceAll(pw, `"`, `\"`) + `"}`,
		"JSON HTML escaped":  `{"echo":"pw-s3cr\u0026t/\"x\""}`,
		"base64 of token":    base64.StdEncoding.EncodeToString([]byte(token)),
		"URL-safe base64":    base64.RawURLEncoding.EncodeToString([]byte(pw)),
		"in userinfo":        "http://" + user + ":" + url.QueryEscape(pw) + "@host/",
		"hidden by controls": "x " + token[:5] + "\u200b" + token[5:] + " y",
		"cut by an excerpt":  "body: Bearer " + token[:9] + "… (check credentials)",
	}
	for name, in := range tests {
		t.Run(name, func(t *testing.T) {
			got := s.Line(in)
			for _, leak := range []string{pw, token, basic, strings.TrimRight(basic, "="), url.QueryEscape(pw), token[:9]} {
				if strings.Contains(got, leak) {
					t.Errorf("Line(%q) = %q keeps %q", in, got, leak)
				}
			}
			if !strings.Contains(got, Redacted) {
				t.Errorf("Line(%q) = %q redacts nothing", in, got)
			}
		})
	}
}

func TestScrubKeepsTheRest(t *testing.T) {
	s := NewSecrets()
	s.AddBasic("oncall", "hunter2-long-password")
	s.Add("tok_0123456789abcdef")
	tests := map[string]string{
		"Authorization: Bearer tok_0123456789abcdef, retry": "Authorization: Bearer ‹redacted›, retry",
		"invalid credentials: oncall hunter2-long-password": "invalid credentials: oncall ‹redacted›",
		"no secret here": "no secret here",
		"tok_0123456789abcdeftok_0123456789abcdef": "‹redacted›",
		"": "",
	}
	for in, want := range tests {
		if got := s.Line(in); got != want {
			t.Errorf("Line(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScrubOverlappingSecrets(t *testing.T) {
	s := NewSecrets()
	s.Add("abcdefgh12", "gh12345678", "abcdefgh12345678xyz")
	tests := map[string]string{
		// each overlaps the next: their union goes, not the longest alone
		"[abcdefgh12345678]":      "[‹redacted›]",
		"[abcdefgh12345678xyz]":   "[‹redacted›]",
		"[gh12345678 abcdefgh12]": "[‹redacted› ‹redacted›]",
	}
	for in, want := range tests {
		if got := s.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestScrubShortSecretOnlyAsWholeToken(t *testing.T) {
	s := NewSecrets()
	s.Add("pass")
	tests := map[string]string{
		"password passes compass":    "password passes compass",
		"user=admin pass":            "user=admin ‹redacted›",
		"pw:pass, then pass_word":    "pw:‹redacted›, then pass_word",
		"(pass)":                     "(‹redacted›)",
		"password=pass;x=passé":      "password=‹redacted›;x=passé",
		"Basic " + b64("admin:pass"): "Basic " + b64("admin:pass"), // no user known: see AddBasic
		"pass":                       "‹redacted›",
	}
	for in, want := range tests {
		if got := s.Scrub(in); got != want {
			t.Errorf("Scrub(%q) = %q, want %q", in, got, want)
		}
	}
	s.AddBasic("admin", "pass")
	if got := s.Scrub("Basic " + b64("admin:pass")); got != "Basic ‹redacted›" {
		t.Errorf("AddBasic: the header credential is %q", got)
	}
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func TestScrubIgnoresEmptySecrets(t *testing.T) {
	s := NewSecrets()
	s.Add("", "   ", "\n")
	s.AddBasic("user", "")
	in := "user: with nothing to hide  \n"
	if got := s.Scrub(in); got != in {
		t.Errorf("Scrub(%q) = %q with only empty secrets", in, got)
	}
	var none *Secrets
	if got := none.Line("a\x1bb"); got != "a␛" {
		t.Errorf("a nil Secrets cleans as Line: got %q", got)
	}
}

func TestSecretsError(t *testing.T) {
	s := NewSecrets()
	s.Add("tok_0123456789abcdef")
	base := errors.New("loki: HTTP 401: Bearer tok_0123456789abcdef\x07")
	err := s.Error(fmt.Errorf("step: %w", base))
	if got := err.Error(); got != "step: loki: HTTP 401: Bearer ‹redacted›␇" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(err, base) {
		t.Error("the scrubbed error no longer wraps its cause")
	}
	clean := errors.New("plain")
	if s.Error(clean) != clean || s.Error(nil) != nil {
		t.Error("a clean error, or nil, is not returned as is")
	}
}

func TestValueScrubbed(t *testing.T) {
	type answer struct {
		Labels map[string]string
		Lines  []string
		Query  string `sanitize:"text"`
	}
	s := NewSecrets()
	s.Add("tok_0123456789abcdef")
	in := answer{Labels: map[string]string{"auth": "Bearer tok_0123456789abcdef"}, Lines: []string{"ok", "x tok_0123456789abcdef"}, Query: "a\n\tb"}
	got := ValueScrubbed(in, s)
	if got.Labels["auth"] != "Bearer ‹redacted›" || got.Lines[1] != "x ‹redacted›" || got.Lines[0] != "ok" {
		t.Errorf("ValueScrubbed = %+v", got)
	}
	if in.Labels["auth"] != "Bearer tok_0123456789abcdef" || in.Lines[1] != "x tok_0123456789abcdef" {
		t.Error("ValueScrubbed wrote its input")
	}
}

func TestWriter(t *testing.T) {
	s := NewSecrets()
	var b bytes.Buffer
	w := NewWriter(&b, s)
	s.Add("tok_0123456789abcdef") // secrets added after the Writer are scrubbed too
	for _, piece := range []string{"a\tb Bearer tok_01234", "56789abcdef \x1b]52;c;x\x07\n", "second \u202eline", "\x9b31m"} {
		if _, err := w.Write([]byte(piece)); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	want := "a       b Bearer ‹redacted› ␛\nsecond line␛"
	if b.String() != want {
		t.Errorf("wrote %q, want %q", b.String(), want)
	}
}

func TestWriterLongLine(t *testing.T) {
	var b bytes.Buffer
	w := NewWriter(&b, nil)
	long := strings.Repeat("x", maxPending+10)
	if n, err := w.Write([]byte(long)); err != nil || n != len(long) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if b.Len() < maxPending {
		t.Errorf("a line longer than maxPending is held whole (%d bytes written)", b.Len())
	}
	_ = w.Flush()
	if b.String() != long {
		t.Error("a long line is not written whole")
	}
}

// FuzzScrub checks that no form of a secret survives Secrets.Line and
// that its output is safe for a terminal.
func FuzzScrub(f *testing.F) {
	corpus, err := sanitizetest.Corpus()
	if err != nil {
		f.Fatal(err)
	}
	for _, c := range corpus {
		f.Add(c, "pw-0123456789", "tok")
	}
	f.Add("Authorization: Basic b25jYWxsOnB3LTAxMjM0NTY3ODk=", "pw-0123456789", "oncall")
	f.Add("abcabcabcab", "abcabcab", "cab")
	f.Fuzz(func(t *testing.T, text, secret, user string) {
		s := NewSecrets()
		s.AddBasic(user, secret)
		s.Add(user)
		out := s.Line(text + secret + " " + text)
		if !sanitizetest.Safe(out) || strings.Contains(out, "\n") {
			t.Fatalf("Line output %q is not one safe line", out)
		}
		// Redacted itself is public: a secret made partly of it is not
		// leaked by it, so only the text between redactions is checked.
		// A secret shorter than MinInWord is scrubbed only as a whole
		// token, so forms holding it as is are not checked. A form that
		// is not valid UTF-8 (a binary credentials file) is scrubbed in its
		// encoded forms only: cleaning has replaced its invalid bytes, so
		// its bytes can remain only inside other characters.
		var forms []string
		for _, form := range sanitizetest.SecretForms(user, secret) {
			short := len(secret) < MinInWord && strings.Contains(form, secret)
			// base64 forms are matched without their padding, and so
			// as whole tokens when that is short.
			long := len(strings.TrimRight(form, "=")) >= MinInWord
			if long && strings.TrimSpace(form) == form && !short && utf8.ValidString(form) {
				forms = append(forms, form)
			}
		}
		for _, piece := range strings.Split(out, Redacted) {
			if leak := sanitizetest.Leaked(piece, forms); leak != "" {
				t.Fatalf("Line(%q) = %q keeps %q", text, out, leak)
			}
		}
	})
}

// BenchmarkScrubClean is the cost the scrubber adds to a string with no
// secret in it, with the secrets of a typical context configured: it runs
// on every string of every answer.
func BenchmarkScrubClean(b *testing.B) {
	s := NewSecrets()
	s.AddBasic("oncall", "hunter2-correct-horse")
	s.Add("glc_eyJvIjoiMTIzNDU2NyIsIm4iOiJyZWRsaW5lIiwiayI6IjEyMzQ1Njc4OTAifQ==", "x-api-key-0123456789abcdef", "tok-0123456789")
	text := `{"level":"info","msg":"GET /api/cart 200 in 12ms","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}`
	b.ReportAllocs()
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		_ = s.Scrub(text)
	}
}

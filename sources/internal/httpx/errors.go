package httpx

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/redline-tui/redline/sources/budget"
)

// StatusError is a non-2xx answer.
type StatusError struct {
	Backend    string
	Code       int
	Message    string        // the backend's own message, from a JSON error body or the plain body, shortened
	RetryAfter time.Duration // from Retry-After on 429/503, 0 when absent
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("%s: HTTP %d %s", e.Backend, e.Code, http.StatusText(e.Code))
	if e.Message != "" {
		s += ": " + e.Message
	}
	if hint := statusHint(e.Code); hint != "" {
		s += " (" + hint + ")"
	}
	if e.RetryAfter > 0 {
		s += fmt.Sprintf("; retry after %s", e.RetryAfter)
	}
	return s
}

func statusHint(code int) string {
	switch code {
	case http.StatusUnauthorized:
		return "check credentials, or the tenant (X-Scope-OrgID) in config"
	case http.StatusForbidden:
		return "the credentials lack access to this tenant or API"
	case http.StatusNotFound:
		return "check the URL and path prefix"
	case http.StatusTooManyRequests:
		return "rate limited by the backend"
	}
	return ""
}

// maxMessage bounds how much of a backend's own message is quoted: an
// excerpt, cut with "…". Redline scrubs configured secrets from it where
// it shows it (funnel/sanitize.Secrets), including a secret cut short by
// the "…".
const maxMessage = 300

// Excerpt is how a backend's own message (an error body, a gRPC status, a
// readiness answer) is quoted: on one line, at most maxMessage bytes.
func Excerpt(s string) string {
	return Shorten(strings.Join(strings.Fields(s), " "), maxMessage)
}

// NewStatusError builds a StatusError from a response and its (capped) body.
func NewStatusError(backend string, resp *http.Response, body []byte) *StatusError {
	return &StatusError{
		Backend:    backend,
		Code:       resp.StatusCode,
		Message:    bodyMessage(body),
		RetryAfter: retryAfter(resp.Header.Get("Retry-After")),
	}
}

// bodyMessage extracts a readable message: the "error"/"message" field of a
// JSON body, else the body itself, on one line and shortened. The caller's
// UI sanitises it before display.
func bodyMessage(body []byte) string {
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	msg := strings.TrimSpace(string(body))
	if json.Unmarshal(body, &env) == nil {
		var s string
		switch {
		case json.Unmarshal(env.Error, &s) == nil && s != "":
			msg = s
		case env.Message != "":
			msg = env.Message
		}
	}
	return Excerpt(msg)
}

// Shorten cuts s to at most n bytes, on a rune boundary, marking the cut
// with "…": for quoting backend text or long queries in error messages.
func Shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func retryAfter(v string) time.Duration {
	if v == "" {
		return 0
	}
	if secs, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && secs > 0 {
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d.Round(time.Second)
		}
	}
	return 0
}

// Describe turns a transport error into one that names the backend and the
// cause in words: refused, timed out, cancelled, DNS, TLS, body too large,
// response budget used up; a refused redirect keeps its own message.
// The request URL (which can be long and hold query text) is left out of
// the message; the error chain is kept for errors.Is and errors.As.
func Describe(backend string, err error) error {
	if err == nil {
		return nil
	}
	var redirect *RedirectError
	if errors.As(err, &redirect) {
		return &describedError{msg: redirect.Error(), err: err}
	}
	detail := err
	var ue *url.Error
	if errors.As(err, &ue) {
		detail = ue.Err
	}
	return &describedError{msg: fmt.Sprintf("%s: %s: %v", backend, cause(err), detail), err: err}
}

// describedError is a transport error put in words.
type describedError struct {
	msg string
	err error
}

func (e *describedError) Error() string { return e.msg }
func (e *describedError) Unwrap() error { return e.err }

func cause(err error) string {
	var (
		dnsErr   *net.DNSError
		unknown  x509.UnknownAuthorityError
		hostname x509.HostnameError
		recErr   tls.RecordHeaderError
		tooLarge *TooLargeError
		spent    *budget.ExhaustedError
		netErr   net.Error
	)
	switch {
	case errors.As(err, &spent):
		return "answer refused"
	case errors.Is(err, context.Canceled):
		return "request cancelled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timed out"
	case errors.Is(err, syscall.ECONNREFUSED):
		return "connection refused (is it running, and is the address right?)"
	case errors.Is(err, syscall.ECONNRESET):
		return "connection reset by the server"
	case errors.As(err, &tooLarge):
		return "answer too large"
	case errors.Is(err, io.ErrUnexpectedEOF):
		return "answer cut short (the connection closed mid-answer)"
	case errors.As(err, &dnsErr):
		return "host not found"
	case errors.As(err, &unknown):
		return "TLS certificate signed by an unknown authority (set tls_config.ca_file)"
	case errors.As(err, &hostname):
		return "TLS certificate does not match the host name"
	case errors.As(err, &recErr):
		return "TLS handshake failed (is the server speaking plain HTTP?)"
	case errors.As(err, &netErr) && netErr.Timeout():
		return "timed out"
	}
	return "request failed"
}

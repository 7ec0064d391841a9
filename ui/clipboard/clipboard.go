// Package clipboard delivers a snapshot to the user: it always writes the
// text atomically to a file under the state directory, then copies it to
// the terminal's clipboard with OSC 52 (wrapped for tmux and GNU screen,
// under a size cap), so nothing is lost when a terminal drops the
// clipboard write.
package clipboard

import (
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"strings"
)

// DefaultMaxEncoded is the largest base64 payload copied, in bytes: the
// limit k9s and many terminals use for OSC 52.
const DefaultMaxEncoded = 74994

// screenChunk is the most bytes GNU screen passes through in one DCS string.
const screenChunk = 768

// Env describes the terminal the sequence goes to.
type Env struct {
	TMUX string // $TMUX: set when running inside tmux
	TERM string // $TERM: "screen…" inside GNU screen (when not in tmux)
	// MaxEncoded caps the base64 payload in bytes; 0 means
	// DefaultMaxEncoded.
	MaxEncoded int
}

// EnvFromOS reads TMUX and TERM from the environment.
func EnvFromOS() Env {
	return Env{TMUX: os.Getenv("TMUX"), TERM: os.Getenv("TERM")}
}

// TooLargeError says the text is over the clipboard cap.
type TooLargeError struct {
	Encoded, Max int // base64 bytes
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("too large for the terminal clipboard: %d bytes encoded, over the %d-byte OSC 52 limit; use the saved file instead", e.Encoded, e.Max)
}

// Copy writes text to w as an OSC 52 clipboard write for the terminal env
// describes: inside tmux wrapped in a tmux passthrough (tmux needs
// "set -g allow-passthrough on", or handles OSC 52 itself with
// "set -g set-clipboard on"), inside GNU screen split into DCS strings.
// Text over the size cap is not written and gives a *TooLargeError.
func Copy(w io.Writer, text string, env Env) error {
	seq, err := Sequence(text, env)
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, seq); err != nil {
		return fmt.Errorf("clipboard: write OSC 52: %w", err)
	}
	return nil
}

// Sequence returns the escape sequence Copy writes, for a program that
// owns the terminal and writes it itself (Bubble Tea: tea.Raw).
func Sequence(text string, env Env) (string, error) {
	limit := env.MaxEncoded
	if limit <= 0 {
		limit = DefaultMaxEncoded
	}
	encoded := base64.StdEncoding.EncodeToString([]byte(text))
	if len(encoded) > limit {
		return "", &TooLargeError{Encoded: len(encoded), Max: limit}
	}
	osc := "\x1b]52;c;" + encoded + "\a"
	switch {
	case env.TMUX != "":
		return tmuxPassthrough(osc), nil
	case strings.HasPrefix(env.TERM, "screen"):
		return screenPassthrough(osc), nil
	}
	return osc, nil
}

// tmuxPassthrough wraps seq in a tmux DCS passthrough, doubling its ESCs.
func tmuxPassthrough(seq string) string {
	return "\x1bPtmux;" + strings.ReplaceAll(seq, "\x1b", "\x1b\x1b") + "\x1b\\"
}

// screenPassthrough splits seq into DCS strings of at most screenChunk
// bytes each, which GNU screen forwards to the outer terminal in order.
func screenPassthrough(seq string) string {
	var b strings.Builder
	for len(seq) > 0 {
		n := min(len(seq), screenChunk)
		b.WriteString("\x1bP" + seq[:n] + "\x1b\\")
		seq = seq[n:]
	}
	return b.String()
}

package sanitize

import (
	"bytes"
	"io"
	"strings"
	"sync"
)

// maxPending bounds the text a Writer holds while waiting for the end of a
// line; a longer line is cleaned and written in pieces.
const maxPending = 64 << 10

// Writer is the boundary of a stream redline prints (stdout, stderr, an
// audit log): every line written through it is cleaned by Line, tabs
// expanded, and scrubbed of secrets. It holds a line until its newline, so a
// secret written in two pieces is still seen whole; Flush writes a last
// line without one. It is safe for concurrent use.
type Writer struct {
	mu      sync.Mutex
	w       io.Writer
	secrets *Secrets
	pending []byte
}

// NewWriter puts a boundary in front of w; secrets may be nil, and may
// grow while the Writer is used.
func NewWriter(w io.Writer, secrets *Secrets) *Writer {
	return &Writer{w: w, secrets: secrets}
}

// Write cleans and writes every complete line of p; it reports len(p)
// unless the underlying writer fails.
func (w *Writer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.pending = append(w.pending, p...)
	for {
		i := bytes.IndexByte(w.pending, '\n')
		if i < 0 && len(w.pending) < maxPending {
			return len(p), nil
		}
		line, rest := w.pending, []byte(nil)
		if i >= 0 {
			line, rest = w.pending[:i+1], w.pending[i+1:]
		}
		if err := w.writeLine(string(line)); err != nil {
			w.pending = nil
			return 0, err
		}
		w.pending = append(w.pending[:0], rest...)
		if len(w.pending) == 0 {
			return len(p), nil
		}
	}
}

// Flush writes what is held of an unfinished line.
func (w *Writer) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.pending) == 0 {
		return nil
	}
	err := w.writeLine(string(w.pending))
	w.pending = w.pending[:0]
	return err
}

// writeLine cleans one line, its newline kept, and writes it.
func (w *Writer) writeLine(line string) error {
	body, newline := strings.CutSuffix(line, "\n")
	out := w.secrets.Text(body) // one line: Text is Line with tabs expanded
	if newline {
		out += "\n"
	}
	_, err := io.WriteString(w.w, out)
	return err
}

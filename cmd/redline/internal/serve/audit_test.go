package serve

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
)

// flakyWriter fails while broken is set.
type flakyWriter struct {
	bytes.Buffer
	broken bool
}

func (w *flakyWriter) Write(p []byte) (int, error) {
	if w.broken {
		return 0, errors.New("disk full")
	}
	return w.Buffer.Write(p)
}

func TestAuditWriteFailuresAreReported(t *testing.T) {
	var logged bytes.Buffer
	w := &flakyWriter{broken: true}
	a := &auditor{w: w, now: time.Now, log: slog.New(slog.NewTextHandler(&logged, nil))}
	for range 3 {
		a.write(Event{Event: "drill"})
	}
	if n := strings.Count(logged.String(), "cannot write"); n != 1 {
		t.Errorf("3 failed writes logged %d times, want once: %s", n, logged.String())
	}
	if !strings.Contains(logged.String(), "disk full") {
		t.Errorf("the log does not say why: %s", logged.String())
	}
	w.broken = false
	a.write(Event{Event: "drill"})
	if !strings.Contains(logged.String(), "lost_lines=3") {
		t.Errorf("the recovery does not count the lost lines: %s", logged.String())
	}
	if strings.Count(w.String(), "\n") != 1 {
		t.Errorf("audit holds %q", w.String())
	}
}

// TestAuditLinesAreCleanedAndScrubbed: names given by clients and secrets
// never reach the audit log raw.
func TestAuditLinesAreCleanedAndScrubbed(t *testing.T) {
	secrets := sanitize.NewSecrets()
	secrets.Add("audit-secret-0123456")
	var out bytes.Buffer
	a := &auditor{w: sanitize.NewWriter(&out, secrets), now: time.Now, log: slog.Default()}
	a.write(Event{Event: "snapshot", User: "eve\u202e\u009b31m", Reason: "open /x: audit-secret-0123456"})
	if !sanitizetest.Safe(out.String()) || strings.Contains(out.String(), "audit-secret") {
		t.Errorf("audit line is not clean: %q", out.String())
	}
}

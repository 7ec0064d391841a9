package serve

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"
	gossh "golang.org/x/crypto/ssh"

	"github.com/redline-tui/redline/funnel"
	"github.com/redline-tui/redline/funnel/slo"
	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/ui"
)

func TestSessionWalksAndRelaysOut(t *testing.T) {
	ts := startServer(t, Config{})
	term := ts.openTerminal(t, 80, 24, map[string]string{"NO_COLOR": "1"})
	term.waitFor(firstRow)
	term.send("\r")
	term.waitFor("Routes of checkout")
	if strings.Contains(term.text(), "P99 HIST") {
		t.Fatal("80 columns already show the wide layout")
	}
	term.resize(160, 48)
	term.waitFor("P99 HIST")

	start := ts.waitEvent(t, func(e Event) bool { return e.Event == "session_start" })
	if start.User != "alice" || !strings.HasPrefix(start.Key, "SHA256:") || !strings.HasPrefix(start.Client, "127.0.0.1:") ||
		start.Width != 80 || start.Height != 24 || start.Mode != "tui" || start.Context != "demo" {
		t.Errorf("session_start = %+v", start)
	}
	drill := ts.waitEvent(t, func(e Event) bool { return e.Event == "drill" })
	if drill.Step != "routes" || drill.Service != "checkout" || drill.User != "alice" {
		t.Errorf("drill = %+v", drill)
	}
	term.send("q")
	term.waitEnd()
	end := ts.waitEvent(t, func(e Event) bool { return e.Event == "session_end" })
	if end.Exit == nil || *end.Exit != 0 || end.User != "alice" {
		t.Errorf("session_end = %+v", end)
	}
}

func TestSessionsDoNotShareNavigation(t *testing.T) {
	ts := startServer(t, Config{})
	a := ts.openTerminal(t, 80, 24, nil)
	b := ts.openTerminal(t, 100, 30, nil)
	a.waitFor(firstRow)
	b.waitFor(firstRow)
	a.send("\r")
	a.waitFor("Routes of checkout")
	b.send("j")
	b.waitFor("› ▲ INCREASING payments")
	if strings.Contains(b.text(), "Routes of") {
		t.Errorf("b followed a's drill:\n%s", b.text())
	}
	b.send("\r")
	b.waitFor("Routes of payments")
	a.waitFor("Routes of checkout")
}

func TestRefusedLogins(t *testing.T) {
	ts := startServer(t, Config{})
	if _, err := ts.dial("alice", gossh.PublicKeys(newSigner(t))); err == nil {
		t.Error("an unknown key logged in")
	}
	// The server offers only publickey, so clients do not send passwords;
	// those that would are refused all the same.
	if _, err := ts.dial("alice", gossh.Password("hunter2")); err == nil {
		t.Error("a password logged in")
	}
	ki := gossh.KeyboardInteractive(func(string, string, []string, []bool) ([]string, error) { return nil, nil })
	if _, err := ts.dial("alice", ki); err == nil {
		t.Error("keyboard-interactive logged in")
	}
	if _, err := ts.dial("../etc", gossh.PublicKeys(ts.user)); err == nil {
		t.Error("a user name that climbs directories logged in")
	}
	events := ts.audit.events(t)
	if len(events) != 2 {
		t.Fatalf("want the unknown key and the bad user name audited, got:\n%s", ts.audit.String())
	}
	for _, e := range events {
		if e.Event != "login_refused" || e.Method != "publickey" || !strings.HasPrefix(e.Key, "SHA256:") || !strings.HasPrefix(e.Client, "127.0.0.1:") {
			t.Errorf("refusal = %+v", e)
		}
	}
	if events[0].User != "alice" || events[1].User != "../etc" {
		t.Errorf("refused users: %q, %q", events[0].User, events[1].User)
	}
}

func TestFailedLoginsAreRateLimited(t *testing.T) {
	ts := startServer(t, Config{})
	stranger := gossh.PublicKeys(newSigner(t))
	for range maxFailures {
		_, _ = ts.dial("alice", stranger)
	}
	if _, err := ts.dial("alice", gossh.PublicKeys(ts.user)); err == nil {
		t.Fatal("the authorized key logged in from a host over its failure limit")
	}
	if !strings.Contains(ts.audit.String(), "rate limited") {
		t.Errorf("the audit log does not say the host was rate limited:\n%s", ts.audit.String())
	}
}

func TestNoShellForwardingOrSFTP(t *testing.T) {
	ts := startServer(t, Config{})
	c, err := ts.dial("alice", gossh.PublicKeys(ts.user))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Dial("tcp", ts.addr); err == nil {
		t.Error("local port forwarding was allowed")
	}
	if _, err := c.Listen("tcp", "127.0.0.1:0"); err == nil {
		t.Error("remote port forwarding was allowed")
	}
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestSubsystem("sftp"); err == nil {
		t.Error("the sftp subsystem was started")
	}
	sess.Close()
	for _, cmd := range []string{"sh", "ls /", "snapshot"} {
		sess, err := c.NewSession()
		if err != nil {
			t.Fatal(err)
		}
		out, err := sess.CombinedOutput(cmd)
		var exit *gossh.ExitError
		if cmd != "snapshot" && (!errors.As(err, &exit) || exit.ExitStatus() != 2 || !strings.Contains(string(out), "usage: ssh")) {
			t.Errorf("%q: %v, %q; want exit 2 and the usage line", cmd, err, out)
		}
	}
	sess, err = c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	out, err := sess.CombinedOutput("")
	if err == nil || !strings.Contains(string(out), "PTY") {
		t.Errorf("a session without a terminal or command: %v, %q", err, out)
	}
}

func TestIdleTimeoutEndsTheSession(t *testing.T) {
	ts := startServer(t, Config{IdleTimeout: 300 * 1e6})
	term := ts.openTerminal(t, 80, 24, nil)
	term.waitEnd()
	end := ts.waitEvent(t, func(e Event) bool { return e.Event == "session_end" })
	if !strings.Contains(end.Reason, "no key pressed for 300ms") {
		t.Errorf("session_end = %+v", end)
	}
}

func TestMaxSessions(t *testing.T) {
	ts := startServer(t, Config{MaxSessions: 1})
	first := ts.openTerminal(t, 80, 24, nil)
	first.waitFor(firstRow)
	out, err := ts.session(t, "alice", ts.user, false).CombinedOutput("snapshot")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(string(out), "redline serve is full: 1 sessions are open (serve.max_sessions)") {
		t.Errorf("second session: %v, %q", err, out)
	}
	first.send("j")
	first.waitFor("› ▲ INCREASING payments")
}

// blockingMetrics is the demo whose SLO query waits for its context.
type blockingMetrics struct {
	*demo.Source
	started   chan struct{}
	cancelled chan struct{}
	once      sync.Once
}

func (b *blockingMetrics) SLOs(ctx context.Context, _ funnel.TimeRange) (slo.Report, error) {
	b.once.Do(func() { close(b.started) })
	<-ctx.Done()
	close(b.cancelled)
	return slo.Report{}, ctx.Err()
}

func TestDisconnectCancelsQueries(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent(), goleak.IgnoreTopFunction("io.(*pipe).read")) // the test terminal's answer
	src := &blockingMetrics{Source: demo.New(demo.Options{Seed: 1}), started: make(chan struct{}), cancelled: make(chan struct{})}
	ts := startServer(t, Config{Session: func(string) (ui.Options, error) {
		return ui.Options{Sources: ui.Sources{Metrics: src}, Context: "demo", Ticker: neverTick}, nil
	}})
	term := ts.openTerminal(t, 80, 24, nil)
	waitClosed(t, src.started, "the SLO query never started")
	term.client.Close()
	waitClosed(t, src.cancelled, "the SLO query was not cancelled by the disconnect")
	term.waitEnd()
	ts.waitEvent(t, func(e Event) bool { return e.Event == "session_end" })
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestHostileClientsDoNotHurtOthers(t *testing.T) {
	ts := startServer(t, Config{})
	bystander := ts.openTerminal(t, 80, 24, nil)
	bystander.waitFor(firstRow)

	wide := ts.openTerminal(t, 10000, 24, nil)
	wide.waitFor("Service level objectives")
	zero := ts.openTerminal(t, 0, 0, nil)
	// A window change while the session starts races in charm.land/ssh
	// (Pty reads what the request handler writes): wait for the start.
	zero.waitDrawing()
	zero.resize(0, 0)
	garbage := ts.openTerminal(t, 80, 24, map[string]string{
		"TERM": "\x1b]52;c;aGk=\a", "COLORTERM": strings.Repeat("\xff", 4096), "NO_COLOR": "\x00", "TMUX": "\x1b[2J",
	})
	garbage.waitFor("Service level objectives")
	for range 5 {
		garbage.send("\r\x1b")
	}
	wide.resize(1, 1)
	wide.resize(10000, 10000)
	wide.send("\r")
	wide.client.Close() // mid-render
	zero.send("\r")
	zero.client.Close()

	bystander.send("\r")
	bystander.waitFor("Routes of checkout")
	late := ts.openTerminal(t, 80, 24, nil)
	late.waitFor("Service level objectives")
}

func waitClosed(t *testing.T, ch chan struct{}, msg string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(waitLimit):
		t.Fatal(msg)
	}
}

func TestHostKey(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state", HostKeyName)
	if _, err := hostSigner(path); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(path)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("generated key: %v, %v", info, err)
	}
	again, err := hostSigner(path)
	if err != nil || again.PublicKey().Type() != gossh.KeyAlgoED25519 {
		t.Fatalf("reloaded key: %v", err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := hostSigner(path); err == nil || !strings.Contains(err.Error(), "readable by others") {
		t.Errorf("a world-readable key was accepted: %v", err)
	}
}

func TestSnapshotsOverSSH(t *testing.T) {
	ts := startServer(t, Config{})
	term := ts.openTerminal(t, 80, 24, nil)
	term.waitFor(firstRow)
	term.send("\r")
	term.waitFor("Routes of checkout")
	term.send("y")
	term.waitFor("snapshot copied (OSC 52) and saved to")
	term.waitRaw("\x1b]52;c;")
	e := ts.waitEvent(t, func(e Event) bool { return e.Event == "snapshot" })
	dir := filepath.Join(ts.srv.cfg.StateDir, "snapshots", "alice")
	if !e.Copied || filepath.Dir(e.File) != dir {
		t.Errorf("snapshot event = %+v, want a copy saved in %s", e, dir)
	}
	info, err := os.Stat(e.File)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("saved snapshot: %v, %v", info, err)
	}
	body, err := os.ReadFile(e.File)
	if err != nil || !strings.Contains(string(body), "checkout") {
		t.Errorf("saved snapshot: %v\n%s", err, body)
	}
	if strings.Contains(ts.audit.String(), "HTTP 5xx") {
		t.Error("the audit log holds snapshot content")
	}
}

func TestShutdownTellsSessions(t *testing.T) {
	ts := startServer(t, Config{})
	term := ts.openTerminal(t, 80, 24, nil)
	term.waitFor(firstRow)
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	if err := ts.srv.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	term.waitEnd()
	end := ts.waitEvent(t, func(e Event) bool { return e.Event == "session_end" })
	if end.Reason != "redline serve is stopping" {
		t.Errorf("session_end = %+v", end)
	}
}

func TestContextThatCannotOpenEndsTheSession(t *testing.T) {
	ts := startServer(t, Config{Session: func(string) (ui.Options, error) {
		return ui.Options{}, errors.New("prometheus: password_file missing")
	}})
	out, err := ts.session(t, "alice", ts.user, true).CombinedOutput("")
	var exit *gossh.ExitError
	if !errors.As(err, &exit) || exit.ExitStatus() != 1 || !strings.Contains(string(out), "context demo cannot be opened: prometheus: password_file missing") {
		t.Errorf("got %v, %q", err, out)
	}
}

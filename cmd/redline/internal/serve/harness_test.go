package serve

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/vt"
	gossh "golang.org/x/crypto/ssh"

	"github.com/redline-tui/redline/sources/demo"
	"github.com/redline-tui/redline/ui"
)

// waitLimit bounds every wait for a condition; it is a failure deadline,
// not a measured time.
const waitLimit = 20 * time.Second

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// events decodes the audit lines written so far.
func (s *syncBuffer) events(t testing.TB) []Event {
	t.Helper()
	var out []Event
	for _, line := range strings.Split(strings.TrimSpace(s.String()), "\n") {
		if line == "" {
			continue
		}
		var e Event
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("audit line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// testServer is a Server on 127.0.0.1:0 with one authorized user key.
type testServer struct {
	srv   *Server
	addr  string
	user  gossh.Signer // authorized
	audit *syncBuffer
	log   *syncBuffer
	keys  string                  // the authorized_keys path
	wrap  func(net.Conn) net.Conn // wraps the client's connection, when set
}

func newSigner(t testing.TB) gossh.Signer {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func authorizedLine(s gossh.Signer) string {
	return strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
}

// demoSession serves the demo incident to every session, never ticking.
func demoSession(string) (ui.Options, error) {
	src := demo.New(demo.Options{Seed: 1})
	return ui.Options{Sources: ui.Sources{Metrics: src, Traces: src, Logs: src}, Context: "demo", Ticker: neverTick}, nil
}

func neverTick(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }

// startServer runs a server configured by cfg (Session defaults to the
// demo), stopped when the test ends.
func startServer(t testing.TB, cfg Config) *testServer {
	t.Helper()
	dir := t.TempDir()
	ts := &testServer{user: newSigner(t), audit: &syncBuffer{}, log: &syncBuffer{}, keys: filepath.Join(dir, "authorized_keys")}
	if err := os.WriteFile(ts.keys, []byte(authorizedLine(ts.user)+" alice@laptop\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg.AuthorizedKeys, cfg.StateDir = ts.keys, dir
	cfg.Audit, cfg.Log = ts.audit, slog.New(slog.NewTextHandler(ts.log, nil))
	if cfg.Session == nil {
		cfg.Session = demoSession
	}
	if cfg.Context == "" {
		cfg.Context = "demo"
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.srv, ts.addr = srv, l.Addr().String()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ts
}

// dial logs in as user with the given auth methods.
func (ts *testServer) dial(user string, auth ...gossh.AuthMethod) (*gossh.Client, error) {
	conn, err := net.DialTimeout("tcp", ts.addr, waitLimit)
	if err != nil {
		return nil, err
	}
	if ts.wrap != nil {
		conn = ts.wrap(conn)
	}
	c, chans, reqs, err := gossh.NewClientConn(conn, ts.addr, &gossh.ClientConfig{
		User: user, Auth: auth, HostKeyCallback: gossh.InsecureIgnoreHostKey(), Timeout: waitLimit,
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return gossh.NewClient(c, chans, reqs), nil
}

// connect logs in as user with signer and opens a session; the
// connection closes when the test ends.
func (ts *testServer) connect(t testing.TB, user string, signer gossh.Signer) (*gossh.Client, *gossh.Session) {
	t.Helper()
	c, err := ts.dial(user, gossh.PublicKeys(signer))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	return c, sess
}

// session is connect's session, with an 80×24 PTY when pty is set.
func (ts *testServer) session(t testing.TB, user string, signer gossh.Signer, pty bool) *gossh.Session {
	t.Helper()
	_, sess := ts.connect(t, user, signer)
	if pty {
		if err := sess.RequestPty("xterm", 24, 80, gossh.TerminalModes{}); err != nil {
			t.Fatal(err)
		}
	}
	return sess
}

// terminal is an interactive session read back through a VT emulator.
type terminal struct {
	t      testing.TB
	client *gossh.Client
	sess   *gossh.Session
	stdin  io.WriteCloser
	mu     sync.Mutex
	screen *vt.Emulator
	bytes  int // bytes received
	raw    bytes.Buffer
	done   chan struct{}
}

// openTerminal logs in with the authorized key and opens a PTY session
// of w×h with env sent first.
func (ts *testServer) openTerminal(t testing.TB, w, h int, env map[string]string) *terminal {
	t.Helper()
	c, sess := ts.connect(t, "alice", ts.user)
	for k, v := range env {
		if err := sess.Setenv(k, v); err != nil {
			t.Fatal(err)
		}
	}
	if err := sess.RequestPty("xterm-256color", h, w, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	term := &terminal{t: t, client: c, sess: sess, screen: vt.NewEmulator(clampSize(w, h)), done: make(chan struct{})}
	var err error
	if term.stdin, err = sess.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	out, err := sess.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go term.pump(out)
	go term.answer()
	return term
}

// pump feeds the server's output to the emulator.
func (term *terminal) pump(out io.Reader) {
	defer close(term.done)
	buf := make([]byte, 32*1024)
	for {
		n, err := out.Read(buf)
		term.mu.Lock()
		term.bytes += n
		term.raw.Write(buf[:n])
		_, _ = term.screen.Write(buf[:n])
		term.mu.Unlock()
		if err != nil {
			return
		}
	}
}

// answer sends the emulator's replies (to the background colour query…)
// back to the server, as a terminal does. It ends with the test process:
// closing the emulator under its reader races in package vt.
func (term *terminal) answer() {
	_, _ = io.Copy(term.stdin, term.screen)
}

// text is the screen as plain text.
func (term *terminal) text() string {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.screen.String()
}

// waitRaw waits until the server has sent s.
func (term *terminal) waitRaw(s string) {
	term.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		term.mu.Lock()
		found := bytes.Contains(term.raw.Bytes(), []byte(s))
		term.mu.Unlock()
		if found {
			return
		}
		if time.Now().After(deadline) {
			term.t.Fatalf("the server never sent %q", s)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (term *terminal) received() int {
	term.mu.Lock()
	defer term.mu.Unlock()
	return term.bytes
}

// waitFor waits until the screen shows want.
func (term *terminal) waitFor(want string) {
	term.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !strings.Contains(term.text(), want) {
		if time.Now().After(deadline) {
			term.t.Fatalf("screen never showed %q:\n%s", want, term.text())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// firstRow is the SLO pane's selected first row once the demo loaded.
const firstRow = "› ✖ CRITICAL   checkout"

// send types keys (raw bytes, e.g. "\r" for enter).
func (term *terminal) send(keys string) {
	term.t.Helper()
	if _, err := io.WriteString(term.stdin, keys); err != nil {
		term.t.Fatal(err)
	}
}

// waitDrawing waits until the program has drawn something: its start,
// which reads the session's window, is over.
func (term *terminal) waitDrawing() {
	term.t.Helper()
	deadline := time.Now().Add(waitLimit)
	for term.received() == 0 {
		if time.Now().After(deadline) {
			term.t.Fatal("the program never drew")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// resize tells the server and the emulator of a new window size.
func (term *terminal) resize(w, h int) {
	term.t.Helper()
	term.mu.Lock()
	term.screen.Resize(clampSize(w, h)) // the emulator is the test's, not the server's
	term.mu.Unlock()
	if err := term.sess.WindowChange(h, w); err != nil {
		term.t.Fatal(err)
	}
}

// waitEnd waits for the server to end the session.
func (term *terminal) waitEnd() {
	term.t.Helper()
	select {
	case <-term.done:
	case <-time.After(waitLimit):
		term.t.Fatalf("session never ended:\n%s", term.text())
	}
}

// waitEvent waits for an audit event satisfying ok.
func (ts *testServer) waitEvent(t testing.TB, ok func(Event) bool) Event {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for {
		for _, e := range ts.audit.events(t) {
			if ok(e) {
				return e
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no such audit event in:\n%s", ts.audit.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

package serve

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/ssh"
	"charm.land/wish/v2/activeterm"
	"charm.land/wish/v2/bubbletea"
	"charm.land/wish/v2/logging"
	"charm.land/wish/v2/recover"
	gossh "golang.org/x/crypto/ssh"

	"github.com/redline-tui/redline/funnel/snapshot"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/clipboard"
)

// Window sizes a client may ask for are clamped to these: a 10,000-column
// window would cost every frame for nothing, a zero one divides nothing.
const (
	maxWidth  = 1000
	maxHeight = 500
)

// execUsage answers an exec request that is not a snapshot.
var execUsage = "usage: ssh -p PORT HOST snapshot [--context C] [--service S] [--route R] [--trace ID] [--at TIME] [--window D] [--format " + snapshot.FormatChoice("|") + "]\n(or ssh -t HOST for the interactive funnel)"

// session is one SSH session: interactive (a program) or exec.
type session struct {
	srv     *Server
	sess    ssh.Session
	user    string
	key     string // fingerprint
	client  string
	context string
	grant   grant
	ctx     context.Context // cancelled when the session ends or the client leaves
	cancel  context.CancelFunc

	mu      sync.Mutex
	program *tea.Program
	reason  string // why the server ended the session, told to the user
	idle    *time.Timer
}

// handler is the middleware chain of every session: recovery, logging,
// then the session's own handling.
func (s *Server) handler() ssh.Handler {
	log := slog.NewLogLogger(s.log.Handler(), slog.LevelInfo)
	tui := activeterm.Middleware()(bubbletea.MiddlewareWithProgramHandler(s.program)(func(ssh.Session) {}))
	chain := recover.MiddlewareWithLogger(log)(logging.MiddlewareWithLogger(log)(func(sess ssh.Session) { s.handle(sess, tui) }))
	return chain
}

// handle admits a session, runs it as exec or interactive, and audits its
// start and end.
func (s *Server) handle(sess ssh.Session, tui ssh.Handler) {
	ss, err := s.admit(sess)
	if err != nil {
		s.log.Warn("session refused", "user", sess.User(), "client", sess.RemoteAddr().String(), "err", err)
		fmt.Fprintf(sess.Stderr(), "redline: %v\r\n", err)
		_ = sess.Exit(1)
		return
	}
	defer s.unregister(ss)
	defer ss.cancel()
	start := s.auditStart(sess, ss)
	code := 0
	switch _, _, isPty := sess.Pty(); {
	case start.Mode == "exec":
		code = s.exec(sess, ss)
	case !isPty:
		tui(sess) // activeterm refuses it
		code = 1
	default:
		tui(sess)
		if !ss.started() {
			code = 1
		}
	}
	end := ss.event("session_end")
	end.Mode, end.Exit, end.Seconds = start.Mode, &code, time.Since(start.Time).Round(time.Millisecond).Seconds()
	end.Reason = ss.stopReason()
	s.audit.write(end)
	if end.Reason != "" {
		fmt.Fprintf(sess.Stderr(), "\r\nredline: %s\r\n", end.Reason)
	}
	_ = sess.Exit(code)
}

// admit builds and registers the session.
func (s *Server) admit(sess ssh.Session) (*session, error) {
	ss, err := s.newSession(sess)
	if err != nil {
		return nil, err
	}
	if err := s.register(ss); err != nil {
		ss.cancel()
		return nil, err
	}
	return ss, nil
}

// auditStart writes and returns the session_start event: the terminal
// size, and exec mode with the command's name when there is a command.
func (s *Server) auditStart(sess ssh.Session, ss *session) Event {
	e := ss.event("session_start")
	pty, _, _ := sess.Pty()
	e.Width, e.Height, e.Mode = pty.Window.Width, pty.Window.Height, "tui"
	if cmd := sess.Command(); len(cmd) > 0 {
		e.Mode, e.Command = "exec", cmd[0]
	}
	return s.audit.write(e)
}

// newSession reads who the session is for; the key must still be
// authorized and allowed the server's context for interactive use.
func (s *Server) newSession(sess ssh.Session) (*session, error) {
	key := sess.PublicKey()
	if key == nil {
		return nil, fmt.Errorf("no public key")
	}
	g, ok := s.keys.lookup(key)
	if !ok {
		return nil, fmt.Errorf("key no longer authorized")
	}
	if len(sess.Command()) == 0 && !g.allows(s.cfg.Context) {
		return nil, fmt.Errorf("your key may not use context %q (it may use %s)", s.cfg.Context, strings.Join(g.contexts, ", "))
	}
	ctx, cancel := context.WithCancel(sess.Context())
	return &session{
		srv: s, sess: sess, user: sess.User(), key: gossh.FingerprintSHA256(key), client: sess.RemoteAddr().String(),
		context: s.cfg.Context, grant: g, ctx: ctx, cancel: cancel,
	}, nil
}

// exec runs `snapshot …`; anything else gets the usage line.
func (s *Server) exec(sess ssh.Session, ss *session) int {
	cmd := sess.Command()
	if cmd[0] != "snapshot" || s.cfg.Exec == nil {
		fmt.Fprintln(sess.Stderr(), execUsage)
		return 2
	}
	return s.cfg.Exec(ss.ctx, ExecRequest{Args: cmd[1:], Stdout: sess, Stderr: sess.Stderr(), Context: ss.context, Allowed: ss.grant.allows})
}

// program builds the session's program around a root model of its own.
func (s *Server) program(sess ssh.Session) *tea.Program {
	ss := s.sessionOf(sess)
	if ss == nil {
		return nil
	}
	opts, err := s.cfg.Session(ss.context)
	if err != nil {
		s.log.Error("session options", "context", ss.context, "err", err)
		ss.stop(fmt.Sprintf("context %s cannot be opened: %v", ss.context, err))
		return nil
	}
	pty, _, _ := sess.Pty()
	env := sess.Environ()
	opts.Ctx = ss.ctx
	if opts.Now == nil {
		opts.Now = time.Now
	}
	opts.Now = aligned(opts.Now)
	if opts.Ticker == nil {
		opts.Ticker = tea.Every
	}
	opts.NoColor = lookupEnv(env, "NO_COLOR") != ""
	opts.Version = s.cfg.Version
	opts.Snapshot.Dir = filepath.Join(s.cfg.StateDir, "snapshots", ss.user)
	opts.Snapshot.Terminal = clipboard.Env{TERM: pty.Term, TMUX: lookupEnv(env, "TMUX")}
	w, h := clampSize(pty.Window.Width, pty.Window.Height)
	p := tea.NewProgram(ui.New(opts), append(bubbletea.MakeOptions(sess),
		tea.WithInput(activityReader{r: sess, touch: ss.touch}),
		tea.WithWindowSize(w, h),
		tea.WithFilter(ss.filter),
		tea.WithoutSignalHandler(),
	)...)
	ss.start(p)
	return p
}

// start records the program and arms the idle timer.
func (ss *session) start(p *tea.Program) {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	ss.program = p
	timeout := ss.srv.cfg.IdleTimeout
	ss.idle = time.AfterFunc(timeout, func() {
		ss.stop(fmt.Sprintf("no key pressed for %s: session closed", timeout))
	})
	// Under mu, so that a touch that saw the session live cannot re-arm
	// the timer after this stopped it (it would hold the session until it
	// fired).
	context.AfterFunc(ss.ctx, func() {
		ss.mu.Lock()
		defer ss.mu.Unlock()
		ss.idle.Stop()
	})
}

// touch restarts the idle timer: the user typed something.
func (ss *session) touch() {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if ss.idle != nil && ss.ctx.Err() == nil {
		ss.idle.Reset(ss.srv.cfg.IdleTimeout)
	}
}

// stop ends the session for a reason the user is told.
func (ss *session) stop(reason string) {
	ss.mu.Lock()
	if ss.reason == "" {
		ss.reason = reason
	}
	p := ss.program
	ss.mu.Unlock()
	if p != nil {
		p.Quit()
	}
	ss.cancel()
}

// started reports whether the session's program was built.
func (ss *session) started() bool {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.program != nil
}

func (ss *session) stopReason() string {
	ss.mu.Lock()
	defer ss.mu.Unlock()
	return ss.reason
}

// filter sees every message before the root model: it clamps window
// sizes, keeps the program from suspending (there is no shell to return
// to) and audits drill steps and snapshots.
func (ss *session) filter(root tea.Model, msg tea.Msg) tea.Msg {
	switch m := msg.(type) {
	case tea.WindowSizeMsg:
		m.Width, m.Height = clampSize(m.Width, m.Height)
		return m
	case tea.SuspendMsg:
		return tea.ResumeMsg{}
	}
	ss.auditMsg(root, msg)
	return msg
}

func clampSize(w, h int) (int, int) {
	return min(max(w, 1), maxWidth), min(max(h, 1), maxHeight)
}

// activityReader is the session's input, telling each read.
type activityReader struct {
	r     io.Reader
	touch func()
}

func (a activityReader) Read(p []byte) (int, error) {
	n, err := a.r.Read(p)
	if n > 0 {
		a.touch()
	}
	return n, err
}

// lookupEnv finds name in a client's KEY=VALUE list (the last one wins).
func lookupEnv(env []string, name string) string {
	v := ""
	for _, kv := range env {
		if k, val, ok := strings.Cut(kv, "="); ok && k == name {
			v = val
		}
	}
	return v
}

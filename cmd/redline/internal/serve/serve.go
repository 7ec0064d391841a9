// Package serve is `redline serve`: the funnel over SSH for a whole on-call
// rotation. One process on a bastion holds the backend credentials; users
// log in with a public key listed in an OpenSSH authorized_keys file and
// each session gets its own root model (ui.New): its own navigation stack,
// window size, colour profile (from the client's TERM, COLORTERM and
// NO_COLOR) and its own context, cancelled when the client goes away.
// Without a terminal, `ssh host snapshot …` runs the headless snapshot.
//
// The server refuses passwords and keyboard-interactive logins, shells,
// SFTP and every kind of forwarding; it rate-limits failed logins, closes
// idle sessions, caps how many run at once and writes one JSON audit line
// per session start and end, drill step, snapshot and refused login.
// Package serve knows the ui, not the sources: cmd/redline hands it the
// backends of each context through Config.Session and Config.Exec.
package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"time"

	"charm.land/ssh"
	gossh "golang.org/x/crypto/ssh"

	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/ui"
)

// Defaults.
const (
	DefaultListen      = "127.0.0.1:2222"
	DefaultIdleTimeout = 30 * time.Minute
	DefaultMaxSessions = 32
	// HostKeyName is the host key's file name in the state directory.
	HostKeyName = "ssh_host_ed25519_key"
)

// Failed logins allowed per client host and period before the host's
// attempts are refused unchecked.
const (
	maxFailures   = 10
	failurePeriod = time.Minute
)

// Config configures a Server.
type Config struct {
	HostKey        string        // default <StateDir>/HostKeyName
	AuthorizedKeys string        // required: OpenSSH authorized_keys
	IdleTimeout    time.Duration // without a key for this long a session ends; default DefaultIdleTimeout
	MaxSessions    int           // sessions at once; default DefaultMaxSessions
	StateDir       string        // default DefaultStateDir(); snapshots go to <StateDir>/snapshots/<user>
	Context        string        // the context an interactive session opens
	Log            *slog.Logger  // operational log; default slog.Default()
	Audit          io.Writer     // audit lines; default os.Stderr
	// Secrets are scrubbed from the audit lines, which are also cleaned of
	// control characters (user names and context names come from clients).
	Secrets *sanitize.Secrets
	Version string
	// Session returns the root model options of a new interactive session
	// on the named context, with the context's shared sources. Serve sets
	// the per-session fields (Ctx, NoColor, snapshot directory, terminal).
	Session func(context string) (ui.Options, error)
	// Exec runs an exec request's `snapshot ARGS…` and returns its exit
	// status; nil refuses exec requests.
	Exec func(ctx context.Context, req ExecRequest) int
}

// ExecRequest is a command sent without a terminal (ssh host snapshot …).
type ExecRequest struct {
	Args    []string // the arguments after "snapshot"
	Stdout  io.Writer
	Stderr  io.Writer
	Context string // the server's context, used unless Args name another
	// Allowed reports whether the user's key may use a context.
	Allowed func(context string) bool
}

// Server is an SSH server of redline sessions.
type Server struct {
	cfg   Config
	ssh   *ssh.Server
	keys  *keyring
	fails *failures
	audit *auditor
	log   *slog.Logger

	mu       sync.Mutex
	sessions map[*session]struct{}
	running  sync.WaitGroup // one per registered session
	stopping bool
}

// New checks the configuration, loads (or creates) the host key and reads
// the authorized keys.
func New(cfg Config) (*Server, error) {
	cfg, err := withDefaults(cfg)
	if err != nil {
		return nil, err
	}
	signer, err := hostSigner(cfg.HostKey)
	if err != nil {
		return nil, err
	}
	keys, err := newKeyring(cfg.AuthorizedKeys, cfg.Log)
	if err != nil {
		return nil, err
	}
	s := &Server{
		cfg: cfg, keys: keys, log: cfg.Log,
		fails:    newFailures(maxFailures, failurePeriod),
		audit:    &auditor{w: sanitize.NewWriter(cfg.Audit, cfg.Secrets), now: time.Now, log: cfg.Log},
		sessions: map[*session]struct{}{},
	}
	s.ssh = &ssh.Server{
		HostSigners:          []ssh.Signer{signer},
		Version:              "redline",
		HandshakeTimeout:     30 * time.Second,
		PublicKeyHandler:     s.publicKey,
		ServerConfigCallback: s.sshConfig,
		Handler:              s.handler(),
		ConnectionFailedCallback: func(c net.Conn, err error) {
			s.log.Debug("connection failed", "client", c.RemoteAddr().String(), "err", err)
		},
	}
	return s, nil
}

func withDefaults(cfg Config) (Config, error) {
	if cfg.AuthorizedKeys == "" {
		return cfg, errors.New("serve: no authorized keys file: set serve.authorized_keys in the config file")
	}
	if cfg.Session == nil {
		return cfg, errors.New("serve: no session factory")
	}
	if cfg.StateDir == "" {
		dir, err := DefaultStateDir()
		if err != nil {
			return cfg, err
		}
		cfg.StateDir = dir
	}
	if cfg.HostKey == "" {
		cfg.HostKey = filepath.Join(cfg.StateDir, HostKeyName)
	}
	if cfg.IdleTimeout <= 0 {
		cfg.IdleTimeout = DefaultIdleTimeout
	}
	if cfg.MaxSessions <= 0 {
		cfg.MaxSessions = DefaultMaxSessions
	}
	if cfg.Log == nil {
		cfg.Log = slog.Default()
	}
	if cfg.Audit == nil {
		cfg.Audit = os.Stderr
	}
	return cfg, nil
}

// Serve accepts connections on l until Shutdown; it then returns nil.
func (s *Server) Serve(l net.Listener) error {
	s.log.Info("redline serve listening", "addr", l.Addr().String(), "context", s.cfg.Context)
	err := s.ssh.Serve(l)
	if errors.Is(err, ssh.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting sessions, tells every session the server is
// stopping and ends it, waits for them to finish (until ctx is done) and
// closes every connection.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	s.stopping = true
	for ss := range s.sessions {
		ss.stop("redline serve is stopping")
	}
	s.mu.Unlock()
	finished := make(chan struct{})
	go func() {
		s.running.Wait()
		close(finished)
	}()
	var err error
	select {
	case <-finished:
	case <-ctx.Done():
		err = ctx.Err()
	}
	return errors.Join(err, s.ssh.Close())
}

// validUser matches the user names let in: they name a directory of saved
// snapshots, so nothing that could climb out of it.
var validUser = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$`)

// publicKey accepts a key of the authorized keys file from a valid user
// name and a host that is not over its failure limit.
func (s *Server) publicKey(ctx ssh.Context, key ssh.PublicKey) bool {
	ctx.SetValue(offeredKey{}, gossh.FingerprintSHA256(key))
	if s.fails.blocked(host(ctx.RemoteAddr())) {
		return false
	}
	if !validUser.MatchString(ctx.User()) {
		return false
	}
	_, ok := s.keys.lookup(key)
	return ok
}

// offeredKey holds the fingerprint of the last key a client offered.
type offeredKey struct{}

// sshConfig logs, audits and counts every failed login; no password or
// keyboard-interactive callback is set, so those methods always fail.
func (s *Server) sshConfig(ctx ssh.Context) *gossh.ServerConfig {
	return &gossh.ServerConfig{
		MaxAuthTries: 6,
		AuthLogCallback: func(conn gossh.ConnMetadata, method string, err error) {
			if err == nil || method == "none" {
				return
			}
			h := host(conn.RemoteAddr())
			reason := "not authorized"
			if s.fails.blocked(h) {
				reason = "rate limited: too many failed logins"
			}
			s.fails.record(h, conn.RemoteAddr().String())
			e := Event{Event: "login_refused", User: conn.User(), Client: conn.RemoteAddr().String(), Method: method, Reason: reason}
			if method == "publickey" {
				e.Key, _ = ctx.Value(offeredKey{}).(string)
			}
			s.log.Warn("login refused", "user", e.User, "client", e.Client, "method", method, "key", e.Key, "reason", reason)
			s.audit.write(e)
		},
	}
}

// host is the address without its port, the unit of rate limiting.
func host(a net.Addr) string {
	if a == nil {
		return ""
	}
	h, _, err := net.SplitHostPort(a.String())
	if err != nil {
		return a.String()
	}
	return h
}

// register adds a session, unless the server is full or stopping.
func (s *Server) register(ss *session) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.stopping:
		return errors.New("redline serve is stopping; try again in a moment")
	case len(s.sessions) >= s.cfg.MaxSessions:
		return fmt.Errorf("redline serve is full: %d sessions are open (serve.max_sessions); try again later", len(s.sessions))
	}
	s.sessions[ss] = struct{}{}
	s.running.Add(1)
	return nil
}

// sessionOf finds the registered session of sess. (Not through
// sess.Context(): that is the connection's, shared by every session a
// client multiplexes on it, e.g. with ControlMaster.)
func (s *Server) sessionOf(sess ssh.Session) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	for ss := range s.sessions {
		if ss.sess == sess {
			return ss
		}
	}
	return nil
}

func (s *Server) unregister(ss *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.sessions, ss)
	s.running.Done()
}

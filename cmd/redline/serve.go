package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/pflag"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/cmd/redline/internal/serve"
	"github.com/redline-tui/redline/funnel/sanitize"
	"github.com/redline-tui/redline/ui"
)

// serveOptions is the parsed command line of `redline serve`.
type serveOptions struct {
	listen    string
	demo      bool
	endpoints endpointFlags
}

// shutdownGrace is how long a stopping server waits for clients to leave
// before it closes their connections.
const shutdownGrace = 5 * time.Second

// define declares the flags of `redline serve` on fs: --listen, --demo
// and the backend flags.
func (o *serveOptions) define(fs *pflag.FlagSet) {
	fs.StringVar(&o.listen, "listen", "", "listen on `ADDR` (default serve.listen, else "+serve.DefaultListen+")")
	demoFlag(fs, &o.demo)
	endpointFlagSet(fs, &o.endpoints)
}

// runServe is `redline serve`: the funnel over SSH, in the foreground,
// until SIGINT or SIGTERM.
func runServe(o serveOptions, stderr io.Writer) int {
	settings, err := serveSettings(o.endpoints.configPath)
	if err != nil {
		fmt.Fprintln(stderr, "redline serve:", err)
		return exitUsage
	}
	shared, err := newSharedBackends(o)
	if err != nil {
		fmt.Fprintln(stderr, "redline serve:", err)
		return exitUsage
	}
	defer shared.close()
	cfg, err := serveConfig(settings, shared, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "redline serve:", err)
		return exitUsage
	}
	srv, err := serve.New(cfg)
	if err != nil {
		fmt.Fprintln(stderr, "redline serve:", err)
		return exitUsage
	}
	l, err := net.Listen("tcp", cmp.Or(o.listen, settings.Listen, serve.DefaultListen))
	if err != nil {
		fmt.Fprintln(stderr, "redline serve:", err)
		return exitUsage
	}
	return serveUntilSignal(srv, l, stderr)
}

// serveUntilSignal serves until SIGINT or SIGTERM, then shuts down.
func serveUntilSignal(srv *serve.Server, l net.Listener, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	done := make(chan error, 1)
	go func() { done <- srv.Serve(l) }()
	select {
	case err := <-done:
		fmt.Fprintln(stderr, "redline serve:", err)
		return 1
	case <-ctx.Done():
	}
	grace, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(grace); err != nil {
		fmt.Fprintln(stderr, "redline serve: shutdown:", err)
	}
	<-done
	fmt.Fprintln(stderr, "redline serve: stopped")
	return 0
}

// serveSettings reads the config file's serve section (zero without a file).
func serveSettings(path string) (config.Serve, error) {
	f, err := config.Load(path)
	switch {
	case errors.Is(err, config.ErrNoFile):
		return config.Serve{}, nil
	case err != nil:
		return config.Serve{}, err
	}
	return f.Serve, nil
}

// serveConfig turns the settings and the shared backends into the server's
// configuration; the authorized keys default to <state>/authorized_keys.
// An audit log that cannot be opened stops the start: sessions must not
// go unaudited.
func serveConfig(s config.Serve, shared *sharedBackends, stderr io.Writer) (serve.Config, error) {
	log := slog.New(slog.NewTextHandler(stderr, nil))
	cfg := serve.Config{
		HostKey: s.HostKey, AuthorizedKeys: s.AuthorizedKeys,
		IdleTimeout: time.Duration(s.IdleTimeout), MaxSessions: s.MaxSessions,
		Context: shared.defaultName, Log: log, Audit: stderr, Secrets: secrets, Version: version,
		Session: shared.sessionOptions, Exec: shared.exec,
	}
	if cfg.AuthorizedKeys == "" {
		if dir, err := serve.DefaultStateDir(); err == nil {
			cfg.AuthorizedKeys = filepath.Join(dir, "authorized_keys")
		}
	}
	if s.AuditLog != "" {
		f, err := os.OpenFile(s.AuditLog, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
		if err != nil {
			return cfg, fmt.Errorf("serve.audit_log: %w", err)
		}
		cfg.Audit = f
	}
	return cfg, nil
}

// sharedBackends opens one set of sources per context and hands it to
// every session on that context.
type sharedBackends struct {
	opts        serveOptions
	defaultName string
	demo        ui.Options // the demo's sources, when serving the demo

	mu     sync.Mutex
	byName map[string]*backends
	caches map[string]*serve.Cache // one per context, shared by its sessions
}

// newSharedBackends opens the default context (the demo, the flags' or
// the config file's) so that a mistake shows at start.
func newSharedBackends(o serveOptions) (*sharedBackends, error) {
	s := &sharedBackends{opts: o, byName: map[string]*backends{}, caches: map[string]*serve.Cache{}}
	if o.demo {
		s.demo = demoOptions(time.Now)
		s.defaultName = s.demo.Context
		return s, nil
	}
	b, err := s.openResolved(o.endpoints)
	if err != nil {
		return nil, err
	}
	s.defaultName = b.context.Name
	s.byName[s.defaultName] = b
	return s, nil
}

func (s *sharedBackends) openResolved(e endpointFlags) (*backends, error) {
	r, err := resolve(e)
	if errors.Is(err, errNoBackends) {
		return nil, fmt.Errorf("no backends configured: pass %s, --context NAME or --demo", flagsOf(config.Metrics))
	}
	if err != nil {
		return nil, err
	}
	return openBackends(r)
}

// get returns the backends of a context, opening them on first use.
func (s *sharedBackends) get(name string) (*backends, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if b, ok := s.byName[name]; ok {
		return b, nil
	}
	b, err := s.openResolved(endpointFlags{configPath: s.opts.endpoints.configPath, context: name})
	if err != nil {
		return nil, err
	}
	s.byName[name] = b
	return b, nil
}

func (s *sharedBackends) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range s.byName {
		b.close()
	}
}

// sessionOptions are a new interactive session's root model options.
func (s *sharedBackends) sessionOptions(name string) (ui.Options, error) {
	if s.opts.demo {
		return s.cache(name).Wrap(s.demo), nil
	}
	b, err := s.get(name)
	if err != nil {
		return ui.Options{}, err
	}
	return s.cache(name).Wrap(liveOptions(b)), nil
}

// cache is the context's shared answer cache.
func (s *sharedBackends) cache(name string) *serve.Cache {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.caches[name]
	if !ok {
		c = serve.NewCache()
		s.caches[name] = c
	}
	return c
}

// exec runs `ssh host snapshot …` with the server's backends; what it
// prints goes through the same boundary as run's. Flags that
// pick backends or files are refused: a remote user must not make the
// server send requests (or its credentials) elsewhere.
func (s *sharedBackends) exec(ctx context.Context, r serve.ExecRequest) int {
	stdout, stderr := sanitize.NewWriter(r.Stdout, secrets), sanitize.NewWriter(r.Stderr, secrets)
	defer stdout.Flush()
	defer stderr.Flush()
	r.Stdout, r.Stderr = stdout, stderr
	req, sel, err := parseSnapshotFlags(r.Args, time.Now, r.Stderr)
	switch {
	case errors.Is(err, pflag.ErrHelp):
		return 0
	case err != nil:
		return exitUsage
	}
	e := sel.endpoints
	if e.any() || e.configPath != "" || (sel.demo && !s.opts.demo) {
		fmt.Fprintln(r.Stderr, "redline snapshot: over SSH the server's backends are used: drop --config, "+backendFlagList()+" and --demo")
		return exitUsage
	}
	name := cmp.Or(e.context, r.Context)
	if !r.Allowed(name) || (s.opts.demo && name != s.defaultName) {
		fmt.Fprintf(r.Stderr, "redline snapshot: context %q is not available to your key\n", name)
		return exitUsage
	}
	if s.opts.demo {
		req.Context = s.demo.Context
		return runSnapshot(ctx, s.demo.Sources, req, r.Stdout, r.Stderr)
	}
	b, err := s.get(name)
	if err != nil {
		fmt.Fprintln(r.Stderr, "redline snapshot:", err)
		return exitUsage
	}
	return runSnapshot(ctx, b.Sources, b.snapshotRequest(req), r.Stdout, r.Stderr)
}

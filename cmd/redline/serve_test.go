package main

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gossh "golang.org/x/crypto/ssh"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/cmd/redline/internal/serve"
)

// startServe runs redline serve's server for o on 127.0.0.1:0 and returns
// a logged-in SSH client.
func startServe(t *testing.T, o serveOptions) *gossh.Client {
	t.Helper()
	t.Setenv("XDG_CONFIG_HOME", t.TempDir()) // no config file
	dir := t.TempDir()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	keys := filepath.Join(dir, "authorized_keys")
	if err := os.WriteFile(keys, gossh.MarshalAuthorizedKey(signer.PublicKey()), 0o600); err != nil {
		t.Fatal(err)
	}
	shared, err := newSharedBackends(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(shared.close)
	cfg, err := serveConfig(config.Serve{AuthorizedKeys: keys}, shared, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	cfg.StateDir, cfg.Log = dir, slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, err := serve.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	})
	c, err := gossh.Dial("tcp", l.Addr().String(), &gossh.ClientConfig{
		User: "oncall", Auth: []gossh.AuthMethod{gossh.PublicKeys(signer)}, HostKeyCallback: gossh.InsecureIgnoreHostKey(),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// execOver runs cmd without a terminal and returns stdout, stderr and the
// exit status.
func execOver(t *testing.T, c *gossh.Client, cmd string) (string, string, int) {
	t.Helper()
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	var stdout, stderr strings.Builder
	sess.Stdout, sess.Stderr = &stdout, &stderr
	err = sess.Run(cmd)
	var exit *gossh.ExitError
	switch {
	case err == nil:
		return stdout.String(), stderr.String(), 0
	case errors.As(err, &exit):
		return stdout.String(), stderr.String(), exit.ExitStatus()
	}
	t.Fatalf("%s: %v", cmd, err)
	return "", "", 0
}

func TestServeExecSnapshot(t *testing.T) {
	c := startServe(t, serveOptions{demo: true})
	tests := []struct {
		cmd      string
		code     int
		contains string // in stdout for 0, stderr otherwise
	}{
		{"snapshot --service checkout --format md", 0, "checkout/availability"},
		{"snapshot --demo --format text", 0, "Incident snapshot: checkout/availability"},
		{"snapshot --format docx", 2, "docx"},
		{"snapshot --prometheus http://127.0.0.1:1", 2, "the server's backends are used"},
		{"snapshot --config /etc/passwd", 2, "the server's backends are used"},
		{"snapshot --context prod", 2, `context "prod" is not available`},
		{"top", 2, "usage: ssh"},
	}
	for _, tt := range tests {
		stdout, stderr, code := execOver(t, c, tt.cmd)
		out := stderr
		if tt.code == 0 {
			out = stdout
		}
		if code != tt.code || !strings.Contains(out, tt.contains) {
			t.Errorf("%s: exit %d, want %d; output lacks %q:\nstdout %q\nstderr %q", tt.cmd, code, tt.code, tt.contains, stdout, stderr)
		}
	}
}

func TestServeExecSnapshotBackendFailure(t *testing.T) {
	prom := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "overloaded", http.StatusServiceUnavailable)
	}))
	defer prom.Close()
	c := startServe(t, serveOptions{endpoints: endpointFlags{urls: map[string]string{"prometheus": prom.URL}}})
	stdout, stderr, code := execOver(t, c, "snapshot --format text")
	if code != exitBackend || !strings.Contains(stderr, "slo step failed (prometheus)") || stdout == "" {
		t.Errorf("exit %d, want %d with the partial snapshot:\nstdout %q\nstderr %q", code, exitBackend, stdout, stderr)
	}
}

func TestServeRefusesToStartWithoutKeysOrAudit(t *testing.T) {
	state := t.TempDir()
	t.Setenv("XDG_STATE_HOME", state)
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	var stderr strings.Builder
	if code := run([]string{"serve", "--demo", "--listen", "127.0.0.1:0"}, io.Discard, &stderr); code != exitUsage ||
		!strings.Contains(stderr.String(), filepath.Join(state, "redline", "authorized_keys")) {
		t.Errorf("without authorized keys: exit %d, %q", code, stderr.String())
	}
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.yaml")
	body := "serve:\n  authorized_keys: keys\n  audit_log: " + filepath.Join(dir, "missing", "audit.jsonl") + "\n"
	if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := run([]string{"serve", "--demo", "--config", cfg}, io.Discard, &stderr); code != exitUsage || !strings.Contains(stderr.String(), "serve.audit_log") {
		t.Errorf("with an unwritable audit log: exit %d, %q", code, stderr.String())
	}
}

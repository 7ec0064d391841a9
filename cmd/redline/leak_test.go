package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/cmd/redline/internal/serve"
	"github.com/redline-tui/redline/funnel/sanitize/sanitizetest"
	"github.com/redline-tui/redline/funnel/snapshot"
	"github.com/redline-tui/redline/ui"
	"github.com/redline-tui/redline/ui/uitest"
)

// The credentials of the leak test's config file, one style per role:
// metrics use basic_auth with a password file, traces an authorization
// credentials file, logs the userinfo of their URL; all send an API key.
const (
	leakPassword    = "pw-leak-3f9a1c77"
	leakToken       = "tok-leak-5b2e8d41"
	leakURLPassword = "url-leak-7d1e0b93"
	leakAPIKey      = "key-leak-9c4f2a60"
)

func leakForms() []string {
	var out []string
	for _, c := range [][2]string{{faultUser, leakPassword}, {"", leakToken}, {faultUser, leakURLPassword}, {"", leakAPIKey}} {
		out = append(out, sanitizetest.SecretForms(c[0], c[1])...)
	}
	return out
}

// echoModes are the ways the echoing backend answers.
var echoModes = []struct {
	name string
	echo http.HandlerFunc
}{
	{"401", echoCredentials(401, "text/plain", plainEcho)},
	{"500 JSON", echoCredentials(500, "application/json", jsonErrorEcho)},
	{"malformed 200", echoCredentials(200, "application/json", malformedEcho)},
}

// TestEchoedCredentialsNeverShow points each backend kind in turn at a
// server that echoes the request's credentials with hostile control
// characters (the others answer normally), and checks every output:
// `redline snapshot` in every format (stdout and stderr), `config check`,
// a snapshot over SSH, and the TUI's screen and saved snapshot.
func TestEchoedCredentialsNeverShow(t *testing.T) {
	for _, bc := range backendCases {
		for _, mode := range echoModes {
			t.Run(bc.name+"/"+mode.name, func(t *testing.T) {
				path, hits := leakSetup(t, bc, mode.echo)
				checkHeadless(t, bc, path, hits)
				checkConfigCheck(t, bc, path)
				checkExec(t, bc, path)
				checkTUI(t, bc, path)
			})
		}
	}
}

// leakSetup writes the config file: bc's kind at the echoing server, the
// other roles at healthy ones. hits counts the echoing server's answers.
func leakSetup(t *testing.T, bc backendCase, echo http.HandlerFunc) (string, *atomic.Int64) {
	dir := isolateConfig(t)
	hits := new(atomic.Int64)
	urls := map[config.Role]string{}
	keys := map[config.Role]string{config.Metrics: "prometheus", config.Traces: "tempo", config.Logs: "loki"}
	for _, spec := range backendSpecs {
		if spec.name == bc.name {
			keys[spec.role] = bc.name
		}
	}
	for role, key := range keys {
		handler := healthyHandler(key)
		if key == bc.name {
			handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { hits.Add(1); echo(w, r) })
		}
		srv := httptest.NewServer(handler)
		t.Cleanup(srv.Close)
		urls[role] = srv.URL
	}
	for name, body := range map[string]string{"pw.txt": leakPassword + "\n", "token.txt": leakToken} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	logsURL := strings.Replace(urls[config.Logs], "http://", "http://"+faultUser+":"+leakURLPassword+"@", 1)
	body := fmt.Sprintf(`contexts:
  leak:
    %s:
      url: %s
      headers: {X-Api-Key: %s}
      basic_auth: {username: %s, password_file: pw.txt}
    %s:
      url: %s
      headers: {X-Api-Key: %s}
      authorization: {credentials_file: token.txt}
    %s:
      url: %s
      headers: {X-Api-Key: %s}
snapshot: {dir: %s}
`, keys[config.Metrics], urls[config.Metrics], leakAPIKey, faultUser,
		keys[config.Traces], urls[config.Traces], leakAPIKey,
		keys[config.Logs], logsURL, leakAPIKey, filepath.Join(dir, "snapshots"))
	path := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return path, hits
}

// healthyHandler is the healthy server of a backend kind.
func healthyHandler(name string) http.Handler {
	for _, bc := range backendCases {
		if bc.name == name {
			return bc.healthy()
		}
	}
	panic("no backend case " + name)
}

func checkHeadless(t *testing.T, bc backendCase, path string, hits *atomic.Int64) {
	for _, f := range snapshot.Formats {
		before := hits.Load()
		var stdout, stderr bytes.Buffer
		code := run([]string{"snapshot", "--config", path, "--format", string(f)}, &stdout, &stderr)
		if hits.Load() == before {
			t.Fatalf("redline snapshot --format %s never asked %s (exit %d): %s", f, bc.name, code, stderr.String())
		}
		if code != exitBackend || !strings.Contains(stderr.String(), bc.name) {
			t.Errorf("redline snapshot --format %s: exit %d, stderr does not name %s: %s", f, code, bc.name, stderr.String())
		}
		assertClean(t, "snapshot --format "+string(f)+" stdout", stdout.String())
		assertClean(t, "snapshot --format "+string(f)+" stderr", stderr.String())
	}
}

func checkConfigCheck(t *testing.T, bc backendCase, path string) {
	var stdout, stderr bytes.Buffer
	code := run([]string{"config", "check", "--config", path}, &stdout, &stderr)
	if code != exitBackend || !strings.Contains(stdout.String(), "✖ FAILED  "+bc.name) {
		t.Errorf("config check: exit %d, %s not failed:\n%s", code, bc.name, stdout.String())
	}
	assertClean(t, "config check", stdout.String()+stderr.String())
}

// checkExec takes a snapshot as `ssh host snapshot` does.
func checkExec(t *testing.T, bc backendCase, path string) {
	shared, err := newSharedBackends(serveOptions{endpoints: endpointFlags{configPath: path}})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.close()
	var stdout, stderr bytes.Buffer
	code := shared.exec(context.Background(), serve.ExecRequest{
		Args: []string{"--format", "md"}, Stdout: &stdout, Stderr: &stderr,
		Context: shared.defaultName, Allowed: func(string) bool { return true },
	})
	if code != exitBackend || !strings.Contains(stderr.String(), bc.name) {
		t.Errorf("snapshot over SSH: exit %d, stderr does not name %s: %s", code, bc.name, stderr.String())
	}
	assertClean(t, "snapshot over SSH", stdout.String()+stderr.String())
	cfg, err := serveConfig(config.Serve{}, shared, &stderr)
	if err != nil || cfg.Secrets != secrets {
		t.Errorf("the audit log is not scrubbed of the process's secrets (%v)", err)
	}
}

// checkTUI walks to bc's pane, shows the snapshot overlay and saves the
// snapshot: the screen and the file hold no credential.
func checkTUI(t *testing.T, bc backendCase, path string) {
	b, code := liveBackends(endpointFlags{configPath: path}, &bytes.Buffer{})
	if code != 0 {
		t.Fatalf("opening the backends: exit %d", code)
	}
	defer b.close()
	opts := liveOptions(b)
	opts.Now, opts.Ticker = fixedNow, uitest.NeverTick
	d := uitest.New(t, ui.New(opts), 160, 48)
	d.Keys(bc.approach...)
	d.Keys("enter")
	failing := rawScreen(d)
	if !strings.Contains(ansiSGR.ReplaceAllString(failing, ""), "✖ "+bc.name) {
		t.Errorf("the pane does not show %s failing:\n%s", bc.name, failing)
	}
	assertClean(t, "the failing pane", failing)
	d.Keys("s")
	assertClean(t, "the snapshot overlay", rawScreen(d))
	d.Keys("y")
	files, _ := filepath.Glob(filepath.Join(opts.Snapshot.Dir, "*"))
	if len(files) == 0 {
		t.Fatalf("no snapshot saved in %s:\n%s", opts.Snapshot.Dir, rawScreen(d))
	}
	for _, f := range files {
		text, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		assertClean(t, "the saved snapshot", string(text))
	}
}

// ansiSGR matches the colour and style sequences the UI draws with; what
// is left of the screen must be plain text.
var ansiSGR = regexp.MustCompile(`\x1b\[[0-9;:]*m`)

// rawScreen is the root model's frame with only its own styling removed.
func rawScreen(d *uitest.Driver) string {
	return ansiSGR.ReplaceAllString(d.Model.(ui.Model).Render(), "")
}

// assertClean checks that out holds no form of a credential and no raw
// control character (tabs aside: a terminal draws them as spaces).
func assertClean(t *testing.T, what, out string) {
	t.Helper()
	if leak := sanitizetest.Leaked(out, leakForms()); leak != "" {
		i := strings.Index(out, leak)
		t.Errorf("%s shows the credential %q: …%s…", what, leak, out[max(i-80, 0):min(i+40, len(out))])
	}
	if !sanitizetest.Safe(strings.ReplaceAll(out, "\t", " ")) {
		t.Errorf("%s holds a raw control character: %q", what, out)
	}
}

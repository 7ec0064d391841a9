package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redline-tui/redline/cmd/redline/internal/config"
	"github.com/redline-tui/redline/sources/victorialogs"
)

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func isolateConfig(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	t.Setenv("REDLINE_CONFIG", "")
	return dir
}

func TestResolveContextFromFlags(t *testing.T) {
	isolateConfig(t)
	c, path, err := resolveForTest(endpointFlags{urls: map[string]string{"prometheus": "http://127.0.0.1:9090", "jaeger": "127.0.0.1:16685", "loki": "http://127.0.0.1:3100"}})
	if err != nil {
		t.Fatal(err)
	}
	if path != "" || c.Prometheus.URL != "http://127.0.0.1:9090" || c.Jaeger.GRPC != "127.0.0.1:16685" || c.Loki.URL != "http://127.0.0.1:3100" {
		t.Errorf("context = %+v, path %q", c, path)
	}
	if !c.Prometheus.HTTP.FollowRedirects {
		t.Error("flag endpoints lack Prometheus' HTTP defaults")
	}
	c, _, _ = resolveForTest(endpointFlags{urls: map[string]string{"prometheus": "http://p", "jaeger": "http://127.0.0.1:16686"}})
	if c.Jaeger.URL != "http://127.0.0.1:16686" || c.Jaeger.GRPC != "" {
		t.Errorf("--jaeger URL not taken as the HTTP API: %+v", c.Jaeger)
	}
}

func TestResolveContextFromFileAndOverrides(t *testing.T) {
	dir := isolateConfig(t)
	path := filepath.Join(dir, "redline", "config.yaml")
	os.MkdirAll(filepath.Dir(path), 0o700)
	os.WriteFile(path, []byte(`current-context: prod
contexts:
  prod:
    prometheus: {url: "http://prom:9090", tenant: t1}
    tempo: {url: "http://tempo:3200"}
  lab:
    prometheus: {url: "http://lab:9090"}
`), 0o600)
	c, got, err := resolveForTest(endpointFlags{})
	if err != nil || got != path || c.Name != "prod" || c.Prometheus.Tenant != "t1" {
		t.Fatalf("default context = %+v, %q, %v", c, got, err)
	}
	c, _, _ = resolveForTest(endpointFlags{context: "prod", urls: map[string]string{"jaeger": "127.0.0.1:16685"}})
	if c.Tempo != nil || c.Jaeger == nil || c.Prometheus.URL != "http://prom:9090" {
		t.Errorf("--jaeger did not replace the context's tempo: %+v", c)
	}
	c, _, _ = resolveForTest(endpointFlags{urls: map[string]string{"prometheus": "http://other:9090"}})
	if c.Name != "other:9090" || c.Prometheus.Tenant != "" {
		t.Errorf("one-off flags must not inherit the file's credentials or tenant: %+v", c.Prometheus)
	}
	if _, _, err := resolveForTest(endpointFlags{context: "nope"}); err == nil || !strings.Contains(err.Error(), "[lab prod]") {
		t.Errorf("unknown context error = %v", err)
	}
}

func TestRunWithBadConfigNamesFileKeyAndFix(t *testing.T) {
	dir := isolateConfig(t)
	path := filepath.Join(dir, "bad.yaml")
	os.WriteFile(path, []byte("contexts:\n  a:\n    loki:\n      url: http://l\n      basic_auth: {username: u, password_file: missing.txt}\n"), 0o600)
	var stdout, stderr bytes.Buffer
	code := run([]string{"config", "check", "--config", path}, &stdout, &stderr)
	msg := stderr.String()
	if code != exitUsage || !strings.Contains(msg, path) || !strings.Contains(msg, "basic_auth.password_file") || !strings.Contains(msg, "create the file") {
		t.Errorf("code %d, stderr %q", code, msg)
	}
}

func TestRunWithoutPrometheus(t *testing.T) {
	isolateConfig(t)
	var stdout, stderr bytes.Buffer
	code := run([]string{"--loki", "http://127.0.0.1:3100"}, &stdout, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--prometheus URL") {
		t.Errorf("code %d, stderr %q", code, stderr.String())
	}
}

func TestConfigCheckReportsUnreachableBackends(t *testing.T) {
	isolateConfig(t)
	prom, lokiAddr := deadAddr(t), deadAddr(t)
	var stdout, stderr bytes.Buffer
	code := run([]string{"config", "check", "--prometheus", "http://" + prom, "--loki", "http://" + lokiAddr}, &stdout, &stderr)
	out := stdout.String()
	if code != exitBackend {
		t.Fatalf("code %d, want %d; stdout %q stderr %q", code, exitBackend, out, stderr.String())
	}
	for _, want := range []string{"command-line flags: valid", "✖ FAILED  prometheus", "✖ FAILED  loki", "connection refused", "no trace backend", "2 of 2 backends failed"} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
}

func TestPingAllRunsInParallel(t *testing.T) {
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	block := func(ctx context.Context) ([]string, error) {
		started <- struct{}{}
		<-release
		return []string{"ok"}, nil
	}
	done := make(chan []checkResult)
	go func() {
		done <- pingAll(context.Background(), []check{{backend: "a", ping: block}, {backend: "b", ping: block}})
	}()
	<-started
	<-started // both pings are in flight before either returns
	close(release)
	if got := <-done; got[0].backend != "a" || got[1].backend != "b" || got[1].lines[0] != "ok" {
		t.Errorf("results = %+v", got)
	}
}

// resolveForTest is resolve for tests that need only the context and the
// file it came from.
func resolveForTest(f endpointFlags) (*config.Context, string, error) {
	r, err := resolve(f)
	return r.context, r.path, err
}

func TestConfigCheckHidesPasswordsInURLs(t *testing.T) {
	isolateConfig(t)
	var stdout, stderr bytes.Buffer
	run([]string{"config", "check", "--prometheus", "http://oncall:hunter2@" + deadAddr(t)}, &stdout, &stderr)
	if out := stdout.String() + stderr.String(); strings.Contains(out, "hunter2") || strings.Contains(out, "oncall") || !strings.Contains(out, "prometheus  http://127.0.0.1:") {
		t.Errorf("the password shows, or the endpoint is missing:\n%s", out)
	}
}

// TestBackendSpecsAgreeWithConfig holds every entry of the backend table to
// its config section (same key and role) and to its role when opened.
func TestBackendSpecsAgreeWithConfig(t *testing.T) {
	for _, spec := range backendSpecs {
		c := &config.Context{}
		spec.fromFlag(c, "http://127.0.0.1:1")
		s, ok := c.Section(spec.name)
		if !ok || s.Role != spec.role {
			t.Errorf("%s: flag sets section %+v (found %v), want role %s", spec.name, s, ok, spec.role)
			continue
		}
		o, err := spec.open(c, deps{})
		if err != nil {
			t.Errorf("%s: open: %v", spec.name, err)
			continue
		}
		got := map[config.Role]bool{config.Metrics: o.Metrics != nil, config.Traces: o.Traces != nil, config.Logs: o.Logs != nil, config.Alerts: o.alerts != nil}
		for role, set := range got {
			if set != (role == spec.role) {
				t.Errorf("%s: opened source for %s = %v, want only %s", spec.name, role, set, spec.role)
			}
		}
		if o.close != nil {
			o.close()
		}
		queried := spec.role != config.Alerts // alerts are read, not queried: no language, no Explore link
		if spec.usage == "" || spec.key == "" || queried && (spec.language == "" || spec.grafana.Type == "") {
			t.Errorf("%s: incomplete entry %+v", spec.name, spec)
		}
	}
}

func TestUsageListsEveryBackend(t *testing.T) {
	var stderr bytes.Buffer
	run([]string{"--help"}, io.Discard, &stderr)
	for _, spec := range backendSpecs {
		want := "--" + spec.name + " " + spec.metavar
		if !strings.Contains(stderr.String(), want+" ") || !strings.Contains(flagSynopsis(), want) {
			t.Errorf("usage lacks %q:\n%s", want, stderr.String())
		}
	}
}

func TestLiveOptionsSayHowToAddMissingBackends(t *testing.T) {
	isolateConfig(t)
	var stderr bytes.Buffer
	b, code := liveBackends(endpointFlags{urls: map[string]string{"prometheus": "http://" + deadAddr(t)}}, &stderr)
	if code != 0 {
		t.Fatalf("liveBackends: %d %s", code, stderr.String())
	}
	defer b.close()
	o := liveOptions(b)
	if o.Traces != nil || o.AddTraces != "start redline with --tempo URL or --jaeger ADDR" || o.AddLogs != "start redline with --loki URL or --victorialogs URL" {
		t.Errorf("traces %v, hints %q and %q", o.Traces, o.AddTraces, o.AddLogs)
	}
}

func TestVictoriaLogsLines(t *testing.T) {
	tests := []struct {
		info victorialogs.Info
		want string
	}{
		{victorialogs.Info{ServiceFields: []string{"service_name"}, TraceFields: []string{"trace_id"}, StreamFields: []string{"service_name"}, Fields: []string{"_msg"}},
			"service fields: service_name|trace ID fields: trace_id|stream fields: service_name"},
		{victorialogs.Info{Fields: []string{"_msg", "host"}},
			"no usual service field found; fields are _msg, host (pin one with victorialogs.service_field)|no trace ID field: trace IDs are looked for in _msg"},
		{victorialogs.Info{}, "no logs in the last hour"},
	}
	for _, tt := range tests {
		if got := strings.Join(victoriaLogsLines(tt.info), "|"); got != tt.want {
			t.Errorf("victoriaLogsLines(%+v) =\n%s\nwant\n%s", tt.info, got, tt.want)
		}
	}
}

// TestConfigCheckReportsCredentialFiles: config check says whether each
// credentials file is readable and private, and never prints its content.
func TestConfigCheckReportsCredentialFiles(t *testing.T) {
	dir := isolateConfig(t)
	write := func(name, body string, mode os.FileMode) {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), mode); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil { // past the umask
			t.Fatal(err)
		}
	}
	write("pw.txt", "check-password-0001\n", 0o644)
	write("token.txt", "check-token-0002", 0o600)
	if err := os.Mkdir(filepath.Join(dir, "key.d"), 0o700); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "config.yaml")
	write("config.yaml", fmt.Sprintf(`
contexts:
  prod:
    prometheus: {url: "http://%s", basic_auth: {username: oncall, password_file: pw.txt}}
    tempo: {url: "http://%s", authorization: {credentials_file: token.txt}}
    loki: {url: "http://%s", authorization: {type: Bearer, credentials_file: key.d}}
`, deadAddr(t), deadAddr(t), deadAddr(t)), 0o600)
	var stdout, stderr bytes.Buffer
	code := run([]string{"config", "check", "--config", path}, &stdout, &stderr)
	out := stdout.String() + stderr.String()
	if code != exitBackend {
		t.Errorf("exit %d, want %d", code, exitBackend)
	}
	for _, want := range []string{
		"basic_auth.password_file " + filepath.Join(dir, "pw.txt") + ": ⚠ readable, but mode 0644 is wider than 0600",
		"authorization.credentials_file " + filepath.Join(dir, "token.txt") + ": ✔ readable, mode 0600",
		"authorization.credentials_file " + filepath.Join(dir, "key.d") + ": ✖ not a regular file",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("check output lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "check-password") || strings.Contains(out, "check-token") {
		t.Errorf("check output shows a credential:\n%s", out)
	}
}

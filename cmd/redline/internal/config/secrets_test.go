package config

import (
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/redline-tui/redline/funnel/sanitize"
)

// TestAddSecretsEveryKind: every credential a context can hold is scrubbed,
// in the form a backend would echo it; safe headers and user names are not.
func TestAddSecretsEveryKind(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"pw.txt": "pw-from-file-0001\n", "cred.txt": "cred-from-file-0002", "client.txt": "client-secret-file-0003", "hdr.txt": "header-file-0004"}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "config.yaml")
	body := `
contexts:
  prod:
    jaeger_ui_url: https://ui-user:ui-password-0005@jaeger.example
    grafana: {url: "https://grafana-token-0006@grafana.example"}
    prometheus:
      url: https://url-user:url-password-0007@mimir.example
      tenant: team-a
      headers: {X-Api-Key: header-value-0008, X-Scope-OrgID: team-a-visible}
      basic_auth: {username: oncall, password_file: pw.txt}
      http_headers:
        X-Token: {secrets: [http-header-secret-0009], files: [hdr.txt]}
    tempo:
      url: http://tempo:3200
      authorization: {credentials_file: cred.txt}
    loki:
      url: http://loki:3100
      oauth2: {client_id: redline, client_secret_file: client.txt, token_url: "http://auth.example/token"}
`
	c := parseContext(t, path, body)
	s := sanitize.NewSecrets()
	c.AddSecrets(s)
	leaks := []string{
		"pw-from-file-0001", "cred-from-file-0002", "client-secret-file-0003", "header-file-0004",
		"ui-password-0005", "grafana-token-0006", "url-password-0007", "header-value-0008", "http-header-secret-0009",
		base64.StdEncoding.EncodeToString([]byte("oncall:pw-from-file-0001")),
		base64.StdEncoding.EncodeToString([]byte("url-user:url-password-0007")),
	}
	for _, secret := range leaks {
		if got := s.Scrub("echo: " + secret); got != "echo: "+sanitize.Redacted {
			t.Errorf("%s is not scrubbed: %q", secret, got)
		}
	}
	for _, kept := range []string{"team-a-visible", "oncall", "url-user", "mimir.example"} {
		if got := s.Scrub("echo: " + kept); got != "echo: "+kept {
			t.Errorf("%s is scrubbed, but it is no secret: %q", kept, got)
		}
	}
	want := []CredentialFile{{"basic_auth.password_file", filepath.Join(dir, "pw.txt"), true}, {"http_headers.X-Token.files", filepath.Join(dir, "hdr.txt"), true}}
	if got := c.Prometheus.CredentialFiles(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("CredentialFiles = %v, want %v", got, want)
	}
}

func parseContext(t *testing.T, path, body string) *Context {
	t.Helper()
	f, err := Parse(path, []byte(body))
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.Context("prod")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestClientAddsOAuth2Tokens: a token the client obtains with OAuth2 is no
// configured secret, yet a backend echoing it is scrubbed.
func TestClientAddsOAuth2Tokens(t *testing.T) {
	const token = "obtained-oauth2-token-0010"
	auth := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":3600}`, token)
	}))
	defer auth.Close()
	backend := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "rejected %s", r.Header.Get("Authorization"))
	}))
	defer backend.Close()
	c := parseContext(t, filepath.Join(t.TempDir(), "config.yaml"), fmt.Sprintf(`
contexts:
  prod:
    prometheus:
      url: %s
      oauth2: {client_id: redline, client_secret: client-secret-0011, token_url: %q}
`, backend.URL, auth.URL))
	s := sanitize.NewSecrets()
	c.AddSecrets(s)
	hc, err := c.Prometheus.HTTPClient("prometheus")
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(backend.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(body), token) {
		t.Fatalf("the backend did not echo the token: %q", body)
	}
	if got := s.Scrub(string(body)); got != "rejected Bearer "+sanitize.Redacted {
		t.Errorf("the obtained token is not scrubbed: %q", got)
	}
}

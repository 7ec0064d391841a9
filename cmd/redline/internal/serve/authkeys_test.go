package serve

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestAuthorizedKeysSkipMalformedLinesAndReload(t *testing.T) {
	alice, bob, carol := newSigner(t), newSigner(t), newSigner(t)
	path := filepath.Join(t.TempDir(), "authorized_keys")
	body := "# the on-call rotation\n" +
		authorizedLine(alice) + " alice\n" +
		"ssh-ed25519 not-base64!! mallory\n" +
		`from="10.0.0.0/8" ` + authorizedLine(carol) + " carol\n" +
		`contexts="lab, prod-eu" ` + authorizedLine(bob) + " bob\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	var log syncBuffer
	k, err := newKeyring(path, slog.New(slog.NewTextHandler(&log, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"line=3", "line=4", `option \"from=`} {
		if !strings.Contains(log.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, log.String())
		}
	}
	if g, ok := k.lookup(alice.PublicKey()); !ok || !g.allows("anything") {
		t.Errorf("alice: %v %v", g, ok)
	}
	if _, ok := k.lookup(carol.PublicKey()); ok {
		t.Error("a key with an unsupported restriction was let in")
	}
	g, ok := k.lookup(bob.PublicKey())
	if !ok || !g.allows("prod-eu") || !g.allows("lab") || g.allows("demo") {
		t.Errorf("bob: %+v %v", g, ok)
	}

	if err := os.WriteFile(path, []byte(authorizedLine(carol)+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	if _, ok := k.lookup(alice.PublicKey()); ok {
		t.Error("alice still in after the file dropped her")
	}
	if _, ok := k.lookup(carol.PublicKey()); !ok {
		t.Error("carol not in after the file added her")
	}
}

func TestKeyRestrictedToOtherContextsCannotOpenTheFunnel(t *testing.T) {
	ts := startServer(t, Config{})
	restricted := newSigner(t)
	line := `contexts="prod-eu" ` + authorizedLine(restricted) + "\n" + authorizedLine(ts.user) + "\n"
	if err := os.WriteFile(ts.keys, []byte(line), 0o600); err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)
	if err := os.Chtimes(ts.keys, later, later); err != nil {
		t.Fatal(err)
	}
	out, err := ts.session(t, "bob", restricted, true).CombinedOutput("")
	if err == nil || !strings.Contains(string(out), `your key may not use context "demo" (it may use prod-eu)`) {
		t.Errorf("restricted key: %v, %q", err, out)
	}
}

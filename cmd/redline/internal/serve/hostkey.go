package serve

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	gossh "golang.org/x/crypto/ssh"
)

// DefaultStateDir is where redline serve keeps its host key and the
// snapshots users save: $XDG_STATE_HOME/redline, else
// ~/.local/state/redline.
func DefaultStateDir() (string, error) {
	if state := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(state) {
		return filepath.Join(state, "redline"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("serve: no state directory: set XDG_STATE_HOME or HOME: %w", err)
	}
	return filepath.Join(home, ".local", "state", "redline"), nil
}

// hostSigner loads the host key at path, generating an ed25519 key (mode
// 0600, in a 0700 directory) when there is none. It refuses a key that
// anyone but its owner may read.
func hostSigner(path string) (gossh.Signer, error) {
	info, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		if err = generateHostKey(path); err == nil {
			info, err = os.Stat(path)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("serve: host key %s: %w", path, err)
	}
	if perm := info.Mode().Perm(); perm&0o077 != 0 {
		return nil, fmt.Errorf("serve: host key %s is readable by others (mode %04o): run chmod 600 %s", path, perm, path)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("serve: host key: %w", err)
	}
	signer, err := gossh.ParsePrivateKey(data)
	if err != nil {
		return nil, fmt.Errorf("serve: host key %s: %w", path, err)
	}
	return signer, nil
}

// generateHostKey writes a new ed25519 private key in OpenSSH format.
func generateHostKey(path string) error {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return err
	}
	block, err := gossh.MarshalPrivateKey(key, "redline serve host key")
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if err := pem.Encode(f, block); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}

package serve

import (
	"bufio"
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	gossh "golang.org/x/crypto/ssh"
)

// contextsOption restricts a key to some contexts:
// contexts="prod-eu,lab" ssh-ed25519 AAAA… alice@laptop
const contextsOption = "contexts="

// grant is what an authorized key may do.
type grant struct {
	// contexts the key may use; nil means every context.
	contexts []string
}

// allows reports whether the key may use the named context.
func (g grant) allows(context string) bool {
	return g.contexts == nil || slices.Contains(g.contexts, context)
}

// keyring is the authorized_keys file, read again whenever its size or
// modification time changes.
type keyring struct {
	path string
	log  *slog.Logger

	mu      sync.Mutex
	modTime time.Time
	size    int64
	keys    map[string]grant // by the key's wire form
}

// newKeyring reads path once; a missing or unreadable file is an error at
// start (later it only locks everyone out until it is back).
func newKeyring(path string, log *slog.Logger) (*keyring, error) {
	k := &keyring{path: path, log: log}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("serve: authorized keys: %w (create it with the OpenSSH public keys of the users to let in)", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.reload()
	return k, nil
}

// lookup returns the grant of key, reloading the file first if it changed.
func (k *keyring) lookup(key gossh.PublicKey) (grant, bool) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.reload()
	g, ok := k.keys[string(key.Marshal())]
	return g, ok
}

// reload reads the file when its size or modification time changed.
func (k *keyring) reload() {
	info, err := os.Stat(k.path)
	if err != nil {
		if k.keys != nil {
			k.log.Error("authorized keys unreadable: nobody can log in", "file", k.path, "err", err)
		}
		k.keys, k.modTime, k.size = nil, time.Time{}, 0
		return
	}
	if k.keys != nil && info.ModTime().Equal(k.modTime) && info.Size() == k.size {
		return
	}
	data, err := os.ReadFile(k.path)
	if err != nil {
		k.log.Error("authorized keys unreadable: nobody can log in", "file", k.path, "err", err)
		k.keys = nil
		return
	}
	k.keys = parseAuthorizedKeys(data, func(line int, err error) {
		k.log.Warn("authorized keys: line skipped", "file", k.path, "line", line, "err", err)
	})
	k.modTime, k.size = info.ModTime(), info.Size()
	k.log.Info("authorized keys loaded", "file", k.path, "keys", len(k.keys))
}

// parseAuthorizedKeys reads OpenSSH authorized_keys lines; skip is told
// the number and the fault of each line that is not a usable key.
func parseAuthorizedKeys(data []byte, skip func(line int, err error)) map[string]grant {
	keys := map[string]grant{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, _, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			skip(n, err)
			continue
		}
		g, err := parseOptions(options)
		if err != nil {
			skip(n, err)
			continue
		}
		keys[string(key.Marshal())] = g
	}
	if err := sc.Err(); err != nil {
		skip(0, err)
	}
	return keys
}

// parseOptions reads the options before a key. Only contexts="…" is
// understood: any other option (from=, command=…) would be a restriction
// silently not applied, so it rejects the key.
func parseOptions(options []string) (grant, error) {
	var g grant
	for _, o := range options {
		v, ok := strings.CutPrefix(o, contextsOption)
		if !ok {
			return grant{}, fmt.Errorf("option %q is not supported (only %s\"name,…\")", o, contextsOption)
		}
		g.contexts = []string{}
		for c := range strings.SplitSeq(strings.Trim(v, `"`), ",") {
			if c = strings.TrimSpace(c); c != "" {
				g.contexts = append(g.contexts, c)
			}
		}
	}
	return g, nil
}

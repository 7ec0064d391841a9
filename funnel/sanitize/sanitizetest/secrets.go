package sanitizetest

import (
	"encoding/base64"
	"net/url"
	"strings"
)

// SecretForms lists the forms in which a backend can echo a credential:
// the secret itself, "Bearer secret", its URL escape, its base64, and the
// base64 of "user:secret" alone and as "Basic …". Empty parts are skipped.
func SecretForms(user, secret string) []string {
	if secret == "" {
		return nil
	}
	b64 := base64.StdEncoding.EncodeToString
	basic := b64([]byte(user + ":" + secret))
	return []string{
		secret, "Bearer " + secret, url.QueryEscape(secret), b64([]byte(secret)),
		basic, strings.TrimRight(basic, "="), "Basic " + basic,
	}
}

// Leaked returns the first of forms that out contains, "" when none.
func Leaked(out string, forms []string) string {
	for _, f := range forms {
		if f != "" && strings.Contains(out, f) {
			return f
		}
	}
	return ""
}

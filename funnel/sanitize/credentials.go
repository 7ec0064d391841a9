package sanitize

import (
	"regexp"
	"strings"
)

// userinfo matches the credentials of a URL written in text: everything
// between "scheme://" and the last "@" of the authority, as net/url reads it.
var userinfo = regexp.MustCompile(`([A-Za-z][A-Za-z0-9+.\-]*://)[^/?#\s]*@`)

// StripUserinfo drops "user:password@" from every URL in s, so a URL with
// credentials written into a config file, an error or a query can be shown
// and pasted. It is the one place credentials leave URLs.
func StripUserinfo(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return userinfo.ReplaceAllString(s, "$1")
}

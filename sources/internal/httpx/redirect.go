package httpx

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// maxRedirects is how many redirects one request follows, as net/http's
// default policy: a redirect loop ends there.
const maxRedirects = 10

// RedirectError is a redirect a client refused to follow: to another
// origin, when the endpoint follows none, or one too many (a loop).
type RedirectError struct {
	Backend string
	// Configured and Target are the origins (scheme://host:port) of the
	// configured URL and of the redirect; only the origin is kept, never a
	// path or query a server chose.
	Configured, Target string
	Reason             string
}

func (e *RedirectError) Error() string {
	return fmt.Sprintf("%s: redirect to %s not followed: %s", e.Backend, e.Target, e.Reason)
}

// FollowSameOrigin returns a copy of hc (nil: http.DefaultClient) that
// follows a redirect only within the origin of the request it started
// from, the configured URL's: the same scheme, host and port (the scheme's
// default port when none is written). The headers, credentials and tenant
// of an endpoint are set on every request, so a redirect anywhere else is
// refused rather than followed with them (or, without them, answered by
// another tenant's data). A redirect the client would not follow
// (follow_redirects: false) and the eleventh of one request are refused
// too; every refusal is a *RedirectError naming the target's origin and
// the setting to change.
func FollowSameOrigin(backend string, hc *http.Client) *http.Client {
	if hc == nil {
		hc = http.DefaultClient
	}
	out := *hc
	next := hc.CheckRedirect
	out.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		configured, target := origin(via[0].URL), origin(req.URL)
		refuse := func(reason string) error {
			return &RedirectError{Backend: backend, Configured: configured, Target: target, Reason: reason}
		}
		if next != nil {
			if err := next(req, via); errors.Is(err, http.ErrUseLastResponse) {
				return refuse("follow_redirects is false for " + backend)
			} else if err != nil {
				return err
			}
		}
		switch {
		case target != configured:
			return refuse(fmt.Sprintf("another host than %s.url (%s), the only one sent its headers, "+
				"credentials and tenant; set %[1]s.url to the new address if the backend moved", backend, configured))
		case len(via) >= maxRedirects:
			return refuse(fmt.Sprintf("stopped after %d redirects (a redirect loop?)", maxRedirects))
		}
		return nil
	}
	return &out
}

// origin is u's scheme://host:port, lower-cased, with the scheme's default
// port made explicit.
func origin(u *url.URL) string {
	scheme, port := strings.ToLower(u.Scheme), u.Port()
	if port == "" {
		port = map[string]string{"http": "80", "https": "443"}[scheme]
	}
	host := strings.ToLower(u.Hostname())
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return scheme + "://" + host + ":" + port
}

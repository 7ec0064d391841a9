package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
)

func TestOrigin(t *testing.T) {
	for raw, want := range map[string]string{
		"http://Mimir.Example/prometheus": "http://mimir.example:80",
		"https://mimir.example":           "https://mimir.example:443",
		"HTTPS://mimir.example:8443/x?y":  "https://mimir.example:8443",
		"http://127.0.0.1:9090":           "http://127.0.0.1:9090",
		"http://[::1]:3100/loki":          "http://[::1]:3100",
	} {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		if got := origin(u); got != want {
			t.Errorf("origin(%s) = %s, want %s", raw, got, want)
		}
	}
}

// counted serves h and counts the requests it got.
func counted(t *testing.T, h http.HandlerFunc) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func redirectTo(target string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
	}
}

func TestFollowSameOrigin(t *testing.T) {
	// The other host is the same server under another name: only the
	// origin differs, so only the policy can keep the request away.
	other, otherHits := counted(t, func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("other")) })
	otherURL := strings.Replace(other.URL, "127.0.0.1", "localhost", 1)
	var loops atomic.Int32
	var srv *httptest.Server
	srv, _ = counted(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved":
			http.Redirect(w, r, "/new?x=1", http.StatusMovedPermanently)
		case "/new":
			w.Write([]byte("new " + r.Header.Get(TenantHeader)))
		case "/away":
			redirectTo(otherURL+"/stolen")(w, r)
		case "/port":
			redirectTo(other.URL+"/stolen")(w, r)
		case "/https":
			redirectTo(strings.Replace(srv.URL, "http:", "https:", 1)+"/new")(w, r)
		case "/loop":
			loops.Add(1)
			redirectTo("/loop")(w, r)
		}
	})
	get := func(hc *http.Client, path string) (string, error) {
		c, err := New("loki", srv.URL, hc, 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		c.Tenant = "team-a"
		body, err := c.Get(context.Background(), path, nil, nil)
		return string(body), err
	}

	if body, err := get(nil, "/moved"); body != "new team-a" || err != nil {
		t.Errorf("same-origin redirect: %q, %v; want it followed with the tenant", body, err)
	}
	for _, path := range []string{"/away", "/port", "/https"} {
		_, err := get(nil, path)
		var re *RedirectError
		if !errors.As(err, &re) || re.Configured != origin(mustParse(t, srv.URL)) {
			t.Fatalf("%s: error %v, want a *RedirectError from the configured origin", path, err)
		}
		for _, want := range []string{"loki: redirect to " + re.Target + " not followed: another host than loki.url (" + re.Configured + ")"} {
			if !strings.Contains(err.Error(), want) {
				t.Errorf("%s: error %q lacks %q", path, err, want)
			}
		}
		if strings.Contains(err.Error(), "stolen") {
			t.Errorf("%s: error %q repeats the redirect's path", path, err)
		}
	}
	if n := otherHits.Load(); n != 0 {
		t.Errorf("the other origin got %d requests, want none", n)
	}

	_, err := get(nil, "/loop")
	if err == nil || !strings.Contains(err.Error(), "stopped after 10 redirects") || loops.Load() != maxRedirects {
		t.Errorf("loop: %v after %d requests, want a stop after %d", err, loops.Load(), maxRedirects)
	}

	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if _, err := get(noFollow, "/moved"); err == nil || !strings.Contains(err.Error(), "follow_redirects is false for loki") {
		t.Errorf("follow_redirects false: %v, want a refusal naming the setting", err)
	}
	veto := errors.New("vetoed")
	vetoing := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return veto }}
	if _, err := get(vetoing, "/moved"); !errors.Is(err, veto) {
		t.Errorf("the client's own policy was dropped: %v", err)
	}
}

func mustParse(t *testing.T, raw string) *url.URL {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

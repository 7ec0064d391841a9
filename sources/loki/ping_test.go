package loki

import (
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// pingServer answers /ready and buildinfo as Loki 3 does, then defers to f.
func pingServer(t *testing.T, f *fakeLoki, ready string, readyCode int) *Client {
	t.Helper()
	mux := http.NewServeMux()
	mux.HandleFunc(pathReady, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(readyCode)
		_, _ = w.Write([]byte(ready))
	})
	mux.HandleFunc(pathBuildInfo, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"version":"3.7.8","revision":"a1b2c3d","branch":"HEAD","buildUser":"root@ci","buildDate":"2026-10-01T00:00:00Z","goVersion":"go1.25.3"}`))
	})
	mux.Handle("/loki/api/v1/", f)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := New(Config{URL: srv.URL, Tenant: "redline-it", ServiceLabel: "svc"})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestPing(t *testing.T) {
	f := newFakeLoki()
	f.labels = []string{"job", "level", "service_name", "svc"}
	c := pingServer(t, f, "ready\n", http.StatusOK)
	info, err := c.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if info.Version != "3.7.8" || info.Revision != "a1b2c3d" || info.GoVersion != "go1.25.3" ||
		!slices.Equal(info.ServiceLabels, []string{"svc", "service_name", "job"}) || len(info.Labels) != 4 {
		t.Errorf("info = %+v", info)
	}
	reqs := f.requests()
	if len(reqs) != 1 || reqs[0].path != pathLabels || reqs[0].header.Get("X-Scope-OrgID") != "redline-it" {
		t.Errorf("label requests %+v: want one labels request with the tenant", reqs)
	}
}

func TestPingFailures(t *testing.T) {
	tests := []struct {
		name      string
		ready     string
		readyCode int
		labelCode int
		want      []string
	}{
		{"ingester not ready", "Ingester not ready: waiting for 15s after being ready\n", http.StatusServiceUnavailable, 0,
			[]string{"loki: HTTP 503", "Ingester not ready"}},
		{"odd ready answer", "starting\x1b[2J", http.StatusOK, 0, []string{"loki: not ready: starting"}},
		{"auth enabled, no tenant", "ready", http.StatusOK, http.StatusUnauthorized, []string{"401", "no org id", "tenant"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLoki()
			if tt.labelCode != 0 {
				f.status[pathLabels], f.errBody = tt.labelCode, "no org id"
			}
			c := pingServer(t, f, tt.ready, tt.readyCode)
			_, err := c.Ping(context.Background())
			for _, w := range tt.want {
				if err == nil || !strings.Contains(err.Error(), w) {
					t.Errorf("error %v lacks %q", err, w)
				}
			}
		})
	}
}

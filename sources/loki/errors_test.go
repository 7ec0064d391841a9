package loki

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/redline-tui/redline/sources/internal/httpx"
)

func TestTraceLogsErrors(t *testing.T) {
	tests := []struct {
		name    string
		path    string // where the failure is served
		code    int
		body    string
		cfg     Config
		want    []string
		wantErr error
	}{
		{"401 without tenant", pathLabels, http.StatusUnauthorized, "no org id\n", Config{},
			[]string{"loki: ", "401", "no org id", "tenant", "X-Scope-OrgID"}, nil},
		{"400 parse error quotes the query", pathQueryRange, http.StatusBadRequest,
			"parse error at line 1, col 26: syntax error: unexpected IDENTIFIER\n", Config{},
			[]string{"loki: HTTP 400", "parse error at line 1", "query was {service_name=~"}, nil},
		{"max entries", pathQueryRange, http.StatusBadRequest,
			"max entries limit per query exceeded, limit > max_entries_limit_per_query (1000 > 500)\n", Config{},
			[]string{"max entries limit per query exceeded", "lower limit in the loki endpoint's config to at most 500"}, nil},
		{"429", pathQueryRange, http.StatusTooManyRequests, "too many outstanding requests\n", Config{},
			[]string{"loki: HTTP 429", "too many outstanding requests", "rate limited"}, nil},
		{"500", pathQueryRange, http.StatusInternalServerError, "rpc error: code = Unavailable\n", Config{},
			[]string{"loki: HTTP 500", "rpc error"}, nil},
		{"502 from a proxy", pathLabels, http.StatusBadGateway, "<html><body>bad gateway</body></html>", Config{},
			[]string{"loki: HTTP 502", "bad gateway"}, nil},
		{"too large", pathQueryRange, 0, "", Config{MaxBody: 64},
			[]string{"loki: answer too large"}, httpx.ErrTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeLoki()
			if tt.code != 0 {
				f.status[tt.path] = tt.code
				f.errBody = tt.body
			}
			c := f.start(t, tt.cfg)
			_, err := c.TraceLogs(context.Background(), shopQuery())
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
			var se *httpx.StatusError
			if tt.code != 0 && (!errors.As(err, &se) || se.Code != tt.code) {
				t.Errorf("error %v does not unwrap to a %d StatusError", err, tt.code)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
		})
	}
}

func TestTraceLogsMalformedAnswer(t *testing.T) {
	f := newFakeLoki()
	f.answers[qMetadata] = []byte(`{"status":"success","data":{"resultType":"streams","result":[{"stream":{},"values":[["oops"`)
	f.answers[qText] = []byte(`not json`)
	c := f.start(t, Config{})
	_, err := c.TraceLogs(context.Background(), shopQuery())
	if err == nil || !strings.Contains(err.Error(), "loki: malformed query_range answer") {
		t.Errorf("error = %v, want a malformed-answer error", err)
	}
}

// One failed probe is a warning when the other answered.
func TestTraceLogsOneProbeFails(t *testing.T) {
	f := newFakeLoki()
	f.answers[qMetadata] = []byte(`{"status":"error"}`)
	f.answers[qText] = streamsJSON(true, nil, fixtureStream{labels: shopLabels, entries: []fixtureEntry{cartText}})
	c := f.start(t, Config{})
	res, err := c.TraceLogs(context.Background(), shopQuery())
	if err != nil {
		t.Fatal(err)
	}
	assertLines(t, res.Lines, []string{cartText.body})
	want := `structured metadata trace_id query failed: loki: query_range answered status "error"`
	if len(res.Warnings) != 1 || res.Warnings[0] != want {
		t.Errorf("warnings %q, want [%q]", res.Warnings, want)
	}
}

func TestTraceLogsTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c, err := New(Config{URL: srv.URL, HTTPClient: &http.Client{Timeout: 50 * time.Millisecond}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TraceLogs(context.Background(), shopQuery())
	if err == nil || !strings.Contains(err.Error(), "loki: timed out") {
		t.Errorf("error = %v, want a loki timeout", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = c.TraceLogs(ctx, shopQuery())
	if err == nil || !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "loki: request cancelled") {
		t.Errorf("error = %v, want a loki cancellation", err)
	}
}

func TestTraceLogsConnectionRefused(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, err := New(Config{URL: url})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TraceLogs(context.Background(), shopQuery())
	if err == nil || !strings.Contains(err.Error(), "loki: connection refused") {
		t.Errorf("error = %v, want connection refused", err)
	}
}

func TestNewValidatesConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want string
	}{
		{"no URL", Config{}, "not a URL"},
		{"bad scheme", Config{URL: "ftp://loki:3100"}, "scheme"},
		{"limit above Loki's default cap", Config{URL: "http://l", Limit: 5001}, "1–5000"},
		{"negative limit", Config{URL: "http://l", Limit: -1}, "out of range"},
		{"negative shift", Config{URL: "http://l", Shift: -time.Second}, "negative"},
		{"direction", Config{URL: "http://l", Direction: "sideways"}, "forward or backward"},
		{"service label", Config{URL: "http://l", ServiceLabel: "service.name"}, "not a Loki label name"},
		{"service labels", Config{URL: "http://l", ServiceLabels: []string{"app", "k8s-app"}}, `"k8s-app"`},
		{"trace field", Config{URL: "http://l", TraceField: "yaml:trace"}, "not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := New(tt.cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "loki: ") {
				t.Errorf("New error = %v, want a loki error mentioning %q", err, tt.want)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{URL: "http://127.0.0.1:3100"})
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "loki" || c.limit != 1000 || c.shift != 30*time.Second || c.direction != "forward" ||
		len(c.serviceLabels) != len(DefaultServiceLabels) || c.pinnedPlan != nil {
		t.Errorf("defaults: name %s limit %d shift %s direction %s labels %v plan %v",
			c.Name(), c.limit, c.shift, c.direction, c.serviceLabels, c.pinnedPlan)
	}
}

package victorialogs

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/redline-tui/redline/sources/internal/httpx"
)

func TestTraceLogsErrors(t *testing.T) {
	tests := []struct {
		name    string
		path    string
		code    int
		body    string
		lines   string
		cfg     Config
		want    []string
		wantErr error
	}{
		{"400 quotes the query", pathQuery, http.StatusBadRequest,
			"cannot parse `query` arg [x(]: missing whitespace\n", "", Config{},
			[]string{"victorialogs: HTTP 400", "cannot parse", "query was _time:["}, nil},
		{"401 from an auth proxy", pathStreamFieldNames, http.StatusUnauthorized, "Unauthorized\n", "", Config{},
			[]string{"victorialogs: HTTP 401", "check credentials"}, nil},
		{"503", pathFieldNames, http.StatusServiceUnavailable, "storage is unavailable\n", "", Config{},
			[]string{"victorialogs: HTTP 503", "storage is unavailable"}, nil},
		{"too large", "", 0, "", "", Config{MaxBody: 64},
			[]string{"victorialogs: answer too large", "max_response_bytes"}, httpx.ErrTooLarge},
		{"malformed line", "", 0, "", `{"_msg":"x","_time":"2026-11-21T20:00:01Z"}` + "\n{not json\n", Config{},
			[]string{"victorialogs: malformed answer: entry 2"}, errMalformed},
		{"line without a time", "", 0, "", `{"_msg":"x"}` + "\n", Config{},
			[]string{"victorialogs: malformed answer: entry 1: no _time"}, errMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeVL()
			if tt.code != 0 {
				f.status[tt.path] = tt.code
				f.errBody = tt.body
			}
			if tt.lines != "" {
				f.lines = tt.lines
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
				t.Errorf("error %v is not a StatusError %d", err, tt.code)
			}
			if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
				t.Errorf("error %v is not %v", err, tt.wantErr)
			}
		})
	}
}

func TestTraceLogsUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	c, err := New(Config{URL: "http://" + addr})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TraceLogs(context.Background(), shopQuery())
	if err == nil || !strings.Contains(err.Error(), "victorialogs: connection refused") {
		t.Errorf("error %v, want the backend named and the refusal in words", err)
	}
}

func TestTraceLogsRefusesBadInput(t *testing.T) {
	c, err := New(Config{URL: "http://127.0.0.1:1"})
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []struct{ trace, span string }{{"not-hex", ""}, {tid, "xyz"}, {tid + "00", ""}} {
		q2 := shopQuery()
		q2.TraceID, q2.SpanID = q.trace, q.span
		if _, err := c.TraceLogs(context.Background(), q2); err == nil || !strings.HasPrefix(err.Error(), "victorialogs: ") {
			t.Errorf("trace %q span %q: error %v, want a victorialogs error", q.trace, q.span, err)
		}
	}
}

func TestNewValidates(t *testing.T) {
	for _, cfg := range []Config{
		{URL: "127.0.0.1:9428"},
		{URL: "http://x", Limit: MaxLimit + 1},
		{URL: "http://x", Shift: -1},
		{URL: "http://x", Tenant: "a:b"},
		{URL: "http://x", Tenant: "1:2:3"},
		{URL: "http://x", Tenant: "4294967296"},
	} {
		if _, err := New(cfg); err == nil || !strings.HasPrefix(err.Error(), "victorialogs: ") {
			t.Errorf("New(%+v) = %v, want a victorialogs error", cfg, err)
		}
	}
}

func TestParseTenant(t *testing.T) {
	tests := []struct{ in, account, project string }{
		{"", "", ""}, {"12", "12", "0"}, {"12:3", "12", "3"}, {" 0:0 ", "0", "0"}, {"4294967295:7", "4294967295", "7"},
	}
	for _, tt := range tests {
		h, err := ParseTenant(tt.in)
		if err != nil {
			t.Fatalf("ParseTenant(%q): %v", tt.in, err)
		}
		if h.Get("AccountID") != tt.account || h.Get("ProjectID") != tt.project {
			t.Errorf("ParseTenant(%q) = %v, want AccountID %q ProjectID %q", tt.in, h, tt.account, tt.project)
		}
	}
}

package sanitize

import (
	"net/url"
	"testing"
)

func TestStripUserinfo(t *testing.T) {
	tests := map[string]string{
		"http://user:pw@host:9090/x":                      "http://host:9090/x",
		"see https://a@b@host/p and http://u:p@other?q=1": "see https://host/p and http://other?q=1",
		"http://host/path?email=a@b.example":              "http://host/path?email=a@b.example",
		"http://host#frag@x":                              "http://host#frag@x",
		"no url: user@host":                               "no url: user@host",
		"grpc://tok@jaeger:16685":                         "grpc://jaeger:16685",
	}
	for in, want := range tests {
		got := StripUserinfo(in)
		if got != want {
			t.Errorf("StripUserinfo(%q) = %q, want %q", in, got, want)
		}
		if u, err := url.Parse(got); err == nil && u.User != nil {
			t.Errorf("StripUserinfo(%q) = %q still parses with credentials", in, got)
		}
	}
}

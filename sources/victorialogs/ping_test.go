package victorialogs

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestPing(t *testing.T) {
	f := newFakeVL()
	c := f.start(t, Config{ServiceField: "app", Tenant: "7"})
	info, err := c.Ping(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(info.ServiceFields, []string{"service_name"}) || !slices.Equal(info.TraceFields, []string{"trace_id"}) ||
		!slices.Equal(info.StreamFields, []string{"job", "service_name"}) || len(info.Fields) != 7 {
		t.Errorf("info %+v", info)
	}
	reqs := f.take()
	if reqs[0].path != pathHealth || reqs[1].header.Get("AccountID") != "7" {
		t.Errorf("requests %+v, want /health first and the tenant on field listings", reqs)
	}
}

func TestPingNotHealthy(t *testing.T) {
	f := newFakeVL()
	f.status[pathHealth] = 503
	f.errBody = "shutting down"
	c := f.start(t, Config{})
	if _, err := c.Ping(context.Background()); err == nil || !strings.Contains(err.Error(), "victorialogs: HTTP 503") {
		t.Errorf("error %v", err)
	}
}

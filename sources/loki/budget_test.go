package loki

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redline-tui/redline/sources/budget"
)

// TestDeclaredHugeAnswersRefusedUnread: two lookups at once, each sending
// its probes in parallel, against a Loki whose every query_range answer
// declares 200 MB: each answer is refused on its Content-Length, before
// its body is read (the body never comes, so reading would hang until the
// deadline), and the shared budget is whole again afterwards.
func TestDeclaredHugeAnswersRefusedUnread(t *testing.T) {
	f := newFakeLoki()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != pathQueryRange {
			f.ServeHTTP(w, r)
			return
		}
		f.ServeHTTP(httptest.NewRecorder(), r) // records the query
		w.Header().Set("Content-Length", "200000000")
		io.WriteString(w, `{"status":"success","data":{"resultType":"streams","result":[`)
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	t.Cleanup(srv.Close)
	shared := budget.New(0)
	c, err := New(Config{URL: srv.URL, HTTPClient: srv.Client(), Budget: shared})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i := range errs {
		wg.Go(func() { _, errs[i] = c.TraceLogs(ctx, shopQuery()) })
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "loki: answer too large: response body larger than 64 MiB (raise max_response_bytes") {
			t.Errorf("lookup %d: error = %v, want the answers refused as too large", i, err)
		}
	}
	if n := len(f.queries()); n < 2 {
		t.Errorf("%d query_range requests, want at least one per lookup", n)
	}
	if n := shared.InUse(); n != 0 {
		t.Errorf("%d bytes of the budget still held", n)
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"time"
)

// loadPattern is the repeating mix of requests the load generator sends:
// half cart, a third items, the rest checkouts.
var loadPattern = []string{
	"cart", "items", "cart", "checkout", "cart", "items", "cart", "items", "cart", "checkout",
	"cart", "items", "cart", "items", "cart", "checkout", "cart", "items", "cart", "items",
}

// generateLoad sends rps requests a second to the shop at baseURL for d, then
// waits for the requests still in flight. It is bounded in time and count.
func generateLoad(ctx context.Context, baseURL string, d time.Duration, rps float64) {
	if rps <= 0 {
		return
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	client := &http.Client{Timeout: 10 * time.Second}
	ticker := time.NewTicker(time.Duration(float64(time.Second) / rps))
	defer ticker.Stop()
	var inFlight sync.WaitGroup
	defer inFlight.Wait()
	log.Printf("testsvc: load generator: %.1f req/s for %s", rps, d)
	for i := 0; ; i++ {
		select {
		case <-ctx.Done():
			log.Printf("testsvc: load generator done after %d requests", i)
			return
		case <-ticker.C:
			req := loadRequest(baseURL, i)
			inFlight.Go(func() { send(client, req) })
		}
	}
}

// loadRequest is the i-th request of the pattern. It does not inherit the
// generator's context, so the last requests finish when the load ends.
func loadRequest(baseURL string, i int) *http.Request {
	var req *http.Request
	switch loadPattern[i%len(loadPattern)] {
	case "checkout":
		req, _ = http.NewRequest(http.MethodPost, baseURL+"/api/checkout", nil)
	case "items":
		req, _ = http.NewRequest(http.MethodGet, fmt.Sprintf("%s/api/items/%d", baseURL, i%500+1), nil)
	default:
		req, _ = http.NewRequest(http.MethodGet, baseURL+"/api/cart", nil)
	}
	return req
}

func send(client *http.Client, req *http.Request) {
	resp, err := client.Do(req)
	if err != nil {
		log.Printf("testsvc: load request %s %s: %v", req.Method, req.URL.Path, err)
		return
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

package serve

import (
	"fmt"
	"testing"
	"time"
)

func TestFailuresCountConnectionsNotKeyOffers(t *testing.T) {
	clock := time.Date(2026, 12, 4, 6, 0, 0, 0, time.UTC)
	f := newFailures(3, time.Minute)
	f.now = func() time.Time { return clock }

	// One connection whose agent offers six keys the server does not know
	// is one failed login.
	for range 6 {
		f.record("10.0.0.1", "10.0.0.1:50000")
	}
	if f.blocked("10.0.0.1") {
		t.Fatal("six key offers on one connection blocked the host")
	}
	for i := 1; i < 3; i++ {
		f.record("10.0.0.1", fmt.Sprintf("10.0.0.1:%d", 50000+i))
	}
	if !f.blocked("10.0.0.1") {
		t.Fatal("three failed connections in the period did not block the host")
	}
	if f.blocked("10.0.0.2") {
		t.Fatal("another host is blocked")
	}
	clock = clock.Add(time.Minute)
	if f.blocked("10.0.0.1") {
		t.Fatal("the host is still blocked after the period")
	}
}

package jaeger

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain fails the package if any test leaves a goroutine behind (gRPC
// streams and connections included).
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

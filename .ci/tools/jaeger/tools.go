//go:build tools

// Package tools pins Jaeger v2 so `go build github.com/jaegertracing/jaeger/cmd/jaeger`
// resolves against this module's go.mod.
package tools

import _ "github.com/jaegertracing/jaeger/cmd/jaeger"

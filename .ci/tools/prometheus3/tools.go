//go:build tools

// Package tools pins the prometheus3 build so `go build` of its command resolves
// against this module's go.mod.
package tools

import _ "github.com/prometheus/prometheus/cmd/prometheus"

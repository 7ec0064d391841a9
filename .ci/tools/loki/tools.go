//go:build tools

// Package tools pins Loki so `go build github.com/grafana/loki/v3/cmd/loki`
// resolves against this module's go.mod.
package tools

import _ "github.com/grafana/loki/v3/cmd/loki"

//go:build tools

// Package tools pins the victorialogs build so `go build` of its command resolves
// against this module's go.mod.
package tools

import _ "github.com/VictoriaMetrics/VictoriaLogs/app/victoria-logs"

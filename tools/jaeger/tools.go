//go:build tools

// Package tools pins Jaeger's all-in-one trace backend (github.com/jaegertracing/jaeger/cmd/all-in-one, a main
// package) so that `go build github.com/jaegertracing/jaeger/cmd/all-in-one` builds it with this module's go.sum.
// In-memory storage, OTLP receiver and query API; the module carries no web UI assets, so only the API answers.
package tools

import _ "github.com/jaegertracing/jaeger/cmd/all-in-one"

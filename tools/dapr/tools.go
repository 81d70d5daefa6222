//go:build tools

// Package tools pins the Dapr control-plane binaries built from the same module as daprd.
package tools

import (
	_ "github.com/dapr/dapr/cmd/placement"
	_ "github.com/dapr/dapr/cmd/scheduler"
	_ "github.com/dapr/dapr/cmd/sentry"
)

//go:build tools

// Package tools pins the Dapr CLI (github.com/dapr/cli, a main package) so that
// `go build -o dapr github.com/dapr/cli` builds it with the versions in this module's go.sum.
package tools

import _ "github.com/dapr/cli"

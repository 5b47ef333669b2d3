//go:build tools

// Package cli pins the Pulumi CLI so that `go build` can compile it from the
// module cache. Nothing here is compiled into the project.
package cli

import (
	_ "github.com/pulumi/pulumi/pkg/v3/cmd/pulumi"
)

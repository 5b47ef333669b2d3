//go:build tools

// The operator command that build.sh compiles.
package tools

import _ "github.com/prometheus-operator/prometheus-operator/cmd/operator"

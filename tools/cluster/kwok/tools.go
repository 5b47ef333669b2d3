//go:build tools

// The kwok command that build.sh compiles.
package tools

import _ "sigs.k8s.io/kwok/cmd/kwok"

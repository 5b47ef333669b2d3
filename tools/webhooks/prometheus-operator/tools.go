//go:build tools

// The admission webhook command that build.sh compiles.
package tools

import _ "github.com/prometheus-operator/prometheus-operator/cmd/admission-webhook"

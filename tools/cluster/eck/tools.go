//go:build tools

// The operator command that build.sh compiles.
package tools

import _ "github.com/elastic/cloud-on-k8s/v3/cmd"

//go:build tools

// The etcd server command (server/main.go) that build.sh compiles.
package tools

import _ "go.etcd.io/etcd/server/v3"

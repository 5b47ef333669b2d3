#!/usr/bin/env bash
# Builds yaml-oracle (main.go: a YAML stream read as the Kubernetes provider reads Helm's output,
# printed as one JSON document per line) into a content-addressed cache directory, and prints
# that directory's bin/ path on stdout (everything else goes to stderr).
#
#   tools/yaml-oracle/build.sh        build if needed, print <cache>/yaml-oracle/<hash>/bin
#
# The cache is ${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/yaml-oracle/<hash>/, where
# <hash> covers go.mod, go.sum, main.go, this script, tools/lib.sh and the Go toolchain version:
# an unchanged input set is a no-op (tools/lib.sh cache_open). The tests run it in a `before` hook.
#
# Needs Go (>= 1.24) and, on a cold module cache, the Go module proxy; nothing is written to the
# repository.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

log() { printf '[yaml-oracle/build] %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
. "$here/../lib.sh"

command -v go >/dev/null || { log "go is not installed"; exit 1; }

hash="$({
    cat "$here/go.mod" "$here/go.sum" "$here/main.go" "$here/build.sh" "$here/../lib.sh"
    go env GOVERSION GOOS GOARCH
} | sha256sum | cut -c1-16)"
cache_open yaml-oracle "$hash"

start=$SECONDS
# go.sum pins every module; a build that would change go.mod or go.sum fails instead.
export GOFLAGS="-mod=readonly ${GOFLAGS:-}"
# -buildvcs=false: the binary is keyed by the hash above, not by the checkout's git state.
(cd "$here" && CGO_ENABLED=0 go build -trimpath -buildvcs=false -o "$bin/yaml-oracle" .) >"$dir/build.log" 2>&1 || {
    log "build failed, see $dir/build.log"
    tail -n 30 "$dir/build.log" >&2
    exit 1
}
log "built in $((SECONDS - start))s: $bin"
cache_done

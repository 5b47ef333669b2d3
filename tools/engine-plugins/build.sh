#!/usr/bin/env bash
# Builds this repository's stand-ins for the two providers the Go module proxy does not serve
# (tools/engine/README.md: what they implement and what differs from the real ones):
#
#   pulumi-resource-random                   random:index/randomPassword:RandomPassword (4.21.2)
#   pulumi-resource-kubernetes-cert-manager  kubernetes-cert-manager:index:CertManager (0.2.0)
#
# into ${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/engine-plugins/<hash>/bin, <hash>
# over this script, ../lib.sh, the Go version and every go.mod, go.sum and .go file here. They
# live outside tools/engine so that a change to them never invalidates the engine's own cache
# (about 30 min cold); this build takes about a minute once the engine's packages are in Go's
# build cache, whose sdk/v3 and grpc versions these pin.
#
#   build.sh           build if needed; the last stdout line is the bin directory
#   build.sh --cached  print the bin directory if built, else exit 1
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf 'engine-plugins: %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
. "$here/../lib.sh"

command -v go >/dev/null || { log "go is not on PATH"; exit 1; }
hash="$(
    cd "$here"
    {
        cat build.sh ../lib.sh
        go env GOVERSION GOOS GOARCH
        find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) | LC_ALL=C sort | while read -r f; do
            printf '%s\n' "$f"
            cat "$f"
        done
    } | sha256sum | cut -c1-16
)"
if [[ "${1:-}" == "--cached" ]]; then
    d="${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/engine-plugins/$hash"
    [[ -f "$d/.complete" ]] || exit 1
    echo "$d/bin"
    exit 0
fi
cache_open engine-plugins "$hash"
export GOFLAGS="-mod=readonly ${GOFLAGS:-}" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED="${CGO_ENABLED:-0}"
for name in pulumi-resource-random pulumi-resource-kubernetes-cert-manager; do
    start=$SECONDS
    (cd "$here" && go build -trimpath -ldflags "-s -w" -o "$bin/$name.tmp" "./cmd/$name")
    mv -f "$bin/$name.tmp" "$bin/$name"
    log "built $name in $((SECONDS - start)) s"
done
cache_done

#!/usr/bin/env bash
# Builds the Jaeger v2 binary (github.com/jaegertracing/jaeger/cmd/jaeger) into a
# content-addressed cache directory and prints that directory's bin/ path on stdout
# (everything else goes to stderr).
#
#   tools/jaeger/build.sh                       build if needed, print <cache>/jaeger/<hash>/bin
#
# Which module version is Jaeger 2.19.0?
#   The Go module is github.com/jaegertracing/jaeger (no /v2 suffix), so the v2.x.y git tags are
#   not usable module versions. Until Jaeger 2.13.0 every release was tagged twice and the
#   module's CHANGELOG.md heads each release "v1.N.0 / v2.M.0": v1.73.0 = v2.10.0, v1.74.0 =
#   v2.11.0, v1.75.0 = v2.12.0, v1.76.0 = v2.13.0. From 2.14.0 on (after v1's end of life) only
#   v2.x.y tags exist, so Jaeger 2.19.0 (the chart's appVersion) has no v1.x module version;
#   the go command can reach it only as a pseudo-version of its commit
#   (v1.76.1-0.20260603131707-48f1e46121d1), which the module proxy used here does not serve.
#   Default: v1.76.0 (= Jaeger 2.13.0), the newest release the proxy serves. Set
#   JAEGER_MODULE_VERSION=v1.76.1-0.20260603131707-48f1e46121d1 where that pseudo-version can be
#   downloaded, to build the exact deployed version.
#
# The cache is ${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/jaeger/<hash>/ with <hash>
# over this script, tools/lib.sh, the Go version and the module version; an unchanged input set
# is a no-op (tools/lib.sh cache_open).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
JAEGER_MODULE=github.com/jaegertracing/jaeger
JAEGER_MODULE_VERSION="${JAEGER_MODULE_VERSION:-v1.76.0}"

log() { printf '[jaeger/build] %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
. "$here/../lib.sh"

command -v go >/dev/null || { log "go is not installed"; exit 1; }

# The Jaeger v2 release a module version stands for, for the binary's --version.
v2_release() {
    case "$1" in
        v1.73.0) echo v2.10.0 ;; v1.74.0) echo v2.11.0 ;; v1.75.0) echo v2.12.0 ;; v1.76.0) echo v2.13.0 ;;
        *-48f1e46121d1) echo v2.19.0 ;;
        *) echo "$1" ;;
    esac
}

src_id="$JAEGER_MODULE@$JAEGER_MODULE_VERSION"
release="$(v2_release "$JAEGER_MODULE_VERSION")"
what="$src_id (Jaeger $release)"

hash="$({ cat "$here/build.sh" "$here/../lib.sh"; go env GOVERSION GOOS GOARCH; echo "$src_id"; } | sha256sum | cut -c1-16)"
cache_open jaeger "$hash" "$what"

start=$SECONDS
ldflags="-s -w -X $JAEGER_MODULE/internal/version.latestVersion=$release -X $JAEGER_MODULE/internal/version.commitSHA=$src_id"
log "building $what"
# The module's go.mod has a replace directive, which `go install module@version` refuses, so
# build it as a tool dependency of a throwaway module in the cache directory, carrying the same
# replacement so the build list matches the release's.
wrap="$dir/module"
rm -rf "$wrap" && mkdir -p "$wrap"
(
    cd "$wrap"
    go mod init observability-platform/tools/jaeger-build >/dev/null 2>&1
    go mod edit -replace=github.com/Shopify/sarama=github.com/Shopify/sarama@v1.33.0
    go get -tool "$JAEGER_MODULE/cmd/jaeger@$JAEGER_MODULE_VERSION"
    CGO_ENABLED=0 go build -trimpath -ldflags "$ldflags" -o "$bin/jaeger" "$JAEGER_MODULE/cmd/jaeger"
) >"$dir/build.log" 2>&1 || { log "build failed, see $dir/build.log"; tail -n 30 "$dir/build.log" >&2; exit 1; }
"$bin/jaeger" version >&2 || true
log "built in $((SECONDS - start))s: $bin"
cache_done

#!/usr/bin/env bash
# Builds the node agent's collector (otelcol-agent), a loopback OTLP sink (otelcol-sink) and
# telemetrygen into a content-addressed cache directory, and prints that directory's bin/ path
# on stdout (everything else goes to stderr).
#
#   tools/otelcol/build.sh            build if needed, print <cache>/otelcol/<hash>/bin
#
# The cache is ${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/otelcol/<hash>/, where
# <hash> covers the two builder manifests, this script, tools/lib.sh, the Go toolchain version and
# the tool versions below: an unchanged input set is a no-op (tools/lib.sh cache_open).
#
# Needs Go (>= 1.25) and the Go module proxy; nothing is written to the repository.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# The OpenTelemetry Collector Builder of the release the agent image is built from
# (otel/opentelemetry-collector-contrib:0.148.0).
BUILDER_VERSION=v0.148.0
# telemetrygen drives the benchmark only. Its module (contrib's cmd/telemetrygen) has no v0.148.0
# on the module proxy; v0.149.0 is the nearest published version. It speaks plain OTLP, so the
# one-release gap does not affect what the agent is measured with.
TELEMETRYGEN_VERSION=v0.149.0

log() { printf '[otelcol/build] %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
. "$here/../lib.sh"

command -v go >/dev/null || { log "go is not installed"; exit 1; }

hash="$({
    cat "$here/builder-config.yaml" "$here/sink-builder-config.yaml" "$here/build.sh" "$here/../lib.sh"
    go env GOVERSION GOOS GOARCH
    echo "builder=$BUILDER_VERSION telemetrygen=$TELEMETRYGEN_VERSION"
} | sha256sum | cut -c1-16)"
cache_open otelcol "$hash"

start=$SECONDS
mkdir -p "$dir/tools"

log "installing the collector builder $BUILDER_VERSION"
GOBIN="$dir/tools" go install "go.opentelemetry.io/collector/cmd/builder@$BUILDER_VERSION"

for manifest in builder-config.yaml sink-builder-config.yaml; do
    log "building from $manifest"
    # output_path in the manifests is relative: run from the cache directory.
    (cd "$dir" && "$dir/tools/builder" --config="$here/$manifest") >"$dir/build-${manifest%.yaml}.log" 2>&1 || {
        log "builder failed, see $dir/build-${manifest%.yaml}.log"
        tail -n 30 "$dir/build-${manifest%.yaml}.log" >&2
        exit 1
    }
done
cp "$dir/otelcol-agent-src/otelcol-agent" "$dir/otelcol-sink-src/otelcol-sink" "$bin/"

log "installing telemetrygen $TELEMETRYGEN_VERSION"
GOBIN="$bin" go install "github.com/open-telemetry/opentelemetry-collector-contrib/cmd/telemetrygen@$TELEMETRYGEN_VERSION"

"$bin/otelcol-agent" --version >&2
log "built in $((SECONDS - start))s: $bin"
cache_done

#!/usr/bin/env bash
# Builds the webhook servers the lab runs for real (scripts/lab/serve.ts) from the Go module proxy
# into a cache keyed by their pins:
#
#   ${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/webhooks/<hash>/bin
#
# <hash> covers every go.mod, go.sum and .go file under tools/webhooks plus this script and
# ../lib.sh. Apart from tools/cluster, so that adding a webhook never rebuilds the control plane:
#
#   prometheus-operator-admission-webhook   prometheus-operator v0.93.1 cmd/admission-webhook (prometheus-operator/)
#
# Not yet here: cert-manager v1.19.1's controller, webhook and cainjector (scripts/lab/serve.ts
# runs them as `cert-manager <role>`). The proxy serves the main module only; the upstream
# binaries' own modules (cmd/*, named `.../controller-binary` etc.) it does not, so they need a
# main of our own (issue 24).
#
# Go's build cache is shared with every other build on the machine. The last line on stdout is
# always the bin directory; `--cached` exits 1 instead of building.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf 'webhooks: %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
source "$here/../lib.sh"

hash="$(
    cd "$here"
    { printf '%s\n' build.sh ../lib.sh; find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \); } |
        LC_ALL=C sort -u | while read -r f; do printf '%s ' "$f"; sha256sum <"$f"; done | sha256sum | cut -c1-16
)"
[[ "${1:-}" == "--cached" ]] && { [[ -f "${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/webhooks/$hash/.complete" ]] || exit 1; }
cache_open webhooks "$hash" "the lab's webhook servers"
command -v go >/dev/null || { log "go is not on PATH"; exit 1; }
export GOFLAGS="-mod=readonly -trimpath" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0

build() {
    local name="$1" moddir="$2" pkg="$3" start=$SECONDS
    log "building $name ($pkg)"
    (cd "$here/$moddir" && go build -ldflags "-s -w" -o "$bin/$name.partial" "$pkg") >"$dir/$name.log" 2>&1 ||
        { cat "$dir/$name.log" >&2; log "FAILED: $name (log: $dir/$name.log)"; exit 1; }
    mv "$bin/$name.partial" "$bin/$name"
    log "built $name in $((SECONDS - start)) s"
}

build prometheus-operator-admission-webhook prometheus-operator github.com/prometheus-operator/prometheus-operator/cmd/admission-webhook
cache_done

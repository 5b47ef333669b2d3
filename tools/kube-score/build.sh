#!/usr/bin/env bash
# Builds kube-score (github.com/zegl/kube-score, the peer checker `npm run bench:policies`
# measures the policy checker against) into a content-addressed cache directory and prints that
# directory's bin/ path on stdout (everything else goes to stderr).
#
#   tools/kube-score/build.sh             build if needed, print <cache>/kube-score/<hash>/bin
#   tools/kube-score/build.sh --cached    exit 1 unless the build is already cached
#
# The cache is ${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/kube-score/<hash>/ with
# <hash> over this script, tools/lib.sh, the Go version and the module version.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KUBE_SCORE_MODULE=github.com/zegl/kube-score
KUBE_SCORE_VERSION=v1.20.0

log() { printf '[kube-score/build] %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
. "$here/../lib.sh"

command -v go >/dev/null || { log "go is not installed"; exit 1; }

src_id="$KUBE_SCORE_MODULE@$KUBE_SCORE_VERSION"
hash="$({ cat "$here/build.sh" "$here/../lib.sh"; go env GOVERSION GOOS GOARCH; echo "$src_id"; } | sha256sum | cut -c1-16)"
[[ "${1:-}" == "--cached" ]] && { [[ -f "${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/kube-score/$hash/.complete" ]] || exit 1; }
cache_open kube-score "$hash" "$src_id"

start=$SECONDS
log "building $src_id"
# Its go.mod has no replace directive, so `go install module@version` builds exactly the
# release's build list; the version is stamped as its own release build stamps it (main.version).
GOBIN="$bin" CGO_ENABLED=0 go install -trimpath -ldflags "-s -w -X main.version=${KUBE_SCORE_VERSION#v}" \
    "$KUBE_SCORE_MODULE/cmd/kube-score@$KUBE_SCORE_VERSION" >"$dir/build.log" 2>&1 \
    || { log "build failed, see $dir/build.log"; tail -n 30 "$dir/build.log" >&2; exit 1; }
"$bin/kube-score" version >&2 || true
log "built in $((SECONDS - start))s: $bin"
cache_done

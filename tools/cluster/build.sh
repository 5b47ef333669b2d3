#!/usr/bin/env bash
# Builds the lab cluster's programs from the Go module proxy into a cache keyed by their pins:
#
#   ${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/cluster/<hash>/bin
#
# <hash> covers every go.mod, go.sum and .go file under tools/cluster plus this script. Each
# program has a module of its own because their dependency graphs conflict (etcd's grpc and
# OpenTelemetry against Kubernetes 1.34's; the operators' controller-runtime against both):
#
#   etcd                      go.etcd.io/etcd/server/v3 v3.6.16            (etcd/)
#   kube-apiserver            k8s.io/kubernetes v1.34.4                     (kubernetes/)
#   kube-controller-manager   k8s.io/kubernetes v1.34.4                     (kubernetes/)
#   kube-scheduler            k8s.io/kubernetes v1.34.4                     (kubernetes/)
#   kwok                      sigs.k8s.io/kwok v0.8.0                       (kwok/)
#   prometheus-operator       prometheus-operator v0.93.1, kube-prometheus-stack 88.5.3's appVersion
#   eck-operator              github.com/elastic/cloud-on-k8s/v3 v3.5.0     (eck/)
#
# Cold, on 2 busy cores: kube-apiserver, -controller-manager and -scheduler together about 10 min,
# etcd 1.5 min, kwok 2.5 min, each operator a few minutes; Go's build cache (GOCACHE) is shared
# with every other build on the machine, so a pin change rebuilds only what changed. The last line
# on stdout is always the bin directory.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
log() { printf 'cluster: %s\n' "$*" >&2; }
# shellcheck source=../lib.sh
source "$here/../lib.sh"

KUBE_VERSION=v1.34.4

hash="$(
    cd "$here"
    { printf '%s\n' build.sh ../lib.sh; find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \); } |
        LC_ALL=C sort -u | while read -r f; do printf '%s ' "$f"; sha256sum <"$f"; done | sha256sum | cut -c1-16
)"
[[ "${1:-}" == "--cached" ]] && { [[ -f "${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/cluster/$hash/.complete" ]] || exit 1; }
cache_open cluster "$hash" "Kubernetes $KUBE_VERSION lab"
command -v go >/dev/null || { log "go is not on PATH"; exit 1; }
export GOFLAGS="-mod=readonly -trimpath" GOTOOLCHAIN="${GOTOOLCHAIN:-local}" CGO_ENABLED=0

# build NAME MODULE_DIR PACKAGE [LDFLAGS]: one binary into bin/, its wall time logged.
build() {
    local name="$1" moddir="$2" pkg="$3" start=$SECONDS
    log "building $name ($pkg)"
    (cd "$here/$moddir" && go build -ldflags "-s -w ${4:-}" -o "$bin/$name.partial" "$pkg") >"$dir/$name.log" 2>&1 ||
        { cat "$dir/$name.log" >&2; log "FAILED: $name (log: $dir/$name.log)"; exit 1; }
    mv "$bin/$name.partial" "$bin/$name"
    log "built $name in $((SECONDS - start)) s"
}

# Kubernetes stamps its version at link time; without it every component reports v0.0.0 and
# kubectl's version skew check and the apiserver's /version disagree with the render's target.
kube_ld=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    kube_ld+=" -X $pkg.gitVersion=$KUBE_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=34 -X $pkg.gitTreeState=clean"
done
for cmd in kube-apiserver kube-controller-manager kube-scheduler; do
    build "$cmd" kubernetes "k8s.io/kubernetes/cmd/$cmd" "$kube_ld"
done
build etcd etcd go.etcd.io/etcd/server/v3
build kwok kwok sigs.k8s.io/kwok/cmd/kwok
build prometheus-operator prometheus-operator github.com/prometheus-operator/prometheus-operator/cmd/operator
build eck-operator eck github.com/elastic/cloud-on-k8s/v3/cmd
# kwok's stages (node heartbeat, pod phases) ship in its module, not its binary: the lab reads them
# from the module cache at the pinned version.
(cd "$here/kwok" && go list -m -f '{{.Dir}}' sigs.k8s.io/kwok) >"$dir/kwok-module-dir"
cache_done

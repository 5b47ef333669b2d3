#!/usr/bin/env bash
# Builds the Pulumi engine pieces this project runs `pulumi preview`/`up` with,
# from the Go module proxy only, into a cache keyed by the pins:
#
#   ${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}/engine/<hash>/bin
#
# <hash> covers every go.mod, go.sum and Go source under tools/engine plus this
# script, so a pin change builds a new directory and an unchanged tree is a
# no-op. The last line on stdout is always the bin directory.
#
# Binaries:
#   pulumi                      the CLI (github.com/pulumi/pulumi/pkg/v3)
#   pulumi-language-nodejs      this repo's own Node.js language host (cli/cmd/)
#   pulumi-resource-kubernetes  the Kubernetes provider
#
# Put the bin directory first on PATH: the CLI takes language hosts and
# providers named pulumi-language-<x> / pulumi-resource-<x> from PATH
# ("ambient" plugins) unless PULUMI_IGNORE_AMBIENT_PLUGINS is set, and it does
# not compare an ambient provider's version with the one the SDK asks for.
#
# Env: OBS_TOOLS_CACHE (cache root), OBS_ENGINE_FORCE=1 (rebuild),
#      OBS_ENGINE_ONLY="pulumi ..." (build a subset; the cache stays incomplete).
set -euo pipefail

# Pins. The proxy does not serve pkg/v3 v3.270.0 (the version of
# @pulumi/pulumi in package.json); v3.274.1 is the nearest it serves.
PULUMI_VERSION=3.274.1
# pulumi-kubernetes' provider module has no tags of its own; the proxy serves
# one pseudo-version, the commit tagged v4.25.0 (package.json has 4.34.2).
K8S_MODULE=github.com/pulumi/pulumi-kubernetes/provider/v4
K8S_MODULE_VERSION=v4.0.0-20260115033456-f47bc2d6f199
K8S_VERSION=4.25.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache_root="${OBS_TOOLS_CACHE:-$HOME/.cache/observability-platform}"

log() { printf 'engine: %s\n' "$*" >&2; }

pin_hash() {
  (
    cd "$here"
    {
      printf '%s\n' build.sh
      find . -type f \( -name go.mod -o -name go.sum -o -name '*.go' \) -not -path './*/testdata/*'
    } | LC_ALL=C sort -u | while read -r f; do
      printf '%s\n' "$f"
      sha256sum <"$f"
    done
  ) | sha256sum | cut -c1-16
}

hash="$(pin_hash)"
dest="$cache_root/engine/$hash"
bin="$dest/bin"
all_bins=(pulumi pulumi-language-nodejs pulumi-resource-kubernetes)
wanted=(${OBS_ENGINE_ONLY:-${all_bins[*]}})

complete() {
  [[ -f "$dest/.complete" ]] || return 1
  local b
  for b in "${all_bins[@]}"; do [[ -x "$bin/$b" ]] || return 1; done
}

# --cached: print the bin dir if this pin set is already built, else exit 1 without building.
if [[ "${1:-}" == "--cached" ]]; then
  complete && { printf '%s\n' "$bin"; exit 0; }
  exit 1
fi

if [[ "${OBS_ENGINE_FORCE:-}" != 1 ]] && complete; then
  log "up to date ($dest)"
  printf '%s\n' "$bin"
  exit 0
fi

command -v go >/dev/null || { log "go is not on PATH"; exit 1; }
mkdir -p "$bin" "$dest/logs" "$dest/gen"

# One build at a time per cache directory.
exec 9>"$dest/.lock"
if command -v flock >/dev/null; then flock 9; fi
if [[ "${OBS_ENGINE_FORCE:-}" != 1 ]] && complete; then
  printf '%s\n' "$bin"
  exit 0
fi

export GOFLAGS="-mod=readonly ${GOFLAGS:-}"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export CGO_ENABLED="${CGO_ENABLED:-0}"

# The Kubernetes minor that the provider's client-go (v0.N.x) targets.
client_go="$(cd "$here/kubernetes" && go list -m -f '{{.Version}}' k8s.io/client-go)"
kube_minor="$(printf '%s' "$client_go" | cut -d. -f2)"

# go_build NAME MODULE_DIR PACKAGE [extra go build args...]
# Records wall time and peak RSS (GNU time) under $dest/logs.
go_build() {
  local name="$1" moddir="$2" pkg="$3"
  shift 3
  local out="$bin/$name.tmp.$$" start end
  log "building $name ($pkg)"
  start=$(date +%s)
  local timer=()
  if [[ -x /usr/bin/time ]]; then timer=(/usr/bin/time -v -o "$dest/logs/$name.time"); fi
  if ! (cd "$here/$moddir" && "${timer[@]}" go build -trimpath "$@" -o "$out" "$pkg") \
      >"$dest/logs/$name.log" 2>&1; then
    cat "$dest/logs/$name.log" >&2
    rm -f "$out"
    log "FAILED: $name (log: $dest/logs/$name.log)"
    return 1
  fi
  mv -f "$out" "$bin/$name"
  end=$(date +%s)
  local rss=""
  if [[ -f "$dest/logs/$name.time" ]]; then
    rss=$(awk -F': ' '/Maximum resident set size/ {printf "%d MiB", $2/1024}' "$dest/logs/$name.time")
  fi
  log "built $name in $((end - start))s${rss:+, peak RSS of go build $rss}"
}

# Build a binary when asked for and not already built into this directory
# (a rerun after a failed build keeps the binaries that did build).
want() {
  [[ " ${wanted[*]} " == *" $1 "* ]] || return 1
  [[ "${OBS_ENGINE_FORCE:-}" == 1 || ! -x "$bin/$1" ]]
}

if want pulumi; then
  go_build pulumi cli github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
    -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=v$PULUMI_VERSION"
fi

if want pulumi-language-nodejs; then
  go_build pulumi-language-nodejs cli ./cmd/pulumi-language-nodejs \
    -ldflags "-s -w -X main.version=$PULUMI_VERSION"
fi

if want pulumi-resource-kubernetes; then
  # Upstream's main package embeds schema-embed.json and
  # terraform-mapping-embed.json, generated by its Makefile and absent from
  # the module zip. kubernetes/cmd/pulumi-resource-kubernetes is our own
  # main package with the same embeds: generate the two files (stamping the
  # provider version into the schema) and lay them into that directory with
  # -overlay (go refuses overlays under GOMODCACHE, hence our own main).
  (cd "$here/kubernetes" && go mod download "$K8S_MODULE")
  k8s_dir="$(cd "$here/kubernetes" && go list -m -f '{{.Dir}}' "$K8S_MODULE")"
  [[ "$(cd "$here/kubernetes" && go list -m -f '{{.Version}}' "$K8S_MODULE")" == "$K8S_MODULE_VERSION" ]] || {
    log "kubernetes/go.mod does not pin $K8S_MODULE@$K8S_MODULE_VERSION"
    exit 1
  }
  src="$k8s_dir/cmd/pulumi-resource-kubernetes"
  main_dir="$here/kubernetes/cmd/pulumi-resource-kubernetes"
  embedjson="$dest/gen/embedjson"
  (cd "$here/embedjson" && go build -trimpath -o "$embedjson" .)
  "$embedjson" -in "$src/schema.json" -out "$dest/gen/schema-embed.json" -version "$K8S_VERSION"
  "$embedjson" -in "$src/terraform-mapping.json" -out "$dest/gen/terraform-mapping-embed.json"
  cat >"$dest/gen/overlay.json" <<EOF
{"Replace": {
  "$main_dir/schema-embed.json": "$dest/gen/schema-embed.json",
  "$main_dir/terraform-mapping-embed.json": "$dest/gen/terraform-mapping-embed.json"
}}
EOF
  # Without a cluster, Helm templates charts against chartutil's default
  # capabilities, whose Kubernetes version is 1.20 unless set at link time
  # (Helm's own Makefile sets it from k8s.io/client-go; pulumi-kubernetes'
  # release builds do not). Charts with `kubeVersion: >=1.21` then fail to
  # render offline, so stamp the client-go minor the provider links (0.33 ->
  # 1.33). With a reachable cluster the provider asks the server instead.
  helm_caps="-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$kube_minor"
  go_build pulumi-resource-kubernetes kubernetes ./cmd/pulumi-resource-kubernetes \
    -overlay "$dest/gen/overlay.json" \
    -ldflags "-s -w -X $K8S_MODULE/pkg/version.Version=$K8S_VERSION $helm_caps"
fi

# Record what was built; only a full build marks the directory complete.
{
  printf 'pulumi (pkg/v3) v%s\n' "$PULUMI_VERSION"
  printf 'pulumi-language-nodejs (tools/engine/cli/cmd) %s\n' "$PULUMI_VERSION"
  printf 'pulumi-resource-kubernetes %s@%s (= v%s), offline Helm kubeVersion 1.%s\n' \
    "$K8S_MODULE" "$K8S_MODULE_VERSION" "$K8S_VERSION" "$kube_minor"
} >"$dest/VERSIONS"
missing=()
for b in "${all_bins[@]}"; do [[ -x "$bin/$b" ]] || missing+=("$b"); done
if ((${#missing[@]} == 0)); then
  date -u +%FT%TZ >"$dest/.complete"
else
  log "not complete yet, missing: ${missing[*]}"
fi
printf '%s\n' "$bin"

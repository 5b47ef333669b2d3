#!/usr/bin/env bash
# Validates OpenTelemetry Collector agent configs with the real collector (otelcol-agent, built by
# tools/otelcol/build.sh from the components of the 0.148.0 release the agent image runs).
#
#   tools/otelcol/validate.sh <file|render-dir>...
#   e.g. npm run render -- prod --out /tmp/r/prod
#        tools/otelcol/validate.sh /tmp/r/prod/manifests/tracing/configmap-otel-agent-config.yaml
#        tools/otelcol/validate.sh /tmp/r/prod     (= its manifests/*/configmap-otel-agent*.yaml)
#
# <file> is a rendered ConfigMap (its one *.yaml data key is the config) or a plain collector
# config. For each file it:
#   1. extracts the config (tools/otelcol/extract-config.js);
#   2. checks every ${env:NAME} the config references is set by the workload that mounts the
#      ConfigMap (found beside it in the render), since the collector silently expands an unset
#      variable to "";
#   3. passes the workload's `--feature-gates=` arguments (an unknown gate fails the run, as it
#      would fail the pod), supplies test values for what the DaemonSet sets from the Downward API (MY_POD_IP=127.0.0.1,
#      K8S_NODE_NAME=node-1, ...; a variable already in the environment wins) and runs
#      `otelcol-agent validate --config=file:<config>`.
# `validate` resolves the config, runs every component's config validation and builds the
# pipeline graph (each component's factory is called) without starting anything: nothing
# listens, nothing connects, and k8s_attributes does not contact a cluster (its client is made in
# Start), so this runs offline.
# Exit status: 0 all valid, 1 a config was rejected, 2 usage or build problem.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
. "$here/../lib.sh"
[[ $# -ge 1 ]] || { echo "usage: $0 <rendered-configmap-or-config.yaml|render-dir>..." >&2; exit 2; }

bin="$("$here/build.sh")" || { echo "validate: building the collector failed" >&2; exit 2; }

# Test values for the variables the agent DaemonSet sets.
declare -A TEST_ENV=(
    [MY_POD_IP]=127.0.0.1
    [K8S_NODE_NAME]=node-1
    [K8S_POD_NAME]=otel-agent-test
    [K8S_NAMESPACE]=tracing
    [GOMEMLIMIT]=204MiB
)

expand_inputs "manifests/*/configmap-otel-agent*.yaml" "$@"

status=0
for file in "${files[@]}"; do
    work="$(mktemp -d)"
    echo "== $file"
    if ! info="$(node "$here/extract-config.js" "$file" --out "$work/config.yaml")"; then
        status=2
        rm -rf "$work"
        continue
    fi
    mapfile -t lines < <(node -e '
        const i = JSON.parse(process.argv[1]);
        console.log(i.source);
        console.log(i.mountedBy ? i.mountedBy.workload : "");
        console.log(i.envRefs.join(" "));
        console.log(i.mountedBy ? i.mountedBy.env.join(" ") : "-");
        console.log(i.mountedBy ? i.mountedBy.featureGates.join(" ") : "");
    ' "$info")
    source="${lines[0]}" workload="${lines[1]}" refs="${lines[2]}" podenv="${lines[3]}"
    read -r -a gates <<<"${lines[4]:-}"
    echo "config: $source${workload:+ (mounted by $workload)}"
    env_for "$refs" "$podenv" "$workload" || { status=1; rm -rf "$work"; continue; }
    echo "env: ${env_args[*]:-(none)}"
    echo "\$ otelcol-agent validate ${gates[*]:+${gates[*]} }--config=file:<extracted config>"
    # KUBERNETES_SERVICE_* unset on purpose: proves validate needs no cluster.
    run_validator "$work" env -u KUBERNETES_SERVICE_HOST -u KUBERNETES_SERVICE_PORT "${env_args[@]}" \
        "$bin/otelcol-agent" validate "${gates[@]}" --config="file:$work/config.yaml" || status=1
    rm -rf "$work"
done
exit $status

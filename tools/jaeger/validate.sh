#!/usr/bin/env bash
# Validates Jaeger v2 configs with the real Jaeger binary (built by tools/jaeger/build.sh).
#
#   tools/jaeger/validate.sh <file|render-dir>...
#   e.g. npm run render -- staging --out /tmp/r/staging
#        tools/jaeger/validate.sh /tmp/r/staging/charts/observability-tracing-jaeger/values.yaml
#        tools/jaeger/validate.sh /tmp/r/staging      (= its charts/*jaeger*/values.yaml)
#
# <file> is the jaeger chart's values as the program renders them, the chart's rendered
# `user-config` ConfigMap (helm template), or a plain Jaeger config file. The config is built the
# way jaeger chart 4.11.x does it: `.Values.userconfig` verbatim, mounted as
# /etc/jaeger/user-config.yaml and passed as `--config` (see tools/jaeger/extract-config.js for
# the template reading). Once helm is available, the same check works on its output:
#   helm template jaeger jaeger-4.11.1.tgz -f values.yaml -s templates/jaeger/jaeger-user-config.yaml > cm.yaml
#   tools/jaeger/validate.sh cm.yaml
#
# For each file: every ${env:NAME} the config uses must be set by the chart's container env
# (`jaeger.extraEnv`), every *_file path must lie under a mount of the Jaeger container (values
# input only), and the storage names jaeger_query and jaeger_storage_exporter use must be
# jaeger_storage backends (`validate` itself resolves them only at start); then `jaeger validate --config file:<config>` runs with test values for
# the variables (ES_USERNAME/ES_PASSWORD; a variable already in the environment wins).
# Jaeger v2 is an OpenTelemetry Collector distribution: `validate` resolves the config, runs each
# component's config validation (jaeger_storage backends, jaeger_query, ...) and builds the
# pipelines, without starting extensions: no storage connection is made, so Elasticsearch
# configs validate offline.
# Exit status: 0 all valid, 1 a config was rejected, 2 usage or build problem.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=../lib.sh
. "$here/../lib.sh"
[[ $# -ge 1 ]] || { echo "usage: $0 <values.yaml|user-config-configmap.yaml|config.yaml|render-dir>..." >&2; exit 2; }

bin="$("$here/build.sh")" || { echo "validate: building jaeger failed" >&2; exit 2; }

declare -A TEST_ENV=(
    [ES_USERNAME]=jaeger
    [ES_PASSWORD]=test-password
)

expand_inputs "charts/*jaeger*/values.yaml" "$@"

status=0
for file in "${files[@]}"; do
    work="$(mktemp -d)"
    echo "== $file"
    if ! info="$(node "$here/extract-config.js" "$file" --out "$work/config.yaml")"; then
        status=1
        rm -rf "$work"
        continue
    fi
    mapfile -t lines < <(node -e '
        const i = JSON.parse(process.argv[1]);
        const under = (p, mounts) => mounts.some((m) => p === m || p.startsWith(m.replace(/\/$/, "") + "/"));
        console.log(i.source);
        console.log(i.envRefs.join(" "));
        console.log(i.chart ? i.chart.env.join(" ") : "-");
        const problems = [...i.refs];
        if (i.chart) {
            for (const f of i.files) if (!under(f.path, i.chart.mounts)) problems.push(`${f.at}: ${f.path} is under no volume mount of the Jaeger container (mounts: ${i.chart.mounts.join(", ")})`);
            if (i.chart.args.length) problems.push(`note: jaeger.args adds ${JSON.stringify(i.chart.args)} to the command line (not validated here)`);
        }
        console.log(problems.join("\t"));
    ' "$info")
    source="${lines[0]}" refs="${lines[1]}" podenv="${lines[2]}" problems="${lines[3]}"
    echo "config: $source"
    bad=0
    if [[ -n "$problems" ]]; then
        IFS=$'\t' read -r -a list <<<"$problems"
        for p in "${list[@]}"; do
            if [[ "$p" == note:* ]]; then echo "$p"; else echo "ERROR: $p"; bad=1; fi
        done
    fi
    env_for "$refs" "$podenv" jaeger.extraEnv || bad=1
    if [[ $bad -ne 0 ]]; then
        status=1
        rm -rf "$work"
        continue
    fi
    echo "env: ${env_args[*]:-(none)}"
    echo "\$ jaeger validate --config file:<extracted config>"
    run_validator "$work" env "${env_args[@]}" "$bin/jaeger" validate --config "file:$work/config.yaml" || status=1
    rm -rf "$work"
done
exit $status

#!/usr/bin/env bash
# `npm run preview -- [--offline] <stack>...`: the real Pulumi engine (tools/engine, built from Go
# modules, with the stand-ins of tools/engine-plugins for the two providers the module proxy
# does not serve) previews each stack with the policy pack, with no Pulumi account:
#   - a local file backend and a throwaway passphrase in a temporary PULUMI_HOME;
#   - the stack's own Pulumi.<stack>.yaml applied, except `secure:` values (they are encrypted for
#     the owner's secrets provider), which get throwaway secrets of the same keys;
#   - deploying from the chart directory (OBS_CHART_DIR);
#   - `pulumi preview --diff --policy-pack policies --policy-pack-config policies/config.json`.
#
# By default against a lab cluster (tools/cluster, one lab for all the stacks, stopped at the
# end): the engine runs inside the lab's network namespace with its kubeconfig, so the provider
# talks only to the lab's loopback API server, renders the charts with its capabilities and
# dry-runs each object there, and the pack judges every resource, chart children included.
# --offline is for a machine without the lab (no Go build of it, or no root for its network
# namespace): the provider renders to a directory (kubernetes:renderYamlToDirectory), as it must
# to construct a helm.v4.Chart without a cluster (provider_construct.go, Construct). There it
# stops at kube-prometheus-stack's chart, whose cert-manager Certificate it cannot place without
# an API server that knows the kind (see ACCEPTED below); that one error per stack is the only
# one accepted offline.
#
# OBS_PREVIEW_ARGS adds arguments to `pulumi preview` (e.g. "--logtostderr -v=7 --logflow").
#
# Exit codes: 0 every preview passed; 1 one failed (its errors and the policy summary printed);
# 2 bad arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
offline=0
if [[ "${1:-}" == "--offline" ]]; then
  offline=1
  shift
fi
[[ $# -ge 1 ]] || { echo "usage: npm run preview -- [--offline] <stack>..." >&2; exit 2; }
: "${OBS_CHART_DIR:?set OBS_CHART_DIR to a chart directory (npm run charts:pull fills one)}"
for stack in "$@"; do
  [[ -f "Pulumi.$stack.yaml" ]] || { echo "preview: no stack file Pulumi.$stack.yaml" >&2; exit 2; }
done

engine="$(bash tools/engine/build.sh | tail -n 1)"
plugins="$(bash tools/engine-plugins/build.sh | tail -n 1)"
work="$(mktemp -d)"
lab="$work/lab"
cleanup() {
  [[ -f "$lab/pids" ]] && npm run -s lab -- stop "$lab" >&2
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 143' TERM INT
export PATH="$engine:$plugins:$PATH" PULUMI_HOME="$work/home" PULUMI_CONFIG_PASSPHRASE="throwaway-$$"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_NODEJS_TRANSPILE_ONLY=true
# The providers report the versions the SDKs ask for, except kubernetes 4.25.0 (4.34.2 asked):
# a warning the CLI prints on every run, silenced here.
export PULUMI_DEV=true
root="$PWD"
# A copy of the project, so stack init and config set never touch the repository's stack files.
mkdir -p "$work/project"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work/project"
ln -s "$PWD/node_modules" "$work/project/node_modules"

# in_lab CMD...: CMD inside the lab's network namespace with its kubeconfig (`npm run lab -- exec`
# enters the namespace only); offline, CMD itself.
in_lab() {
  if ((offline)); then "$@"; else (cd "$root" && npm run -s lab -- exec "$lab" -- env -C "$work/project" KUBECONFIG="$lab/kubeconfig" "$@"); fi
}
if ((!offline)); then
  npm run -s lab -- start "$lab" >&2
  # cert-manager's CRDs, as the cluster holds them after cert-manager's first install. On an
  # empty cluster the preview stops at kube-prometheus-stack's chart: it renders a cert-manager
  # Certificate, and a helm.v4.Chart must know whether each kind is namespaced
  # (provider/pkg/provider/yaml/v2 Normalize, clients.IsNamespacedKind) while the CRDs come only
  # with the CertManager's opaque helm.v3.Release, which a preview does not install ("failed to
  # determine if the following GVK is namespaced: cert-manager.io/v1, Kind=Certificate").
  read -r helm kubectl < <(node -e 'require("ts-node").register({ transpileOnly: true }); const h = require("./scripts/helm"); console.log(h.helmBinary(), h.kubectlBinary())')
  "$helm" template cert-manager "$OBS_CHART_DIR/cert-manager-$(node -p 'require("ts-node").register({ transpileOnly: true }); require("./components/shared/charts").CERT_MANAGER.version').tgz" \
    --set crds.enabled=true | node -e '
      const YAML = require("yaml");
      const docs = YAML.parseAllDocuments(require("fs").readFileSync(0, "utf8")).map((d) => d.toJS()).filter((o) => o?.kind === "CustomResourceDefinition");
      console.log(docs.map((o) => JSON.stringify(o)).join("\n---\n"));
    ' >"$work/cert-manager-crds.yaml"
  npm run -s lab -- exec "$lab" -- "$kubectl" --kubeconfig "$lab/kubeconfig" apply --server-side -f "$work/cert-manager-crds.yaml" >/dev/null
  npm run -s lab -- exec "$lab" -- "$kubectl" --kubeconfig "$lab/kubeconfig" wait --for condition=Established crd -l app.kubernetes.io/name=cert-manager --timeout 60s >/dev/null
fi

cd "$work/project"
mkdir -p "$work/state" && pulumi login --non-interactive "file://$work/state" >/dev/null

# Offline only: the stop explained above (the lab has cert-manager's CRDs, so it never sees it).
ACCEPTED="failed to determine if the following GVK is namespaced: cert-manager.io/v1, Kind=Certificate"
status=0
for stack in "$@"; do
  # Paths of the `secure:` values (key.sub.path), which get throwaway secrets below.
  secure_paths="$(node -e '
    const YAML = require("yaml");
    const doc = YAML.parse(require("fs").readFileSync(process.argv[1], "utf8")) ?? {};
    const walk = (v, at) => {
      if (v && typeof v === "object" && !Array.isArray(v)) {
        if (Object.keys(v).length === 1 && typeof v.secure === "string") { console.log(at); return; }
        for (const [k, c] of Object.entries(v)) walk(c, `${at}.${k}`);
      }
    };
    for (const [key, value] of Object.entries(doc.config ?? {})) walk(value, key);
  ' "Pulumi.$stack.yaml")"
  node -e '
    const fs = require("fs"), YAML = require("yaml");
    const file = process.argv[1];
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const strip = (v) => {
      if (v && typeof v === "object" && !Array.isArray(v)) {
        if (Object.keys(v).length === 1 && typeof v.secure === "string") return undefined;
        const o = {};
        for (const [k, c] of Object.entries(v)) { const s = strip(c); if (s !== undefined) o[k] = s; }
        return o;
      }
      return v;
    };
    doc.config = strip(doc.config ?? {});
    fs.writeFileSync(file, YAML.stringify(doc));
  ' "Pulumi.$stack.yaml"
  pulumi stack init --non-interactive "$stack" >/dev/null
  while IFS= read -r secret; do
    [[ -n "$secret" ]] && pulumi config set --stack "$stack" --path --secret "$secret" "throwaway-secret" >/dev/null
  done <<<"$secure_paths"
  pulumi config set --stack "$stack" observability-platform:chartDirectory "$OBS_CHART_DIR" >/dev/null
  if ((offline)); then
    pulumi config set --stack "$stack" kubernetes:renderYamlToDirectory "$work/rendered/$stack" >/dev/null
  fi
  echo "=== pulumi preview --stack $stack (real engine $(pulumi version), $( ((offline)) && echo offline || echo "against the lab"))"
  start=$SECONDS
  set +e
  in_lab pulumi preview --stack "$stack" --non-interactive --diff \
    --policy-pack policies --policy-pack-config policies/config.json ${OBS_PREVIEW_ARGS:-} >"$work/$stack.log" 2>&1
  rc=$?
  set -e
  # The whole --diff output (every object of every chart, 100k lines for dev) goes to a file; the
  # run prints the summary: resource counts, the packs that ran, every violation with its message,
  # and the errors.
  mkdir -p "$root/.cache/preview"
  cp "$work/$stack.log" "$root/.cache/preview/$stack.log"
  grep -v 'from \$PATH at ' "$work/$stack.log" | awk '/^Resources:$/ { tail = 1 } tail' | cat -s
  violations="$(grep -A1 -E '^\s*\S+@v\S+ \[(mandatory|advisory|remediate)\]' "$work/$stack.log" || true)"
  mandatory="$(grep -cE '^\s*\S+@v\S+ \[mandatory\]' "$work/$stack.log" || true)"
  advisory="$(grep -cE '^\s*\S+@v\S+ \[advisory\]' "$work/$stack.log" || true)"
  echo "policy summary $stack: $mandatory mandatory and $advisory advisory violation(s)${violations:+:$'\n'$violations}"
  echo "(the whole preview: .cache/preview/$stack.log)"
  # The program's own log of the engine closing its channel after a stop is a consequence,
  # not a second error.
  errors="$(grep -E '^\s*error: ' "$work/$stack.log" | grep -vE "$ACCEPTED|^error: Error: (Channel has been shut down|failed to register new resource .*resource monitor shut down)" || true)"
  if [[ $rc -eq 0 ]]; then
    echo "preview $stack: passed in $((SECONDS - start)) s"
  elif ((offline)) && [[ -z "$errors" && "$mandatory" == 0 ]] && grep -qE "$ACCEPTED" "$work/$stack.log"; then
    echo "preview $stack: config validated and program run by the real engine; stopped offline at kube-prometheus-stack's chart ($ACCEPTED)"
  else
    echo "preview $stack: FAILED (exit $rc)${errors:+:$'\n'$errors}" >&2
    status=1
  fi
done
exit $status

#!/usr/bin/env bash
# `npm run preview -- [--offline | --up] <stack>...`: the real Pulumi engine (tools/engine, built from Go
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
# to construct a helm.v4.Chart without a cluster (provider_construct.go, Construct), with no
# dry-run by an API server.
#
# The lab starts empty, as a new cluster does: cert-manager's CRDs are the program's own
# (components/tls/crds.ts), so the provider knows their kinds before kube-prometheus-stack's
# chart renders a Certificate.
#
# OBS_PREVIEW_ARGS adds arguments to `pulumi preview` (e.g. "--logtostderr -v=7 --logflow").
#
# Exit codes: 0 every preview passed; 1 one failed (its errors and the policy summary printed);
# 2 bad arguments.
set -euo pipefail
cd "$(dirname "$0")/.."
offline=0
up=0
case "${1:-}" in
  --offline) offline=1; shift ;;
  --up) up=1; shift ;;
esac
[[ $# -ge 1 ]] || { echo "usage: npm run preview -- [--offline | --up] <stack>..." >&2; exit 2; }
: "${OBS_CHART_DIR:?set OBS_CHART_DIR to a chart directory (npm run charts:pull fills one)}"
for stack in "$@"; do
  [[ -f "Pulumi.$stack.yaml" ]] || { echo "preview: no stack file Pulumi.$stack.yaml" >&2; exit 2; }
done

engine="$(bash tools/engine/build.sh | tail -n 1)"
plugins="$(bash tools/engine-plugins/build.sh | tail -n 1)"
if ((up)); then
  webhooks="$(bash tools/webhooks/build.sh | tail -n 1)"
fi
work="$(mktemp -d)"
lab="$work/lab"
cleanup() {
  local dir
  for dir in "$work"/lab*; do
    [[ -f "$dir/pids" ]] && npm run -s lab -- stop "$dir" >&2
  done
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
# With --up each stack gets a lab of its own (the stacks share namespace names), started below.
if ((!offline && !up)); then
  npm run -s lab -- start "$lab" >&2
fi

cd "$work/project"
mkdir -p "$work/state" && pulumi login --non-interactive "file://$work/state" >/dev/null

# engine_step STACK NAME CMD...: one engine command against the stack's lab, its whole output in
# .cache/preview/<stack>-<name>.log; prints its time and resource counts, or its errors.
engine_step() {
  local stack="$1" name="$2" start=$SECONDS rc
  shift 2
  set +e
  in_lab "$@" --stack "$stack" --non-interactive >"$work/$stack-$name.log" 2>&1
  rc=$?
  set -e
  mkdir -p "$root/.cache/preview"
  cp "$work/$stack-$name.log" "$root/.cache/preview/$stack-$name.log"
  local counts
  counts="$(grep -E '^ +[0-9]+ (created|updated|deleted|replaced|unchanged|to create|to update|to delete|to replace)$' "$work/$stack-$name.log" | sed 's/^ *//' | paste -sd, - | sed 's/,/, /g')"
  if [[ $rc -eq 0 ]]; then
    echo "$name $stack: passed in $((SECONDS - start)) s${counts:+ ($counts)}"
  else
    echo "$name $stack: FAILED (exit $rc) after $((SECONDS - start)) s${counts:+ ($counts)}; its errors (the whole log: .cache/preview/$stack-$name.log):" >&2
    grep -E '^\s*error: |^\s+(error|warning): ' "$work/$stack-$name.log" | grep -v 'from \$PATH at ' | tail -n 25 >&2 || true
    return 1
  fi
}

# cycle STACK: with the lab serving the webhooks and running the operators and stand-ins
# (scripts/lab/serve.ts), up; a preview and a second up that must change nothing; then, outside
# prod (whose stores are protected), destroy and up again.
cycle() {
  local stack="$1" waited=0 policy=(--policy-pack policies --policy-pack-config policies/config.json)
  [[ -x "$webhooks/cert-manager" ]] || { echo "up $stack: NOT RUN: no cert-manager build in $webhooks (tools/webhooks/build.sh does not build it yet), and without its webhook every ClusterIssuer is refused" >&2; return 1; }
  (cd "$root" && KUBECTL="$kubectl" bash tools/cluster/lab.sh spawn "$lab" lab-services -- \
    node -r ts-node/register/transpile-only scripts/lab/serve.ts "$lab" "$stack" "$webhooks") >&2
  until [[ -f "$lab/serve.ready" ]]; do
    ((waited++ < 180)) || { echo "up $stack: the lab's services did not come up (logs/lab-services.log)" >&2; tail -n 20 "$lab/logs/lab-services.log" >&2; return 1; }
    sleep 1
  done
  local ok=0
  engine_step "$stack" up pulumi up --yes --skip-preview "${policy[@]}" &&
    engine_step "$stack" preview-again pulumi preview --diff --expect-no-changes "${policy[@]}" &&
    engine_step "$stack" up-again pulumi up --yes --skip-preview --expect-no-changes "${policy[@]}" &&
    if [[ "$stack" != prod ]]; then
      engine_step "$stack" destroy pulumi destroy --yes --skip-preview &&
        engine_step "$stack" up-after-destroy pulumi up --yes --skip-preview "${policy[@]}"
    fi && ok=1
  mkdir -p "$root/.cache/preview"
  cp "$lab/logs/lab-services.log" "$root/.cache/preview/$stack-lab-services.log" 2>/dev/null || true
  ((ok)) || { echo "(what the lab ran: .cache/preview/$stack-lab-services.log)" >&2; return 1; }
}

if ((up)); then
  kubectl="$(cd "$root" && node -e 'require("ts-node").register({ transpileOnly: true }); console.log(require("./scripts/helm").kubectlBinary())')"
fi
status=0
for stack in "$@"; do
  if ((up)); then
    lab="$work/lab-$stack"
    (cd "$root" && npm run -s lab -- start "$lab") >&2
  fi
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
  errors="$(grep -E '^\s*error: ' "$work/$stack.log" | grep -vE "^error: Error: (Channel has been shut down|failed to register new resource .*resource monitor shut down)" || true)"
  if [[ $rc -eq 0 ]]; then
    echo "preview $stack: passed in $((SECONDS - start)) s"
  else
    echo "preview $stack: FAILED (exit $rc)${errors:+:$'\n'$errors}" >&2
    status=1
  fi
  if ((up)); then
    [[ $rc -eq 0 ]] && { cycle "$stack" || status=1; }
    (cd "$root" && npm run -s lab -- stop "$lab") >&2
  fi
done
exit $status

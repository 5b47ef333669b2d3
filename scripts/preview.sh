#!/usr/bin/env bash
# `npm run preview -- <stack>...`: the real Pulumi engine (tools/engine, built from Go modules)
# previews each stack with the policy pack, with no cluster and no Pulumi account:
#   - a local file backend and a throwaway passphrase in a temporary PULUMI_HOME;
#   - the stack's own Pulumi.<stack>.yaml applied, except `secure:` values (they are encrypted for
#     the owner's secrets provider), which get throwaway secrets of the same keys;
#   - deploying from the chart directory (OBS_CHART_DIR) and rendering to a directory
#     (kubernetes:renderYamlToDirectory): without a reachable cluster pulumi-kubernetes refuses
#     to construct a helm.v4.Chart unless it renders (provider_construct.go, Construct);
#   - `pulumi preview --diff --policy-pack policies --policy-pack-config policies/config.json`.
# The engine validates the project and stack config before the program runs, then runs the
# program, its transforms, the charts and the pack. Providers the Go module proxy does not serve
# (kubernetes-cert-manager 0.2.0, random 4.21.2: tools/engine/README.md) stop the preview when
# the program first needs them; that one error per stack is the only one accepted, and is
# reported. Any other error (config validation, the program, a mandatory policy) fails.
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { echo "usage: npm run preview -- <stack>..." >&2; exit 2; }
: "${OBS_CHART_DIR:?set OBS_CHART_DIR to a chart directory (npm run charts:pull fills one)}"

bin="$(bash tools/engine/build.sh | tail -n 1)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PATH="$bin:$PATH" PULUMI_HOME="$work/home" PULUMI_CONFIG_PASSPHRASE="throwaway-$$"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true PULUMI_NODEJS_TRANSPILE_ONLY=true
# A copy of the project, so stack init and config set never touch the repository's stack files.
mkdir -p "$work/project"
git ls-files -z | tar --null -T - -cf - | tar -xf - -C "$work/project"
ln -s "$PWD/node_modules" "$work/project/node_modules"
cd "$work/project"
mkdir -p "$work/state" && pulumi login --non-interactive "file://$work/state" >/dev/null

ACCEPTED="no resource plugin 'pulumi-resource-(kubernetes-cert-manager|random)' found"
status=0
for stack in "$@"; do
  [[ -f "Pulumi.$stack.yaml" ]] || { echo "preview: no stack file Pulumi.$stack.yaml" >&2; exit 2; }
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
  pulumi config set --stack "$stack" kubernetes:renderYamlToDirectory "$work/rendered/$stack" >/dev/null
  echo "=== pulumi preview --stack $stack (real engine $(pulumi version))"
  set +e
  pulumi preview --stack "$stack" --non-interactive --diff \
    --policy-pack policies --policy-pack-config policies/config.json >"$work/$stack.log" 2>&1
  rc=$?
  set -e
  cat "$work/$stack.log"
  # The program's own log of the engine closing its channel after that stop is a consequence,
  # not a second error.
  errors="$(grep -E '^\s*error: ' "$work/$stack.log" | grep -vE "$ACCEPTED|^error: Error: Channel has been shut down" || true)"
  if [[ $rc -eq 0 ]]; then
    echo "preview $stack: passed"
  elif [[ -z "$errors" ]] && grep -qE "$ACCEPTED" "$work/$stack.log" && ! grep -q "mandatory" "$work/$stack.log"; then
    echo "preview $stack: config validated and program run by the real engine; stopped at a provider the module proxy does not serve ($(grep -oE "$ACCEPTED" "$work/$stack.log" | head -1))"
  else
    echo "preview $stack: FAILED (exit $rc)${errors:+:$'\n'$errors}" >&2
    status=1
  fi
done
exit $status

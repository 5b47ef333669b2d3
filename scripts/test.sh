#!/usr/bin/env bash
# npm test: the type check, and the suite in two halves, side by side.
#
# The suite runs compiled JavaScript, not ts-node: every mocked program run re-requires the
# program, which ts-node would transpile again, and Pulumi takes a stack trace for every resource,
# which ts-node's source-map support maps frame by frame (about 3x slower). scripts/compile.ts
# transpiles each changed file on its own into .build/ (tsc would take ten seconds loading every
# type). Then three processes share the two cores:
#   - the full type check (`tsc --noEmit`, incremental, build info in .cache/), at low priority;
#   - mocha on the offline render and its tools (tests/scripts, tests/readme.test.ts): the tests
#     that share the full Helm renders;
#   - mocha on everything else (components, policies, workflows, toolchain), whose report follows.
# Each half takes about half the suite's time; neither needs the other's renders.
# For source-mapped stack traces in a failure: NODE_OPTIONS=--enable-source-maps npm test.
# Arguments are mocha options for both runs (npm test -- --grep 'Access'); to run one file from
# source, npx mocha tests/<file>.test.ts (.mocharc.json, ts-node).
set -uo pipefail
cd "$(dirname "$0")/.."
bin=node_modules/.bin
# Node's on-disk cache of compiled modules (keyed by their source): every node process of the run,
# and each mocked program run that loads the program afresh, skips compiling what it has seen.
export NODE_COMPILE_CACHE="$PWD/.cache/node-compile"

logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
# Stopped from outside (a CI timeout): stop the children too, and show what the second half said.
# (bash runs a trap only between commands, so each half runs in the background and is waited for.)
trap 'kill ${typecheck:-} ${first:-} ${rest:-} 2>/dev/null; [ -f "$logs/rest" ] && cat "$logs/rest"; exit 143' TERM HUP
nice -n 10 "$bin/tsc" --noEmit --incremental --tsBuildInfoFile .cache/tsc/tsconfig.tsbuildinfo >"$logs/typecheck" 2>&1 &
typecheck=$!

"$bin/ts-node" --transpile-only scripts/compile.ts .build --checker dist || { kill "$typecheck"; exit 1; }

renders=(".build/tests/scripts/**/*.test.js" ".build/tests/readme.test.js")
mocha=("$bin/mocha" --no-config --timeout 60000 --reporter spec)
"${mocha[@]}" ".build/tests/**/*.test.js" "${renders[@]/#/--ignore=}" "$@" >"$logs/rest" 2>&1 &
rest=$!
"${mocha[@]}" "${renders[@]}" "$@" &
first=$!
wait "$first"
first_status=$?
wait "$rest"
second=$?
cat "$logs/rest"

wait "$typecheck"
checked=$?
if [ "$checked" -ne 0 ]; then
  cat "$logs/typecheck"
  echo "npm test: the type check failed (tsc --noEmit)" >&2
fi
[ "$first_status" -eq 0 ] && [ "$second" -eq 0 ] && [ "$checked" -eq 0 ]

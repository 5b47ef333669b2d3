#!/usr/bin/env bash
# Runs the locally built Pulumi CLI (see build.sh) with its plugins on PATH:
#   tools/engine/pulumi.sh preview --stack dev --policy-pack policies
# Builds the engine first if the cache for the current pins is missing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$("$here/build.sh" | tail -n 1)"
export PATH="$bin:$PATH"
# No network but package registries: never try to download plugins or check
# for CLI updates.
export PULUMI_SKIP_UPDATE_CHECK="${PULUMI_SKIP_UPDATE_CHECK:-true}"
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="${PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION:-true}"
exec "$bin/pulumi" "$@"

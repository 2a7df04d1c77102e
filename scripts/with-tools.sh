#!/usr/bin/env bash
# Runs a command with the project's pinned Node first on PATH (installed into .tools/ when missing),
# so `pnpm test`, `pnpm bench` and `pnpm chaos` run on the same Node as CI and the image.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/ensure-tools.sh"
export PATH="$PWD/node_modules/.bin:$PATH"
exec "$@"

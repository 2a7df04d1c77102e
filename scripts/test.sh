#!/usr/bin/env bash
# The project's test command (README, CI): installs what it needs, then lint, proto checks,
# typecheck/build and the whole vitest suite against real nats-servers.
set -euo pipefail
cd "$(dirname "$0")/.."
# Sourced: the pinned Node (installed into .tools/ when the machine's is another major) comes first on PATH.
. scripts/ensure-tools.sh --with-prometheus
export PATH="$PWD/node_modules/.bin:$PATH"
echo "==> Node $(node --version) ($(command -v node)), pnpm $(pnpm --version)"

echo "==> lint (biome)"
biome ci --colors=off .

echo "==> proto: buf lint, generated code up to date, buf breaking"
buf lint
gen_check=$(mktemp -d)
buf generate -o "$gen_check"
if ! diff -r "$gen_check/packages/contracts/src/gen" packages/contracts/src/gen >/dev/null; then
  echo "generated code in packages/contracts/src/gen is stale: run 'pnpm proto:generate'" >&2
  diff -r "$gen_check/packages/contracts/src/gen" packages/contracts/src/gen | head -20 >&2
  exit 1
fi
rm -rf "$gen_check"
if git rev-parse --verify --quiet HEAD~1 >/dev/null && git cat-file -e HEAD~1:buf.yaml 2>/dev/null; then
  buf breaking --against '.git#ref=HEAD~1'
else
  echo "(no previous commit with protos: buf breaking skipped)"
fi

echo "==> typecheck and build"
pnpm run --silent typecheck

echo "==> tests"
vitest run "$@"

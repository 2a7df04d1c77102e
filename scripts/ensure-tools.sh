#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine with Node 20 and npm:
# pnpm (the version pinned in package.json; corepack is not used), nats-server, and with
# --with-prometheus Debian's prometheus (the observability tests run a real one).
set -euo pipefail
cd "$(dirname "$0")/.."

pnpm_version=$(node -p 'require("./package.json").packageManager.split("@")[1]')
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version)" != "$pnpm_version" ]; then
  echo "==> installing pnpm $pnpm_version with npm"
  npm install --global --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

# Debian packages: nats-server always; prometheus (with promtool) when the caller runs the tests.
missing=()
command -v nats-server >/dev/null 2>&1 || missing+=(nats-server)
if [ "${1:-}" = "--with-prometheus" ] && ! command -v promtool >/dev/null 2>&1; then missing+=(prometheus); fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "==> installing ${missing[*]} (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules/.pnpm ] || [ pnpm-lock.yaml -nt node_modules/.pnpm/lock.yaml ]; then
  echo "==> installing dependencies"
  pnpm install --frozen-lockfile --reporter=silent
fi

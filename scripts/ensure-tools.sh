#!/usr/bin/env bash
# Installs what the project needs on a fresh Debian machine with only an older Node and npm:
# - Node.js of the version in .node-version, from the npm registry's node-linux-<arch> package
#   (the official binary) into .tools/, when the machine's node is another major;
# - pnpm (the version pinned in package.json; corepack is not used), run by that Node;
# - nats-server, and with --with-prometheus Debian's prometheus (the observability tests run one).
# Source it (". scripts/ensure-tools.sh") so the pinned Node comes first on PATH for the caller.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

node_version=$(tr -d ' \n\r' < .node-version)
node_major=${node_version%%.*}
current_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$current_major" != "$node_major" ]; then
  tools_node="$PWD/.tools/node-v$node_version"
  if [ ! -x "$tools_node/bin/node" ]; then
    case "$(uname -m)" in
      x86_64) arch=x64 ;;
      aarch64 | arm64) arch=arm64 ;;
      *) echo "no node-linux package for $(uname -m); install Node $node_version yourself" >&2; exit 1 ;;
    esac
    echo "==> installing Node $node_version (node-linux-$arch from the npm registry) into .tools/"
    pack_dir=$(mktemp -d)
    # npm pack checks the tarball against the registry's integrity hash.
    npm pack --silent --pack-destination "$pack_dir" "node-linux-$arch@$node_version" >/dev/null
    mkdir -p "$tools_node.partial"
    tar -xzf "$pack_dir"/node-linux-*.tgz -C "$tools_node.partial" --strip-components=1 package/bin package/LICENSE
    rm -rf "$pack_dir"
    mv "$tools_node.partial" "$tools_node"
  fi
  export PATH="$tools_node/bin:$PATH"
fi
if [ "$(node -p 'process.versions.node.split(".")[0]')" != "$node_major" ]; then
  echo "node on PATH is $(node --version), expected Node $node_major" >&2
  exit 1
fi

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

# Reinstall when the lockfile changed or the modules were installed by another Node major.
installed_for=$(cat node_modules/.node-major 2>/dev/null || true)
if [ ! -d node_modules/.pnpm ] || [ pnpm-lock.yaml -nt node_modules/.pnpm/lock.yaml ] || [ "$installed_for" != "$node_major" ]; then
  echo "==> installing dependencies"
  pnpm install --frozen-lockfile --reporter=silent
  echo "$node_major" > node_modules/.node-major
fi

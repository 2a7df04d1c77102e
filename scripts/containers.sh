#!/usr/bin/env bash
# Builds the image and runs the compose stack for real with podman, then removes everything it made.
#   ./scripts/containers.sh [--skip-cluster]
# Installs podman, buildah, podman-compose and runc (apt-get) when missing. Podman reads its settings
# from deploy/podman/containers.conf through CONTAINERS_CONF (/etc is not touched). Base images that
# cannot be pulled (no registry here) are replaced by local stand-ins tagged with the pinned names.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ensure-tools.sh --with-prometheus
. scripts/containers/stand-ins.sh

export CONTAINERS_CONF="$PWD/deploy/podman/containers.conf"
started=$SECONDS
project="shopct-$$"
image=$(sed -n 's/^ *image: *\(shop-order-backend:[^ ]*\).*/\1/p' docker-compose.yml | head -1)
node_image=$(sed -n 's/^ARG NODE_IMAGE=//p' Dockerfile)
nats_image=$(sed -n 's/^ *image: *\(nats:[^ ]*\).*/\1/p' docker-compose.yml | head -1)
prometheus_image=$(sed -n 's/^ *image: *\(prom\/prometheus:[^ ]*\).*/\1/p' docker-compose.yml | head -1)

say() { printf '%s\n' "$*"; }
step() { say "==> $*"; }

missing=()
for tool in podman buildah podman-compose runc; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
# Containers find each other by name (nats://nats:4222) through the CNI dnsname plugin on Debian 12's
# podman, whose network backend is CNI (netavark would do it itself).
[ -x /usr/lib/cni/dnsname ] || [ -x /usr/lib/podman/netavark ] || missing+=(golang-github-containernetworking-plugin-dnsname)
if [ ${#missing[@]} -gt 0 ]; then
  step "installing ${missing[*]} (apt-get)"
  if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
say "podman $(podman --version | awk '{print $3}'), buildah $(buildah --version | awk '{print $3}'), podman-compose $(podman-compose --version 2>/dev/null | awk '/podman-compose/ {print $NF}')"

# Everything made from here on is removed at exit, whatever happens: containers and networks of the
# two compose projects and of the health check, their volumes, and every image that was not here before.
images_before=$(mktemp)
podman images -a -q --no-trunc | sort -u > "$images_before"
STAND_IN_DIR=$(mktemp -d)
# The Dockerfile's cache mounts (the pnpm store) live here; removed unless they were here before.
build_cache=/var/tmp/buildah-cache
[ -e "$build_cache" ] && keep_cache=yes || keep_cache=""
cleanup() {
  local code=$?
  step "cleanup"
  for p in "$project" "$project-cluster"; do
    podman ps -a -q --filter "label=io.podman.compose.project=$p" | xargs -r podman rm -f -t 0 >/dev/null 2>&1 || true
    podman volume ls -q --filter "label=io.podman.compose.project=$p" | xargs -r podman volume rm -f >/dev/null 2>&1 || true
    podman network ls -q --filter "label=io.podman.compose.project=$p" | xargs -r podman network rm -f >/dev/null 2>&1 || true
  done
  podman rm -f -t 0 "$project-health-nats" "$project-health-app" >/dev/null 2>&1 || true
  podman network rm -f "$project-health" >/dev/null 2>&1 || true
  podman images -a -q --no-trunc | sort -u | comm -13 "$images_before" - | xargs -r podman rmi -f >/dev/null 2>&1 || true
  rm -rf "$images_before" "$STAND_IN_DIR"
  [ -n "$keep_cache" ] || rm -rf "$build_cache"
  local left
  left=$(podman ps -a -q --filter "label=io.podman.compose.project=$project" | wc -l)
  say "removed this run's containers, networks, volumes and images (containers left: $left)"
  say "$( [ "$code" -eq 0 ] && echo PASSED || echo FAILED ) in $((SECONDS - started)) s"
  exit "$code"
}
trap cleanup EXIT

step "base images (a stand-in only where the image cannot be pulled)"
say "  $node_image: $(ensure_image "docker.io/library/$node_image" build_node_stand_in)"
say "  $nats_image: $(ensure_image "docker.io/library/$nats_image" build_nats_stand_in)"
say "  $prometheus_image: $(ensure_image "docker.io/$prometheus_image" build_prometheus_stand_in)"

step "building the Dockerfile as it is ($image; 1-2 minutes from an empty cache)"
build_started=$SECONDS
# Docker format: the OCI format has no HEALTHCHECK, and podman would drop ours.
podman build --format docker --quiet -t "$image" . >/dev/null
say "  built in $((SECONDS - build_started)) s, $(podman image inspect "$image" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"

step "image: runs as non-root, HEALTHCHECK passes"
uid=$(podman run --rm --entrypoint id "$image" -u 2>/dev/null)
user=$(podman image inspect "$image" --format '{{.Config.User}}')
[ "$uid" != "0" ] || { say "  FAIL: the image runs as root"; exit 1; }
say "  user $user (uid $uid)"
# The image's own HEALTHCHECK (compose replaces it with /readyz), on orders beside a NATS container.
podman network create "$project-health" >/dev/null
if [ "$(podman network inspect "$project-health" --format '{{.DNSEnabled}}')" != "true" ]; then
  say "  FAIL: podman networks here have no DNS, so containers cannot find each other by name (backend: $(podman info --format '{{.Host.NetworkBackend}}'); with CNI, install golang-github-containernetworking-plugin-dnsname)"
  exit 1
fi
podman run -d --name "$project-health-nats" --network "$project-health" "docker.io/library/$nats_image" -js >/dev/null 2>&1
# Restarted on failure, as compose's restart policy does: orders exits when NATS is not listening yet.
podman run -d --restart on-failure --name "$project-health-app" --network "$project-health" -e "NATS_URL=nats://$project-health-nats:4222" \
  -e OTEL_TRACES_SAMPLER_ARG=0 "$image" orders >/dev/null 2>&1
healthy=""
for _ in $(seq 1 60); do
  if podman healthcheck run "$project-health-app" >/dev/null 2>&1; then healthy=yes; break; fi
  sleep 1
done
if [ -z "$healthy" ]; then
  say "  FAIL: HEALTHCHECK never passed; orders said:"
  podman logs --tail 30 "$project-health-app" 2>&1 | sed 's/^/    /'
  exit 1
fi
say "  HEALTHCHECK ($(podman image inspect "$image" --format '{{join .Config.Healthcheck.Test " "}}' | cut -c1-60)...) passed"
podman rm -f -t 0 "$project-health-app" "$project-health-nats" >/dev/null 2>&1
podman network rm -f "$project-health" >/dev/null 2>&1

step "compose stack, driven through its published ports (single node, then the 3-node cluster: 3-5 minutes)"
pnpm run --silent build
node packages/chaos/dist/compose/main.js --project "$project" "$@"

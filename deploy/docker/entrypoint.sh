#!/bin/sh
# The image's entrypoint: the first argument names what to run. exec replaces the shell with node,
# so SIGTERM reaches the service itself (graceful drain). APP_DIR is for tests outside the image.
set -eu
app="${APP_DIR:-/app}"
what="${1:-orders}"
[ "$#" -gt 0 ] && shift
case "$what" in
  orders | inventory | payments) exec node "$app/services/$what/dist/main.js" "$@" ;;
  shop-load) exec node "$app/packages/loadgen/dist/main.js" "$@" ;;
  shopctl) exec node "$app/packages/ops-cli/dist/main.js" "$@" ;;
  *)
    echo "usage: shop orders|inventory|payments|shop-load|shopctl [args]" >&2
    exit 64
    ;;
esac

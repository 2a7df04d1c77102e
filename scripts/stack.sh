#!/usr/bin/env bash
# One command for the local stack: installs what is missing, builds, reuses the NATS at NATS_URL or
# starts a local nats-server (data in .stack/nats), starts orders, inventory and payments, and stops
# everything cleanly on Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/ensure-tools.sh
echo "==> Node $(node --version)"

echo "==> building"
pnpm run --silent build

export NATS_URL="${NATS_URL:-nats://127.0.0.1:4222}"
export LOG_PRETTY="${LOG_PRETTY:-true}"
ORDERS_PORT="${ORDERS_PORT:-3000}" INVENTORY_PORT="${INVENTORY_PORT:-3001}" PAYMENTS_PORT="${PAYMENTS_PORT:-3002}"
first_url="${NATS_URL%%,*}"; hostport="${first_url#*://}"; nats_host="${hostport%%:*}"; nats_port="${hostport##*:}"

pids=()
nats_pid=""
cleanup() {
  trap - EXIT INT TERM
  echo; echo "==> stopping"
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [ -n "$nats_pid" ]; then kill -TERM "$nats_pid" 2>/dev/null || true; wait "$nats_pid" 2>/dev/null || true; fi
  echo "==> stopped"
}
trap cleanup EXIT INT TERM

reachable() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

if reachable "$nats_host" "$nats_port"; then
  echo "==> reusing NATS at $NATS_URL"
else
  echo "==> starting nats-server on $nats_host:$nats_port (JetStream data in .stack/nats)"
  mkdir -p .stack/nats
  setsid nats-server -a "$nats_host" -p "$nats_port" -js -sd "$PWD/.stack/nats" > .stack/nats-server.log 2>&1 &
  nats_pid=$!
  for _ in $(seq 1 100); do reachable "$nats_host" "$nats_port" && break; sleep 0.1; done
  reachable "$nats_host" "$nats_port" || { echo "nats-server did not start; see .stack/nats-server.log" >&2; exit 1; }
fi

start_service() { # name port
  # exec: the pid we keep is node itself. setsid: Ctrl-C reaches only this script, which then sends
  # one SIGTERM (a second signal would force the service out). The prefixer ignores signals and
  # ends when the service closes its output, so shutdown logs are not lost.
  (PORT="$2" exec setsid node "services/$1/dist/main.js") > >(trap '' INT TERM; exec sed -u "s/^/[$1] /") 2>&1 &
  pids+=($!)
}
start_service orders "$ORDERS_PORT"
start_service inventory "$INVENTORY_PORT"
start_service payments "$PAYMENTS_PORT"

ready() { node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' "http://127.0.0.1:$1/readyz"; }
for port in "$ORDERS_PORT" "$INVENTORY_PORT" "$PAYMENTS_PORT"; do
  for _ in $(seq 1 300); do
    ready "$port" && break
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null || { echo "a service exited during start-up (see its log above)" >&2; exit 1; }; done
    sleep 0.1
  done
  ready "$port" || { echo "service on port $port is not ready" >&2; exit 1; }
done

cat <<MSG

==> the stack is up (Ctrl-C stops it)
  orders     http://127.0.0.1:$ORDERS_PORT     (POST /orders, GET /orders/:id)
  inventory  http://127.0.0.1:$INVENTORY_PORT     (GET /inventory, GET /inventory/:sku)
  payments   http://127.0.0.1:$PAYMENTS_PORT     (GET /payments/:orderId)
  API docs   http://127.0.0.1:$ORDERS_PORT/docs (and on each service; /openapi.json for tools)
  NATS       $NATS_URL

  Place an order and follow it:
    curl -si -X POST http://127.0.0.1:$ORDERS_PORT/orders -H 'content-type: application/json' \\
      -H 'Idempotency-Key: demo-1' -d '{"customerId":"c-42","items":[{"sku":"MUG-RED","quantity":2}]}'
    curl -s http://127.0.0.1:$ORDERS_PORT/orders/<orderId>

MSG

# Run until Ctrl-C or until a service dies.
wait -n "${pids[@]}"
echo "a service exited; stopping the stack" >&2
exit 1

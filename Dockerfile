# syntax=docker/dockerfile:1
# One image for the three services, the load generator and shopctl; the command picks which runs:
#   docker run IMAGE orders|inventory|payments|shop-load|shopctl [args]
# Stages: deps (all dependencies, cached on the lockfile) -> build (tsc) -> prod-deps (production
# dependencies only) -> runtime (node, dist and production node_modules; no pnpm, no sources).
ARG NODE_IMAGE=node:26.12.1-trixie-slim

FROM ${NODE_IMAGE} AS base
ENV PNPM_HOME=/pnpm PATH=/pnpm:$PATH CI=true
RUN npm install -g pnpm@10.34.9 && pnpm --version
WORKDIR /app

# Only the manifests: the dependency layers are rebuilt when a lockfile or manifest changes, not on every source edit.
FROM base AS manifests
COPY pnpm-lock.yaml pnpm-workspace.yaml package.json ./
COPY patches ./patches
COPY packages/contracts/package.json packages/contracts/
COPY packages/eventbus/package.json packages/eventbus/
COPY packages/telemetry/package.json packages/telemetry/
COPY packages/testkit/package.json packages/testkit/
COPY packages/loadgen/package.json packages/loadgen/
COPY packages/ops-cli/package.json packages/ops-cli/
COPY packages/chaos/package.json packages/chaos/
COPY packages/bench/package.json packages/bench/
COPY services/orders/package.json services/orders/
COPY services/inventory/package.json services/inventory/
COPY services/payments/package.json services/payments/
COPY tests/package.json tests/

FROM manifests AS deps
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install --frozen-lockfile

FROM deps AS build
COPY tsconfig.base.json tsconfig.build.json ./
COPY packages ./packages
COPY services ./services
RUN pnpm run build

# Only what runs in the image: the services, shop-load, shopctl and their dependencies ("..." = with deps).
FROM manifests AS prod-deps
RUN --mount=type=cache,id=pnpm,target=/pnpm/store pnpm install --frozen-lockfile --prod \
  --filter "@shop/orders..." --filter "@shop/inventory..." --filter "@shop/payments..." \
  --filter "@shop/loadgen..." --filter "@shop/ops-cli..."

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production HOST=0.0.0.0 NODE_OPTIONS=--max-old-space-size=192
WORKDIR /app
COPY --from=prod-deps --chown=node:node /app ./
COPY --from=build --chown=node:node /app/packages/contracts/dist packages/contracts/dist
COPY --from=build --chown=node:node /app/packages/eventbus/dist packages/eventbus/dist
COPY --from=build --chown=node:node /app/packages/telemetry/dist packages/telemetry/dist
COPY --from=build --chown=node:node /app/packages/loadgen/dist packages/loadgen/dist
COPY --from=build --chown=node:node /app/packages/ops-cli/dist packages/ops-cli/dist
COPY --from=build --chown=node:node /app/services/orders/dist services/orders/dist
COPY --from=build --chown=node:node /app/services/inventory/dist services/inventory/dist
COPY --from=build --chown=node:node /app/services/payments/dist services/payments/dist
COPY --chown=node:node deploy/docker/entrypoint.sh /usr/local/bin/shop
# The image's node user (uid 1000), never root.
USER node
EXPOSE 3000 3001 3002
# PORT is set per service; /healthz answers while the process is alive (readiness is /readyz).
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/shop"]
CMD ["orders"]

import { baseConfigShape, loadConfig, portKey } from "@shop/telemetry";
import { z } from "zod";

const shape = {
  ...baseConfigShape,
  PORT: portKey(3000),
  /** POST /orders per client address per window; 429 with Retry-After beyond it. */
  RATE_LIMIT_MAX: z.coerce.number().int().positive().default(200),
  RATE_LIMIT_WINDOW_MS: z.coerce.number().int().positive().default(1_000),
};

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;

export function loadOrdersConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(shape, env);
}

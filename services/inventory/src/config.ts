import { baseConfigShape, loadConfig, natsWriteLingerKey, portKey } from "@shop/telemetry";
import { z } from "zod";

const shape = {
  ...baseConfigShape,
  PORT: portKey(3001),
  /** Its writes are acks, stock writes and decisions, off the HTTP path: sharing them costs the saga a little. */
  NATS_WRITE_LINGER_MS: natsWriteLingerKey(5),
  /** Seed the demo catalog on first start (SKUs that already exist are left alone). */
  SEED_CATALOG: z.stringbool().default(true),
  /** Bearer token for /admin routes (setting stock); without it they answer 403. */
  ADMIN_TOKEN: z.string().min(16).optional(),
  /** How often stale holds of rejected orders are looked for and released (0 = off); at most a day, a timer's range. */
  HOLD_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
  /**
   * How long a stock update waits for updates of the same SKU to share its compare-and-set (0 = write
   * at once): fewer broker messages per order under load, that much more saga latency per step.
   */
  STOCK_WRITE_LINGER_MS: z.coerce.number().int().min(0).max(1_000).default(5),
  /**
   * The same for settling a paid or failed order's holds, which is off the order's path (the order is
   * final once its payment event is stored), so it waits longer and shares more.
   */
  SETTLE_WRITE_LINGER_MS: z.coerce.number().int().min(0).max(1_000).default(100),
  /** Settlement handlers in flight per durable: they spend most of their time lingering. */
  SETTLE_CONCURRENCY: z.coerce.number().int().min(1).max(1_000).default(256),
};

export type InventoryConfig = ReturnType<typeof loadInventoryConfig>;

export function loadInventoryConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(shape, env);
}

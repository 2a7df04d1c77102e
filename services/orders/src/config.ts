import { baseConfigShape, loadConfig, portKey } from "@shop/telemetry";

const shape = { ...baseConfigShape, PORT: portKey(3000) };

export type OrdersConfig = ReturnType<typeof loadOrdersConfig>;

export function loadOrdersConfig(env: NodeJS.ProcessEnv = process.env) {
  return loadConfig(shape, env);
}

import { type NatsServerHandle, startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { buildApp, type OrdersApp } from "../src/app.js";
import { loadOrdersConfig } from "../src/config.js";

/** The orders service alone, built in-process against its own nats-server. */
export async function startOrders(
  env: Record<string, string> = {},
): Promise<{ nats: NatsServerHandle; app: OrdersApp; stop(): Promise<void> }> {
  const nats = await startNatsServer();
  const app = await buildApp({ config: loadOrdersConfig({ NATS_URL: nats.url, PORT: "0", ...env }), logger: pino({ level: "silent" }) });
  await app.start({ listen: false });
  return {
    nats,
    app,
    stop: async () => {
      await app.close();
      await nats.stop();
    },
  };
}

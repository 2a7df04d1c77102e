import { type ContractRecorder, type NatsServerHandle, recordContract, startNatsServer } from "@shop/testkit";
import { pino } from "pino";
import { buildApp, type OrdersApp } from "../src/app.js";
import { loadOrdersConfig } from "../src/config.js";

/**
 * The orders service alone, built in-process against its own nats-server. Every HTTP response it
 * sends is recorded: `contract.verify()` checks them against its /openapi.json.
 */
export async function startOrders(
  env: Record<string, string> = {},
): Promise<{ nats: NatsServerHandle; app: OrdersApp; contract: ContractRecorder; stop(): Promise<void> }> {
  const nats = await startNatsServer();
  const app = await buildApp({ config: loadOrdersConfig({ NATS_URL: nats.url, PORT: "0", ...env }), logger: pino({ level: "silent" }) });
  const contract = recordContract(app.http);
  await app.start({ listen: false });
  return {
    nats,
    app,
    contract,
    stop: async () => {
      await app.close();
      await nats.stop();
    },
  };
}

import { runMain } from "@shop/telemetry";
import { buildApp, SERVICE } from "./app.js";
import { loadOrdersConfig } from "./config.js";

await runMain({ service: SERVICE, loadConfig: () => loadOrdersConfig(), buildApp });

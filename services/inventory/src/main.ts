import { runMain } from "@shop/telemetry";
import { buildApp, SERVICE } from "./app.js";
import { loadInventoryConfig } from "./config.js";

await runMain({ service: SERVICE, loadConfig: () => loadInventoryConfig(), buildApp });

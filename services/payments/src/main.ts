import { runMain } from "@shop/telemetry";
import { buildApp, SERVICE } from "./app.js";
import { loadPaymentsConfig } from "./config.js";

await runMain({ service: SERVICE, loadConfig: () => loadPaymentsConfig(), buildApp });

import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type NatsServerHandle, startNatsServer, startServiceProcess } from "@shop/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
let nats: NatsServerHandle;

beforeAll(async () => {
  nats = await startNatsServer();
});
afterAll(async () => {
  await nats?.stop();
});

function runMain(service: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(root, "services", service, "dist", "main.js")], {
      env: { PATH: process.env.PATH ?? "", ...env },
    });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("service process lifecycle", () => {
  it.each(["orders", "inventory", "payments"])("%s refuses to start on bad configuration and names every bad key", async (service) => {
    const { code, output } = await runMain(service, { NATS_URL: "localhost", PORT: "-1", LOG_LEVEL: "chatty" });
    expect(code).toBe(1);
    expect(output).toContain("invalid configuration");
    for (const key of ["NATS_URL", "PORT", "LOG_LEVEL"]) expect(output).toContain(`${key}:`);
  });

  it("payments names its own bad keys too", async () => {
    const { code, output } = await runMain("payments", { NATS_URL: nats.url, PAYMENT_FAILURE_RATE: "2", BREAKER_RESET_TIMEOUT_MS: "soon" });
    expect(code).toBe(1);
    expect(output).toContain("PAYMENT_FAILURE_RATE:");
    expect(output).toContain("BREAKER_RESET_TIMEOUT_MS:");
  });

  it("a service that cannot reach NATS at start-up exits with an error instead of serving", async () => {
    const { code, output } = await runMain("orders", { NATS_URL: "nats://127.0.0.1:1", PORT: "0" });
    expect(code).toBe(1);
    expect(output).toMatch(/CONNECTION_REFUSED|ECONNREFUSED|connection refused/i);
  });

  it("with no collector listening, traced requests and the final flush log no export errors", async () => {
    // A loopback port nobody listens on, so every export attempt is refused.
    const orders = await startServiceProcess("orders", {
      env: { NATS_URL: nats.url, OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${await freePort()}`, OTEL_BSP_SCHEDULE_DELAY: "50" },
    });
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${orders.url}/orders`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ customerId: "c-1", items: [{ sku: "MUG-RED", quantity: 1 }] }),
      });
      expect(res.status).toBe(202);
    }
    expect(await orders.kill("SIGTERM")).toBe(0);
    expect(orders.output()).toContain("shutdown complete");
    expect(orders.output()).not.toMatch(/ECONNREFUSED|OTLP|export(er)? (failed|error)/i);
  });

  it.each(["orders", "inventory", "payments"])("%s exits 0 on SIGTERM after draining", async (service) => {
    const running = await startServiceProcess(service, { env: { NATS_URL: nats.url } });
    const started = Date.now();
    expect(await running.kill("SIGTERM")).toBe(0);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(running.output()).toContain("shutdown complete");
  });
});

import { execFile } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { BUCKETS, CONSUMERS } from "@shop/contracts";
import { waitFor } from "@shop/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type InProcessStack, startInProcessStack } from "../support/in-process-stack.js";

const run = promisify(execFile);
const shopctlMain = join(dirname(fileURLToPath(import.meta.url)), "../../packages/ops-cli/dist/main.js");
const ADMIN_TOKEN = "ops-test-admin-token-123456";
let stack: InProcessStack;

beforeAll(async () => {
  stack = await startInProcessStack({
    catalog: [{ sku: "MUG", name: "Mug", priceMinor: 1_250, currency: "EUR", quantity: 100 }],
    inventoryEnv: { CONSUMER_MAX_DELIVER: "2", ADMIN_TOKEN },
  });
});
afterAll(async () => {
  await stack?.close();
});

async function shopctl(...args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [shopctlMain, ...args], { env: { ...process.env, NATS_URL: stack.nats.url } });
    return { stdout, stderr, code: 0 };
  } catch (err) {
    const failed = err as { stdout: string; stderr: string; code: number };
    return { stdout: failed.stdout, stderr: failed.stderr, code: failed.code };
  }
}

describe("shopctl and the DLQ", () => {
  it("an order whose event exhausted its deliveries during an outage completes after the operator replays it", async () => {
    const durable = CONSUMERS.inventoryOnOrderCreated.durable;
    // Inventory loses its stock bucket: every delivery of the new order's event fails to hold stock.
    const stock = await stack.probe.kv<unknown>(BUCKETS.stock);
    const backup = await Promise.all((await stock.keys()).map(async (sku) => [sku, (await stock.get(sku))?.value] as const));
    await stack.probe.jsm.streams.delete(`KV_${BUCKETS.stock}`);
    const res = await stack.postOrder({ customerId: "c-dlq", items: [{ sku: "MUG", quantity: 2 }] });
    const orderId = res.body.orderId as string;
    await waitFor(async () => (await stack.deadLetters(durable)).length === 1, {
      what: "the exhausted event in the DLQ",
      timeoutMs: 20_000,
    });
    expect((await stack.getOrder(orderId))?.status).toBe("PENDING");

    // The operator restores the bucket from the backup, then looks at the DLQ and replays.
    await stack.probe.provision({ replicas: 1, consumers: [], buckets: [BUCKETS.stock] });
    const restored = await stack.probe.kv<unknown>(BUCKETS.stock);
    for (const [sku, value] of backup) await restored.create(sku, value);
    const list = await shopctl("dlq", "list", "--json");
    expect(list.code).toBe(0);
    const [entry] = JSON.parse(list.stdout) as Array<{
      seq: number;
      consumer: string;
      subject: string;
      reason: string;
      deliveries: number;
    }>;
    expect(entry).toMatchObject({
      consumer: durable,
      subject: `orders.created.v1.${orderId}`,
      deliveries: 2,
      reason: expect.stringMatching(/max deliveries exhausted/),
    });

    const show = await shopctl("dlq", "show", String(entry?.seq), "--json");
    expect(JSON.parse(show.stdout)).toMatchObject({
      originalSubject: `orders.created.v1.${orderId}`,
      failedAt: expect.any(String),
      publishedAt: expect.any(String),
      payload: { meta: { orderId }, customerId: "c-dlq", lines: [{ sku: "MUG", quantity: 2 }] },
    });

    const replay = await shopctl("dlq", "replay", "--all", "--consumer", durable);
    expect(replay.code, replay.stderr + replay.stdout).toBe(0);
    expect(replay.stdout).toContain("1 replayed");
    expect(await stack.waitForOrder(orderId)).toMatchObject({ status: "CONFIRMED", totalMinor: 2_500 });
    await stack.settled();
    expect(await stack.deadLetters()).toEqual([]);
    expect(await stack.charges(orderId)).toHaveLength(1);

    const order = await shopctl("order", "show", orderId, "--json");
    expect(JSON.parse(order.stdout)).toMatchObject({
      events: {
        created: { subject: `orders.created.v1.${orderId}` },
        inventory: { subject: `inventory.decided.v1.${orderId}` },
        payment: { subject: `payments.settled.v1.${orderId}`, message: { amount: { amountMinor: "2500", currency: "EUR" } } },
      },
      provider: { result: { outcome: "succeeded" } },
    });
  });

  it("purges entries, refuses unknown sequences with usage help, and sets stock through inventory's admin API", async () => {
    for (const id of ["ops-garbage-1", "ops-garbage-2"]) {
      await stack.probe.js.publish(`orders.created.v1.${id}`, new TextEncoder().encode("garbage"), { msgID: id });
    }
    await waitFor(async () => (await stack.deadLetters()).length === 2, { what: "two DLQ entries" });
    const unknown = await shopctl("dlq", "show", "999999");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no DLQ entry with sequence 999999");
    expect((await shopctl("dlq", "purge", "--all")).stdout).toContain("purged 2 DLQ entries");
    expect(await stack.deadLetters()).toEqual([]);

    const inventoryUrl = await stack.inventoryUrl();
    const denied = await shopctl("stock", "set", "MUG", "500", "--inventory-url", inventoryUrl, "--admin-token", "wrong-token-wrong-token");
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain("403");
    const set = await shopctl("stock", "set", "MUG", "500", "--inventory-url", inventoryUrl, "--admin-token", ADMIN_TOKEN, "--json");
    expect(set.code).toBe(0);
    const mug = await stack.stock("MUG");
    expect(mug).toMatchObject({ available: 500, reserved: 0, initial: 500 + mug.sold });
  });
});

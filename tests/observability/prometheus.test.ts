import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { startTelemetry, type Telemetry } from "@shop/telemetry";
import {
  type NatsServerHandle,
  type OtlpReceiver,
  type PrometheusHandle,
  startNatsServer,
  startOtlpReceiver,
  startPrometheus,
  waitFor,
} from "@shop/testkit";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { buildApp as buildInventory } from "../../services/inventory/src/app.js";
import { loadInventoryConfig } from "../../services/inventory/src/config.js";
import { buildApp as buildOrders } from "../../services/orders/src/app.js";
import { loadOrdersConfig } from "../../services/orders/src/config.js";
import { buildApp as buildPayments } from "../../services/payments/src/app.js";
import { loadPaymentsConfig } from "../../services/payments/src/config.js";
import { SYSTEM_GAUGES } from "../support/system-gauges.js";

const run = promisify(execFile);
const deploy = join(dirname(fileURLToPath(import.meta.url)), "../../deploy");
const logger = pino({ level: "silent" });

interface AlertRule {
  alert: string;
  expr: string;
}

let nats: NatsServerHandle;
let prometheus: PrometheusHandle;
let otlp: OtlpReceiver;
let telemetry: Telemetry;
let ordersUrl: string;
const apps: Array<{ close(): Promise<void> }> = [];
let paymentsUrl: string;
const ADMIN_TOKEN = "prometheus-test-admin-token";

/** Injects provider faults through the payments admin API, as an operator or the chaos suite would. */
async function setProviderFaults(faults: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${paymentsUrl}/admin/provider/faults`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(faults),
  });
  expect(res.status).toBe(200);
}

async function listen<
  T extends { http: { server: { address(): unknown } }; start(o?: { listen?: boolean }): Promise<void>; close(): Promise<void> },
>(app: T) {
  await app.start();
  apps.push(app);
  return `127.0.0.1:${(app.http.server.address() as AddressInfo).port}`;
}

beforeAll(async () => {
  // A real SDK in this process, so spans are sampled and latency histograms carry trace-id exemplars.
  otlp = await startOtlpReceiver();
  telemetry = startTelemetry({
    service: "prometheus-test",
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json", OTEL_BSP_SCHEDULE_DELAY: "50" },
  });
  nats = await startNatsServer();
  const env = { NATS_URL: nats.url, PORT: "0", LOG_LEVEL: "silent" };
  const orders = await listen(await buildOrders({ config: loadOrdersConfig(env), logger }));
  const inventory = await listen(await buildInventory({ config: loadInventoryConfig(env), logger }));
  const paymentsConfig = loadPaymentsConfig({ ...env, BREAKER_VOLUME_THRESHOLD: "3", BREAKER_RESET_TIMEOUT_MS: "600000", ADMIN_TOKEN });
  const payments = await listen(await buildPayments({ config: paymentsConfig, logger }));
  ordersUrl = `http://${orders}`;
  paymentsUrl = `http://${payments}`;

  // The project's own scrape config and rules, pointed at this test's ports and scraped every second.
  const config = parse(await readFile(join(deploy, "prometheus/prometheus.yml"), "utf8"));
  config.global.scrape_interval = "1s";
  config.global.evaluation_interval = "1s";
  // Both jobs: per replica /metrics, and /metrics/system through each service's (here: only) address.
  for (const job of config.scrape_configs) job.static_configs = [{ targets: [orders, inventory, payments] }];
  prometheus = await startPrometheus(
    {
      "prometheus.yml": stringify(config),
      "alerts.yml": await readFile(join(deploy, "prometheus/alerts.yml"), "utf8"),
    },
    ["--enable-feature=exemplar-storage"],
  );
}, 60_000);

afterAll(async () => {
  await prometheus?.stop();
  for (const app of apps) await app.close();
  await nats?.stop();
  await telemetry?.shutdown();
  await otlp?.stop();
});

async function post(body: unknown): Promise<Response> {
  return fetch(`${ordersUrl}/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function alertRules(): Promise<AlertRule[]> {
  const rules = parse(await readFile(join(deploy, "prometheus/alerts.yml"), "utf8"));
  return rules.groups.flatMap((g: { rules: AlertRule[] }) => g.rules);
}

async function dashboardQueries(): Promise<Array<{ dashboard: string; panel: string; expr: string }>> {
  const queries = [];
  for (const file of ["order-flow.json", "messaging.json", "services.json"]) {
    const dashboard = JSON.parse(await readFile(join(deploy, "grafana/dashboards", file), "utf8"));
    for (const panel of dashboard.panels) {
      for (const target of panel.targets) queries.push({ dashboard: dashboard.title, panel: panel.title, expr: target.expr as string });
    }
  }
  return queries;
}

/** The parts of an alert expression joined by a top-level "and", each without its final comparison. */
function alertSignals(expr: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < expr.length; i++) {
    if (expr[i] === "(") depth++;
    else if (expr[i] === ")") depth--;
    else if (depth === 0 && expr.startsWith(" and ", i)) {
      parts.push(expr.slice(start, i));
      start = i + 5;
    }
  }
  parts.push(expr.slice(start));
  return parts.map((part) => part.trim().replace(/\s*(==|!=|>=|<=|>|<)\s*[\d.]+$/, ""));
}

describe("Prometheus, dashboards and alerts against the running services", () => {
  it("promtool accepts the scrape config and the alert rules", async () => {
    await expect(run("promtool", ["check", "config", join(prometheus.dir, "prometheus.yml")])).resolves.toBeDefined();
    const rules = await run("promtool", ["check", "rules", join(deploy, "prometheus/alerts.yml")]);
    expect(rules.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });

  it("under load, every dashboard panel query and every alert signal returns data", async () => {
    const customers = ["c-1", "c-2", "decline-1"];
    const skus = ["MUG-RED", "TEE-M", "SOLD-OUT-SNEAKER", "NO-SUCH-SKU"];
    const accepted: string[] = [];
    for (let i = 0; i < 40; i++) {
      const res = await post({ customerId: customers[i % 3], items: [{ sku: skus[i % 4], quantity: 1 + (i % 2) }] });
      expect(res.status).toBe(202);
      accepted.push(((await res.json()) as { orderId: string }).orderId);
    }
    expect((await post({ customerId: "c-1", items: [] })).status).toBe(400);
    for (const orderId of accepted) {
      await waitFor(
        async () =>
          ["CONFIRMED", "REJECTED", "CANCELLED"].includes(
            ((await (await fetch(`${ordersUrl}/orders/${orderId}`)).json()) as { status: string }).status,
          ),
        {
          what: `order ${orderId} terminal`,
        },
      );
    }
    // Two scrapes after the last completion, so rates over the window see the increase.
    await waitFor(async () => Number((await prometheus.query("sum(saga_outcomes_total)"))[0]?.value[1]) === accepted.length, {
      what: "all outcomes scraped",
      timeoutMs: 20_000,
    });
    for (const job of ["shop", "shop-system"]) {
      await waitFor(async () => Number((await prometheus.query(`min(count_over_time(up{job="${job}"}[1m]))`))[0]?.value[1]) >= 3, {
        what: `three scrapes of job ${job}`,
        timeoutMs: 20_000,
      });
    }

    const empty: string[] = [];
    for (const { dashboard, panel, expr } of await dashboardQueries()) {
      const result = await prometheus.query(expr.replaceAll("$__rate_interval", "1m"));
      if (result.length === 0) empty.push(`${dashboard} / ${panel}: ${expr}`);
    }
    for (const rule of await alertRules()) {
      for (const signal of alertSignals(rule.expr)) {
        if ((await prometheus.query(signal)).length === 0) empty.push(`alert ${rule.alert}: ${signal}`);
      }
    }
    expect(empty).toEqual([]);
    expect((await dashboardQueries()).length).toBeGreaterThanOrEqual(25);
  });

  it("the system gauges come from the shop-system job only, one series each, and that job brings nothing else", async () => {
    const scrapeSeries = [
      "up",
      "scrape_duration_seconds",
      "scrape_samples_scraped",
      "scrape_samples_post_metric_relabeling",
      "scrape_series_added",
    ];
    for (const name of SYSTEM_GAUGES) {
      const jobs = (await prometheus.query(`count by (job) (${name})`)).map((r) => r.metric.job);
      expect(jobs, name).toEqual(["shop-system"]);
      expect(await prometheus.query(`count by (service, consumer, sku, state) (${name}) > 1`), `${name} duplicated`).toEqual([]);
    }
    const fromSystemJob = (await prometheus.query('group by (__name__) ({job="shop-system"})')).map((r) => r.metric.__name__);
    expect(fromSystemJob.sort()).toEqual([...SYSTEM_GAUGES, ...scrapeSeries].sort());
  });

  it("saga latency buckets carry exemplars whose trace_id is an order's trace", async () => {
    const series = await waitFor(
      async () => {
        const found = await prometheus.exemplars("saga_duration_seconds_bucket");
        return found.length > 0 && found;
      },
      { what: "saga_duration_seconds exemplars", timeoutMs: 20_000 },
    );
    const traceIds = series.flatMap((s) => s.exemplars.map((e) => e.labels.trace_id));
    expect(traceIds.length).toBeGreaterThan(0);
    const orderTraces = new Set(
      otlp
        .spans()
        .filter((s) => s.attributes["shop.order.id"])
        .map((s) => s.traceId),
    );
    expect(traceIds.filter((id) => id !== undefined && orderTraces.has(id)).length).toBeGreaterThan(0);
    expect(await prometheus.exemplars("http_server_request_duration_seconds_bucket")).not.toEqual([]);
  });

  it("a failing payment provider opens the breaker and the breaker-open alert expression turns true", async () => {
    const rule = (await alertRules()).find((r) => r.alert === "CircuitBreakerOpen");
    if (!rule) throw new Error("no CircuitBreakerOpen rule");
    expect(await prometheus.query(rule.expr)).toEqual([]);
    await setProviderFaults({ failureRate: 1 });
    for (let i = 0; i < 5; i++)
      expect((await post({ customerId: `c-breaker-${i}`, items: [{ sku: "MUG-BLUE", quantity: 1 }] })).status).toBe(202);
    const firing = await waitFor(
      async () => {
        const result = await prometheus.query(rule.expr);
        return result.length > 0 && result;
      },
      { what: "the breaker-open expression to turn true", timeoutMs: 30_000 },
    );
    expect(firing[0]?.metric).toMatchObject({ service: "payments", breaker: "payment-provider" });
    await setProviderFaults({ failureRate: 0 });
  });
});

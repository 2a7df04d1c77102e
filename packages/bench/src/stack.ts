import { randomBytes } from "node:crypto";
import { Bus } from "@shop/eventbus";
import { type NatsServerHandle, type ServiceProcess, startNatsServer, startServiceProcess } from "@shop/testkit";
import { pino } from "pino";

export const SERVICES = ["orders", "inventory", "payments"] as const;
export type ServiceName = (typeof SERVICES)[number];

/** "bench": quiet logs, no rate limit, sampled tracing; "defaults": the services' own settings. */
export type Settings = "bench" | "defaults";

export interface StackOptions {
  replicas: number;
  settings: Settings;
  /** OTLP/HTTP endpoint the services export spans to. */
  traceEndpoint: string;
  /** Share of traces kept under the bench's settings. */
  sampling: number;
  heapMb?: string | undefined;
  /** GOMAXPROCS of the nats-server; 0 = Go's default. */
  natsGomaxprocs?: number;
  /** Extra service settings under the bench's settings. */
  serviceEnv?: Record<string, string>;
  /** Directory for a V8 CPU profile per service process. */
  profile?: string | undefined;
}

export interface BenchStack {
  readonly replicas: number;
  readonly settings: Settings;
  readonly nats: NatsServerHandle;
  readonly monitorUrl: string;
  /** The bench's own connection (backlog checks between steps; not counted as the services' traffic). */
  readonly bus: Bus;
  readonly services: Record<ServiceName, ServiceProcess[]>;
  readonly ordersUrls: string[];
  readonly inventoryUrl: string;
  /** Bearer token of inventory's admin API (setting stock). */
  readonly adminToken: string;
  /** Process ids by name: nats, orders-1, orders-2, …, inventory-1, …, loadgen (this process). */
  pids(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * A fresh nats-server and `replicas` processes of every service on it, all consuming the same
 * durables. Replicas start one after another, so provisioning never races.
 */
export async function startStack(options: StackOptions): Promise<BenchStack> {
  const gomaxprocs = options.natsGomaxprocs ?? 0;
  const nats = await startNatsServer({ monitoring: true, env: gomaxprocs > 0 ? { GOMAXPROCS: String(gomaxprocs) } : {} });
  const services: Record<ServiceName, ServiceProcess[]> = { orders: [], inventory: [], payments: [] };
  const adminToken = randomBytes(24).toString("hex");
  const bus = await Bus.connect({ url: nats.url, name: "shop-bench", logger: pino({ level: "silent" }) }).catch(async (err) => {
    await nats.stop();
    throw err;
  });
  try {
    // What a bench has to set whatever the settings: where NATS and the trace collector are, and the
    // admin token that lets it set stock. (Ports come from the testkit.)
    const required: Record<string, string> = { NATS_URL: nats.url, OTEL_EXPORTER_OTLP_ENDPOINT: options.traceEndpoint };
    const tuned: Record<string, string> =
      options.settings === "bench"
        ? { LOG_LEVEL: "warn", RATE_LIMIT_MAX: "1000000000", OTEL_TRACES_SAMPLER_ARG: String(options.sampling), ...options.serviceEnv }
        : {};
    for (let replica = 1; replica <= options.replicas; replica++) {
      for (const name of SERVICES) {
        const env = { ...required, ...tuned, ...(name === "inventory" ? { ADMIN_TOKEN: adminToken } : {}) };
        const nodeArgs = [
          ...(options.heapMb ? [`--max-old-space-size=${options.heapMb}`] : []),
          // Each process writes a V8 CPU profile (open in Chrome DevTools) when it exits.
          ...(options.profile
            ? [
                "--cpu-prof",
                `--cpu-prof-dir=${options.profile}`,
                `--cpu-prof-name=${name}-r${options.replicas}-${replica}-${options.settings}.cpuprofile`,
              ]
            : []),
        ];
        services[name].push(await startServiceProcess(name, { env, readyTimeoutMs: 30_000, nodeArgs }));
      }
    }
  } catch (err) {
    await stopAll(services, bus, nats);
    throw err;
  }
  return {
    replicas: options.replicas,
    settings: options.settings,
    nats,
    monitorUrl: nats.monitorUrl as string,
    bus,
    services,
    ordersUrls: services.orders.map((s) => s.url),
    inventoryUrl: services.inventory[0]?.url ?? "",
    adminToken,
    pids: () => {
      const pids: Record<string, number> = { nats: nats.pid ?? 0, loadgen: process.pid };
      for (const name of SERVICES) {
        for (const [i, service] of services[name].entries()) pids[`${name}-${i + 1}`] = service.pid ?? 0;
      }
      return pids;
    },
    close: () => stopAll(services, bus, nats),
  };
}

async function stopAll(services: Record<ServiceName, ServiceProcess[]>, bus: Bus, nats: NatsServerHandle): Promise<void> {
  await bus.close();
  await Promise.all(Object.values(services).flatMap((list) => list.map((s) => s.kill("SIGTERM"))));
  await nats.stop();
}

import {
  type NatsClusterHandle,
  type NatsServerHandle,
  type ServiceProcess,
  startNatsCluster,
  startNatsServer,
  startServiceProcess,
} from "@shop/testkit";

export const ADMIN_TOKEN = "chaos-suite-admin-token-0001";
export type ServiceName = "orders" | "inventory" | "payments";
export const SERVICE_NAMES: readonly ServiceName[] = ["orders", "inventory", "payments"];

export type ReplicaCounts = Record<ServiceName, number>;
export const ONE_EACH: ReplicaCounts = { orders: 1, inventory: 1, payments: 1 };

/** What the simulated provider of every payments process is told to do. */
export interface ProviderFaults {
  outage?: boolean;
  latencyMs?: number;
  lostResponseRate?: number;
  failureRate?: number;
}
export const NO_FAULTS: Required<ProviderFaults> = { outage: false, latencyMs: 0, lostResponseRate: 0, failureRate: 0 };

/** One replica of a service: a slot whose process is restarted in place or replaced by a new one (new port). */
export interface Replica {
  /** e.g. `inventory-2`. */
  readonly id: string;
  readonly service: ServiceName;
  /** The process running now (or last, when it is down). */
  readonly process: ServiceProcess;
  readonly url: string;
}

/** A replica stopped with SIGTERM: how it exited and how long the graceful drain took. */
export interface GracefulStop {
  replica: string;
  exitCode: number | null;
  ms: number;
  /** Killed with SIGKILL because it outlived the grace period. */
  forced: boolean;
}

export interface ChaosStack {
  natsUrl: string;
  /** The single server (scenarios a, b, d, e, f, g), or undefined on a cluster. */
  nats: NatsServerHandle | undefined;
  /** The 3-node cluster (scenario c). */
  cluster: NatsClusterHandle | undefined;
  /** The first replica's process of each service (the only one where each service runs once). */
  readonly services: Record<ServiceName, ServiceProcess>;
  readonly replicas: Record<ServiceName, readonly Replica[]>;
  readonly counts: ReplicaCounts;
  /** Every replica, all services. */
  all(): Replica[];
  /** SIGKILL (or another signal); the replica stays down until restarted. */
  kill(replica: Replica, signal?: NodeJS.Signals): Promise<void>;
  /** Starts a replica's process again on its port, waits for /readyz, and gives it the current provider faults. */
  restart(replica: Replica): Promise<void>;
  /**
   * A rolling-update step as a Deployment's default strategy takes it with 2-3 replicas (max surge
   * 1, max unavailable 0): start the replacement on a new port and wait for its /readyz, then
   * SIGTERM the old process and wait for its graceful exit (SIGKILL past the grace period); the
   * slot then points at the new one.
   */
  replace(replica: Replica): Promise<GracefulStop>;
  /** Sets the provider faults on every payments process (each has its own simulated provider). */
  setProviderFaults(faults: ProviderFaults): Promise<void>;
  /** Every replica's output, including processes since replaced, by replica id. */
  outputs(): Record<string, string>;
  /** Every SIGTERM stop so far. */
  readonly gracefulStops: readonly GracefulStop[];
  stop(): Promise<void>;
}

/** Longer than the services' own SHUTDOWN_TIMEOUT_MS (15 s): as Kubernetes' grace without the preStop. */
export const GRACE_PERIOD_MS = 20_000;

interface Slot {
  id: string;
  service: ServiceName;
  process: ServiceProcess;
  url: string;
  /** Output of the processes this slot ran before the current one. */
  earlier: string;
}

/**
 * A fresh broker (one server, or a 3-node cluster with R3 streams and KV) and `counts` replicas of
 * each service as real processes, each on its own free port, tuned so faults heal within seconds.
 */
export async function startChaosStack({
  cluster: clustered = false,
  counts = ONE_EACH,
}: {
  cluster?: boolean;
  counts?: ReplicaCounts;
} = {}): Promise<ChaosStack> {
  const nats = clustered ? undefined : await startNatsServer();
  const cluster = clustered ? await startNatsCluster(3) : undefined;
  const natsUrl = nats?.url ?? cluster?.url ?? "";
  const env = {
    NATS_URL: natsUrl,
    NATS_REPLICAS: clustered ? "3" : "1",
    LOG_LEVEL: "warn",
    ADMIN_TOKEN,
    RATE_LIMIT_MAX: "1000000",
    // A killed consumer's unacked messages come back quickly.
    CONSUMER_ACK_WAIT_MS: "3000",
    PROVIDER_TIMEOUT_MS: "1000",
    BREAKER_RESET_TIMEOUT_MS: "1000",
    // Holds a killed replica left behind are released within seconds, before the drain's check.
    HOLD_SWEEP_INTERVAL_MS: "1000",
    OTEL_SDK_DISABLED: "true",
  };
  const launch = (service: ServiceName) => startServiceProcess(service, { env, readyTimeoutMs: 30_000 });
  const slots = {} as Record<ServiceName, Slot[]>;
  for (const service of SERVICE_NAMES) {
    // The first replica provisions alone; the others start together, as a scaled deployment does.
    const first = await launch(service);
    const rest = await Promise.all(Array.from({ length: counts[service] - 1 }, () => launch(service)));
    slots[service] = [first, ...rest].map((process, i) => ({ id: `${service}-${i + 1}`, service, process, url: process.url, earlier: "" }));
  }
  let faults: Required<ProviderFaults> = { ...NO_FAULTS };
  const applyFaults = (url: string) => admin(url, "/admin/provider/faults", faults);
  const gracefulStops: GracefulStop[] = [];
  const all = () => SERVICE_NAMES.flatMap((service) => slots[service]);
  const slotOf = (replica: Replica) => {
    const slot = all().find((s) => s.id === replica.id);
    if (!slot) throw new Error(`no replica ${replica.id}`);
    return slot;
  };

  return {
    natsUrl,
    nats,
    cluster,
    get services() {
      return Object.fromEntries(SERVICE_NAMES.map((service) => [service, slots[service][0]?.process])) as Record<
        ServiceName,
        ServiceProcess
      >;
    },
    replicas: slots,
    counts,
    all,
    kill: async (replica, signal = "SIGKILL") => {
      await slotOf(replica).process.kill(signal);
    },
    restart: async (replica) => {
      const slot = slotOf(replica);
      await slot.process.restart();
      if (slot.service === "payments") await applyFaults(slot.url);
    },
    replace: async (replica) => {
      const slot = slotOf(replica);
      const old = slot.process;
      const next = await launch(slot.service);
      if (slot.service === "payments") await applyFaults(next.url);
      // SIGTERM while the old process is still in the rotation (a pod without a preStop delay):
      // requests in flight must finish, later ones are refused until the balancer drops it.
      const started = Date.now();
      let forced = false;
      const exited = old.kill("SIGTERM");
      const grace = setTimeout(() => {
        forced = true;
        void old.kill("SIGKILL");
      }, GRACE_PERIOD_MS);
      const exitCode = await exited.finally(() => clearTimeout(grace));
      slot.process = next;
      slot.url = next.url;
      const stop: GracefulStop = { replica: slot.id, exitCode, ms: Date.now() - started, forced };
      gracefulStops.push(stop);
      slot.earlier += old.output();
      return stop;
    },
    setProviderFaults: async (set) => {
      faults = { ...faults, ...set };
      await Promise.all(slots.payments.filter((slot) => slot.process.running).map((slot) => applyFaults(slot.url)));
    },
    outputs: () => Object.fromEntries(all().map((slot) => [slot.id, slot.earlier + slot.process.output()])),
    gracefulStops,
    stop: async () => {
      await Promise.all(all().map((slot) => slot.process.kill("SIGKILL")));
      await nats?.stop();
      await cluster?.stop();
    },
  };
}

export async function admin(url: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${url}${path}`, {
    method: "PUT",
    headers: { "content-type": "application/json", authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`PUT ${path} answered ${res.status}: ${await res.text()}`);
}

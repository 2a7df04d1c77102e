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

export interface ChaosStack {
  natsUrl: string;
  /** The single server (scenarios a, b, d), or undefined on a cluster. */
  nats: NatsServerHandle | undefined;
  /** The 3-node cluster (scenario c). */
  cluster: NatsClusterHandle | undefined;
  services: Record<ServiceName, ServiceProcess>;
  stop(): Promise<void>;
}

/** A fresh broker (one server, or a 3-node cluster with R3 streams and KV) and the three services as real processes, tuned so faults heal within seconds. */
export async function startChaosStack({ cluster: clustered = false } = {}): Promise<ChaosStack> {
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
    OTEL_SDK_DISABLED: "true",
  };
  const services = {} as Record<ServiceName, ServiceProcess>;
  for (const name of SERVICE_NAMES) services[name] = await startServiceProcess(name, { env, readyTimeoutMs: 30_000 });
  return {
    natsUrl,
    nats,
    cluster,
    services,
    stop: async () => {
      await Promise.all(Object.values(services).map((s) => s.kill("SIGKILL")));
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

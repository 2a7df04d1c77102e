import type { ChildProcess } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launchNatsServer, terminate } from "./nats-server.js";
import { freePort } from "./ports.js";
import { waitFor } from "./wait-for.js";

export interface ClusterNode {
  readonly name: string;
  readonly url: string;
  readonly running: boolean;
  kill(signal?: NodeJS.Signals): Promise<void>;
  restart(): Promise<void>;
}

export interface NatsClusterHandle {
  /** Every node's client URL, comma-separated, as NATS_URL takes them. */
  readonly url: string;
  readonly nodes: readonly ClusterNode[];
  node(name: string): ClusterNode;
  /** Name of the JetStream meta leader, as a running node's monitoring endpoint reports it. */
  metaLeader(): Promise<string | undefined>;
  stop(): Promise<void>;
}

/** A JetStream cluster of real nats-server processes on loopback, each with its own store. */
export async function startNatsCluster(size = 3, clusterName = "shop-test"): Promise<NatsClusterHandle> {
  const root = await mkdtemp(join(tmpdir(), "shop-nats-cluster-"));
  const specs: Array<{ name: string; port: number; clusterPort: number; monitorPort: number; storeDir: string }> = [];
  for (let i = 1; i <= size; i++)
    specs.push({
      name: `n${i}`,
      port: await freePort(),
      clusterPort: await freePort(),
      monitorPort: await freePort(),
      storeDir: join(root, `n${i}`),
    });
  const routes = specs.map((s) => `nats://127.0.0.1:${s.clusterPort}`).join(",");
  const nodes = specs.map((spec) => {
    let child: ChildProcess | undefined;
    const args = [
      "-a",
      "127.0.0.1",
      "-p",
      String(spec.port),
      "-m",
      String(spec.monitorPort),
      "-js",
      "-sd",
      spec.storeDir,
      "--server_name",
      spec.name,
      "--cluster_name",
      clusterName,
      "--cluster",
      `nats://127.0.0.1:${spec.clusterPort}`,
      "--routes",
      routes,
    ];
    const node: ClusterNode = {
      name: spec.name,
      url: `nats://127.0.0.1:${spec.port}`,
      get running() {
        return child !== undefined;
      },
      kill: async (signal = "SIGKILL") => {
        if (child) await terminate(child, signal);
        child = undefined;
      },
      restart: async () => {
        if (child) await terminate(child, "SIGTERM");
        child = await launchNatsServer(args);
      },
    };
    return node;
  });
  await Promise.all(nodes.map((n) => n.restart()));
  const metaLeader = async (): Promise<string | undefined> => {
    for (const [i, spec] of specs.entries()) {
      if (!nodes[i]?.running) continue;
      const jsz = await fetch(`http://127.0.0.1:${spec.monitorPort}/jsz`)
        .then((res) => res.json() as Promise<{ meta_cluster?: { leader?: string } }>)
        .catch(() => undefined);
      if (jsz?.meta_cluster?.leader) return jsz.meta_cluster.leader;
    }
    return undefined;
  };
  // Ready when the JetStream meta group has a leader (before that, API calls time out).
  await waitFor(metaLeader, { what: "a JetStream meta leader", timeoutMs: 30_000, intervalMs: 100 });
  return {
    url: nodes.map((n) => n.url).join(","),
    nodes,
    metaLeader,
    node: (name) => {
      const found = nodes.find((n) => n.name === name);
      if (!found) throw new Error(`no cluster node ${name}`);
      return found;
    },
    stop: async () => {
      await Promise.all(nodes.map((n) => n.kill("SIGTERM")));
      await rm(root, { recursive: true, force: true });
    },
  };
}

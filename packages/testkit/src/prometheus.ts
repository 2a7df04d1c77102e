import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";
import { waitFor } from "./wait-for.js";

export interface PrometheusHandle {
  readonly url: string;
  /** Directory holding the config and rule files it was started with. */
  readonly dir: string;
  /** Instant query through the HTTP API; throws on a query error. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Exemplars of the series matching `selector` over the last hour. */
  exemplars(
    selector: string,
  ): Promise<Array<{ seriesLabels: Record<string, string>; exemplars: Array<{ labels: Record<string, string>; value: string }> }>>;
  stop(): Promise<void>;
}

export const PROMETHEUS_MISSING = "prometheus was not found on PATH. Install it with `apt-get install --no-install-recommends prometheus`.";

/** Starts a real Prometheus on a free loopback port with the given files (prometheus.yml among them). */
export async function startPrometheus(files: Record<string, string>, flags: string[] = []): Promise<PrometheusHandle> {
  const dir = await mkdtemp(join(tmpdir(), "shop-prometheus-"));
  for (const [name, content] of Object.entries(files)) await writeFile(join(dir, name), content);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  const child: ChildProcess = spawn(
    "prometheus",
    [
      `--config.file=${join(dir, "prometheus.yml")}`,
      `--storage.tsdb.path=${join(dir, "data")}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...flags,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (err: NodeJS.ErrnoException) => reject(err.code === "ENOENT" ? new Error(PROMETHEUS_MISSING) : err));
    child.once("exit", (code) => reject(new Error(`prometheus exited with ${code}:\n${output.slice(-3000)}`)));
  });
  failed.catch(() => undefined);
  await Promise.race([failed, waitFor(async () => (await fetch(`${url}/-/ready`)).ok, { what: "prometheus /-/ready", timeoutMs: 20_000 })]);
  return {
    url,
    dir,
    query: async (expr) => {
      const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
      const body = (await res.json()) as {
        status: string;
        error?: string;
        data?: { result: Array<{ metric: Record<string, string>; value: [number, string] }> };
      };
      if (body.status !== "success") throw new Error(`query failed: ${expr}: ${body.error}`);
      return body.data?.result ?? [];
    },
    exemplars: async (selector) => {
      const now = Date.now() / 1000;
      const params = new URLSearchParams({ query: selector, start: String(now - 3600), end: String(now + 60) });
      const body = (await (await fetch(`${url}/api/v1/query_exemplars?${params}`)).json()) as { status: string; error?: string; data?: [] };
      if (body.status !== "success") throw new Error(`exemplar query failed: ${selector}: ${body.error}`);
      return body.data ?? [];
    },
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        await new Promise<void>((resolve) => {
          child.once("exit", () => resolve());
          child.kill("SIGTERM");
        });
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

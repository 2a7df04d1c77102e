import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.js";

export interface NatsServerHandle {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  readonly pid: number | undefined;
  /** HTTP monitoring endpoint (/varz, /jsz), when started with `monitoring`. */
  readonly monitorUrl: string | undefined;
  /** Kills the server (SIGKILL by default) and waits for it to exit; the store stays. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again on the same port with the same store. */
  restart(): Promise<void>;
  /** Stops it and deletes the store. */
  stop(): Promise<void>;
}

export const NATS_SERVER_MISSING =
  "nats-server was not found on PATH. Install it with `apt-get install nats-server` (or put a nats-server binary on PATH).";

export interface NatsServerOptions {
  /** Also serve HTTP monitoring on a free loopback port. */
  monitoring?: boolean;
  /** Extra environment for the server process (e.g. GOMAXPROCS), kept across restarts. */
  env?: Record<string, string>;
}

/** Starts a real nats-server with JetStream on a free loopback port and a temporary store. */
export async function startNatsServer({ monitoring = false, env }: NatsServerOptions = {}): Promise<NatsServerHandle> {
  const port = await freePort();
  const monitorPort = monitoring ? await freePort() : undefined;
  const storeDir = await mkdtemp(join(tmpdir(), "shop-nats-"));
  const launch = () =>
    launchNatsServer(
      ["-a", "127.0.0.1", "-p", String(port), "-js", "-sd", storeDir, ...(monitorPort ? ["-m", String(monitorPort)] : [])],
      env,
    );
  let child: ChildProcess | undefined = await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    monitorUrl: monitorPort ? `http://127.0.0.1:${monitorPort}` : undefined,
    get pid() {
      return child?.pid;
    },
    kill: async (signal = "SIGKILL") => {
      if (child) await terminate(child, signal);
      child = undefined;
    },
    restart: async () => {
      if (child) await terminate(child, "SIGTERM");
      child = await launch();
    },
    stop: async () => {
      if (child) await terminate(child, "SIGTERM");
      child = undefined;
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/** Starts nats-server with `args` (and `env` over this process's environment); resolves once it logs that it is ready. */
export function launchNatsServer(args: string[], env?: Record<string, string>): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn("nats-server", args, { stdio: ["ignore", "ignore", "pipe"], env: { ...process.env, ...env } });
    let log = "";
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("Server is ready")) {
        child.stderr?.off("data", onData);
        child.stderr?.resume();
        resolve(child);
      }
    };
    child.stderr?.on("data", onData);
    child.once("error", (err: NodeJS.ErrnoException) => reject(err.code === "ENOENT" ? new Error(NATS_SERVER_MISSING) : err));
    child.once("exit", (code) => reject(new Error(`nats-server exited with ${code} before it was ready:\n${log}`)));
  });
}

/** Signals a process and waits for it to exit. */
export function terminate(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill(signal);
  });
}

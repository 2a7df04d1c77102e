import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./ports.js";
import { waitFor } from "./wait-for.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

export interface ServiceProcess {
  readonly name: string;
  readonly url: string;
  readonly port: number;
  /** The running process's id (changes on restart). */
  readonly pid: number | undefined;
  /** Whether the process is alive (started and not exited). */
  readonly running: boolean;
  /** Signals the process and waits for it to exit. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
  /** Starts it again on the same port and waits until /readyz answers 200. */
  restart(): Promise<void>;
  /** Everything it wrote so far (stdout and stderr). */
  output(): string;
}

export interface ServiceProcessOptions {
  env: Record<string, string>;
  readyTimeoutMs?: number;
  /** Extra node flags, e.g. `--cpu-prof` for the benchmark's profiles. */
  nodeArgs?: string[];
}

/** Runs a built service (`services/<name>/dist/main.js`) as a child process on a free port. */
export async function startServiceProcess(
  name: string,
  { env, readyTimeoutMs = 20_000, nodeArgs = [] }: ServiceProcessOptions,
): Promise<ServiceProcess> {
  const main = join(ROOT, "services", name, "dist", "main.js");
  if (!existsSync(main)) throw new Error(`${main} is missing: run \`pnpm build\` first`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let output = "";
  let child: ChildProcess;
  const launch = async () => {
    child = spawn(process.execPath, [...nodeArgs, main], {
      env: { ...process.env, LOG_LEVEL: "info", ...env, PORT: String(port), HOST: "127.0.0.1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    const started = child;
    const exited = new Promise<never>((_, reject) =>
      started.once("exit", (code, signal) =>
        reject(new Error(`${name} (pid ${started.pid}) exited with ${signal ?? code} before it was ready:\n${output.slice(-4000)}`)),
      ),
    );
    exited.catch(() => undefined);
    await Promise.race([
      exited,
      waitFor(async () => (await fetch(`${url}/readyz`)).ok, { timeoutMs: readyTimeoutMs, intervalMs: 50, what: `${name} /readyz` }),
    ]);
  };
  await launch();
  return {
    name,
    url,
    port,
    get pid() {
      return child.pid;
    },
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    kill: (signal = "SIGKILL") =>
      new Promise((resolveExit) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolveExit(child.exitCode);
        child.once("exit", (code) => resolveExit(code));
        child.kill(signal);
      }),
    restart: launch,
    output: () => output,
  };
}

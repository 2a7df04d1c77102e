import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/** A compose project run with podman-compose: its files, project name and the env that sets its host ports. */
export interface ComposeProject {
  name: string;
  files: readonly string[];
  env: Record<string, string>;
}

export interface ContainerState {
  name: string;
  service: string;
}

async function podman(args: readonly string[], timeoutMs = 120_000): Promise<string> {
  const { stdout } = await run("podman", args, { timeout: timeoutMs, maxBuffer: 64 * 1024 * 1024 });
  return stdout;
}

/** Runs podman-compose on the project (up, down...); its output is shown only when it fails (in the error). */
export async function compose(project: ComposeProject, args: readonly string[], timeoutMs = 300_000): Promise<void> {
  const files = project.files.flatMap((file) => ["-f", file]);
  try {
    await run("podman-compose", ["-p", project.name, ...files, ...args], {
      timeout: timeoutMs,
      env: { ...process.env, ...project.env },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    const { stdout = "", stderr = "" } = err as { stdout?: string; stderr?: string };
    throw new Error(`podman-compose ${args.join(" ")} failed: ${(err as Error).message}\n${stdout.slice(-2000)}${stderr.slice(-2000)}`);
  }
}

/** podman-compose 1.0 `down` leaves the project's networks: removes them. */
export async function removeNetworks(project: ComposeProject): Promise<void> {
  const names = (await podman(["network", "ls", "-q", "--filter", `label=io.podman.compose.project=${project.name}`]))
    .split("\n")
    .filter(Boolean);
  if (names.length > 0) await podman(["network", "rm", "-f", ...names]);
}

/** The project's containers, by compose service. */
export async function containers(project: ComposeProject): Promise<ContainerState[]> {
  const out = await podman(["ps", "-a", "--filter", `label=io.podman.compose.project=${project.name}`, "--format", "json"]);
  const list = JSON.parse(out || "[]") as Array<{ Names: string[]; Labels: Record<string, string> }>;
  return list.map((c) => ({ name: c.Names[0] as string, service: c.Labels["com.docker.compose.service"] ?? "" }));
}

export async function containerOf(project: ComposeProject, service: string): Promise<string> {
  const found = (await containers(project)).find((c) => c.service === service);
  if (!found) throw new Error(`no container for service ${service} in project ${project.name}`);
  return found.name;
}

/** Stops a container with SIGTERM, SIGKILL after `graceSeconds`; returns its exit code and how long it took. */
export async function stopGracefully(container: string, graceSeconds: number): Promise<{ exitCode: number; ms: number }> {
  const started = performance.now();
  await podman(["stop", "-t", String(graceSeconds), container], (graceSeconds + 30) * 1000);
  const ms = performance.now() - started;
  const exitCode = Number((await podman(["inspect", "--format", "{{.State.ExitCode}}", container])).trim());
  return { exitCode, ms };
}

/** Stops (SIGTERM, SIGKILL after `graceSeconds`) and starts the same container: its volumes stay. */
export async function restart(container: string, graceSeconds: number): Promise<void> {
  await podman(["restart", "-t", String(graceSeconds), container], (graceSeconds + 60) * 1000);
}

export async function kill(container: string): Promise<void> {
  await podman(["kill", container]);
}

/** Runs the container's healthcheck once (without systemd podman runs none by itself); true when it passed. */
export async function healthcheckPasses(container: string): Promise<boolean> {
  return podman(["healthcheck", "run", container]).then(
    () => true,
    () => false,
  );
}

/** The container's last log lines (stdout and stderr), each cut to 300 characters. */
export async function logsOf(container: string, lines = 40): Promise<string> {
  try {
    const { stdout, stderr } = await run("podman", ["logs", "--tail", String(lines), container], { maxBuffer: 64 * 1024 * 1024 });
    return `${stdout}${stderr}`
      .split("\n")
      .map((line) => line.slice(0, 300))
      .join("\n");
  } catch (err) {
    return `(no logs: ${(err as Error).message})`;
  }
}

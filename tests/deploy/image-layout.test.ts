import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort, type NatsServerHandle, startNatsServer, waitFor } from "@shop/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dockerfileInstructions, ROOT } from "./support.js";

/** `COPY` instructions of one Dockerfile stage (from another stage when `from` is given), as [sources, destination]. */
function copies(stage: string, from?: string): [string[], string][] {
  return dockerfileInstructions()
    .filter((i) => i.stage === stage && i.keyword === "COPY")
    .map((i) => i.args.split(/\s+/))
    .filter((args) => args.find((a) => a.startsWith("--from="))?.slice("--from=".length) === from)
    .map((args) => {
      const paths = args.filter((a) => !a.startsWith("--"));
      return [paths.slice(0, -1), paths.at(-1) as string];
    });
}

/** The RUN command of a stage, without BuildKit flags such as --mount. */
function runCommand(stage: string): string {
  const run = dockerfileInstructions().find((i) => i.stage === stage && i.keyword === "RUN");
  if (!run) throw new Error(`no RUN in stage ${stage}`);
  return run.args
    .split(/\s+/)
    .filter((arg) => !arg.startsWith("--mount="))
    .join(" ");
}

let app: string;
let nats: NatsServerHandle;

// The image's runtime stage, rebuilt in a directory: the manifests its prod-deps stage copies, a
// production-only install from them, and the dist folders the runtime stage copies from the build.
beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), "shop-image-"));
  for (const [sources, destination] of copies("manifests")) {
    for (const source of sources) {
      const target = destination.endsWith("/") ? join(app, destination, source.split("/").at(-1) as string) : join(app, destination);
      mkdirSync(dirname(target), { recursive: true });
      cpSync(join(ROOT, source), destination === "./" ? join(app, source) : target, { recursive: true });
    }
  }
  // The prod-deps stage's own install command (without the build-cache mount), offline from the local store.
  const install = spawnSync("sh", ["-c", `${runCommand("prod-deps")} --offline --reporter=silent`], {
    cwd: app,
    encoding: "utf8",
    env: { ...process.env, CI: "true" },
  });
  expect(install.status, install.stderr || install.stdout).toBe(0);
  for (const [[source], destination] of copies("runtime", "build")) {
    cpSync(join(ROOT, (source as string).replace(/^\/app\//, "")), join(app, destination), { recursive: true });
  }
  nats = await startNatsServer();
}, 120_000);
afterAll(async () => {
  await nats?.stop();
  if (app) rmSync(app, { recursive: true, force: true });
});

describe("the image's runtime layout (production dependencies only), through its entrypoint", () => {
  it.each(["orders", "inventory", "payments"])(
    "%s starts, becomes ready against NATS, serves its API docs, and exits 0 on SIGTERM",
    async (name) => {
      const port = await freePort();
      const child = spawn("sh", [join(ROOT, "deploy/docker/entrypoint.sh"), name], {
        env: {
          ...process.env,
          APP_DIR: app,
          NATS_URL: nats.url,
          PORT: String(port),
          HOST: "127.0.0.1",
          LOG_LEVEL: "warn",
          OTEL_SDK_DISABLED: "true",
        },
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr?.on("data", (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
      try {
        await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined))?.ok === true, {
          timeoutMs: 30_000,
          what: `${name} ready (stderr: ${stderr.slice(-500)})`,
        });
        // The document's version comes from the service's package.json, and the UI's assets from production dependencies.
        const document = await fetch(`http://127.0.0.1:${port}/openapi.json`);
        expect(((await document.json()) as { info: { version: string } }).info.version).toBe("0.1.0");
        const asset = await fetch(`http://127.0.0.1:${port}/docs/static/swagger-ui-bundle.js`);
        // Read to the end: an unread body keeps the connection busy and the drain waiting.
        expect((await asset.text()).length).toBeGreaterThan(100_000);
        expect(asset.status).toBe(200);
      } finally {
        child.kill("SIGTERM");
      }
      expect(await exited, stderr).toBe(0);
    },
  );

  it("runs shop-load and shopctl too", () => {
    for (const command of ["shop-load", "shopctl"]) {
      const run = spawnSync("sh", [join(ROOT, "deploy/docker/entrypoint.sh"), command, "--help"], {
        env: { ...process.env, APP_DIR: app },
        encoding: "utf8",
      });
      expect(run.status, `${command}: ${run.stderr}`).toBe(0);
      expect(run.stdout.length).toBeGreaterThan(20);
    }
  });
});

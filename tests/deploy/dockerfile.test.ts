import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { dockerfileInstructions, exists, isPinned, ROOT, readText, readYaml } from "./support.js";

/** Workspace packages (from pnpm-workspace.yaml) and their workspace dependencies. */
function workspacePackages(): Map<string, { dir: string; deps: string[] }> {
  const { packages } = readYaml<{ packages: string[] }>("pnpm-workspace.yaml");
  const out = new Map<string, { dir: string; deps: string[] }>();
  for (const glob of packages) {
    const dirs = glob.endsWith("/*") ? readdirSync(join(ROOT, glob.slice(0, -2))).map((d) => `${glob.slice(0, -2)}/${d}`) : [glob];
    for (const dir of dirs) {
      if (!exists(`${dir}/package.json`)) continue;
      const manifest = JSON.parse(readText(`${dir}/package.json`)) as { name: string; dependencies?: Record<string, string> };
      const deps = Object.entries(manifest.dependencies ?? {})
        .filter(([, v]) => v.startsWith("workspace:"))
        .map(([k]) => k);
      out.set(manifest.name, { dir, deps });
    }
  }
  return out;
}

const all = dockerfileInstructions();
const runtime = all.filter((i) => i.stage === "runtime");

describe("Dockerfile", () => {
  it("builds from pinned base images in named stages and runs as a non-root user", () => {
    const nodeImage = /^ARG NODE_IMAGE=(\S+)$/m.exec(readText("Dockerfile"))?.[1] ?? "";
    expect(isPinned(nodeImage), nodeImage).toBe(true);
    // What we test is what we ship: the image runs the Node of .node-version, which the test command uses.
    expect(nodeImage).toBe(`node:${readText(".node-version").trim()}-trixie-slim`);
    const froms = all.filter((i) => i.keyword === "FROM").map((i) => i.args.split(/\s+/)[0] as string);
    const stages = new Set(all.map((i) => i.stage));
    for (const from of froms) expect(from === `\${NODE_IMAGE}` || stages.has(from), from).toBe(true);
    expect(runtime.filter((i) => i.keyword === "USER").map((i) => i.args)).toEqual(["node"]);
    expect(runtime.some((i) => i.keyword === "RUN" && /pnpm|npm install/.test(i.args))).toBe(false);
  });

  it("has a healthcheck on /healthz and an entrypoint that runs each service, the load generator and shopctl", () => {
    expect(runtime.find((i) => i.keyword === "HEALTHCHECK")?.args).toContain("/healthz");
    expect(runtime.find((i) => i.keyword === "ENTRYPOINT")?.args).toContain("/usr/local/bin/shop");
    const entrypoint = readText("deploy/docker/entrypoint.sh");
    for (const command of ["orders", "inventory", "payments", "shop-load", "shopctl"]) expect(entrypoint).toContain(command);
    const unknown = spawnSync("sh", [join(ROOT, "deploy/docker/entrypoint.sh"), "nonsense"], { encoding: "utf8" });
    expect(unknown.status).toBe(64);
    expect(unknown.stderr).toContain("usage: shop orders|inventory|payments|shop-load|shopctl");
  });

  it("copies only paths that exist, and the manifest of every workspace package (a frozen install needs them all)", () => {
    const copies = all.filter((i) => i.keyword === "COPY" && !i.args.includes("--from"));
    for (const copy of copies) {
      const sources = copy.args
        .split(/\s+/)
        .filter((a) => !a.startsWith("--"))
        .slice(0, -1);
      for (const source of sources) expect(exists(source), source).toBe(true);
    }
    const copiedManifests = new Set(copies.flatMap((c) => c.args.split(/\s+/)).filter((a) => a.endsWith("/package.json")));
    for (const { dir } of workspacePackages().values()) expect(copiedManifests.has(`${dir}/package.json`), dir).toBe(true);
  });

  it("puts in the runtime image the built code of every workspace package the services, shop-load and shopctl need", () => {
    const packages = workspacePackages();
    const needed = new Set<string>();
    const visit = (name: string) => {
      if (needed.has(name)) return;
      needed.add(name);
      for (const dep of packages.get(name)?.deps ?? []) visit(dep);
    };
    for (const name of ["@shop/orders", "@shop/inventory", "@shop/payments", "@shop/loadgen", "@shop/ops-cli"]) visit(name);
    const copiedDists = runtime.filter((i) => i.keyword === "COPY" && i.args.includes("--from=build")).map((i) => i.args);
    for (const name of needed) {
      const dir = packages.get(name)?.dir;
      expect(
        copiedDists.some((args) => args.includes(`/app/${dir}/dist`)),
        `${name} (${dir}/dist)`,
      ).toBe(true);
    }
  });

  it("keeps installed and built files out of the build context", () => {
    const ignored = readText(".dockerignore").split("\n");
    for (const pattern of ["**/node_modules", "**/dist", ".git"]) expect(ignored).toContain(pattern);
  });
});

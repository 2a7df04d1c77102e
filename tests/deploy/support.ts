import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { loadInventoryConfig } from "../../services/inventory/src/config.js";
import { loadOrdersConfig } from "../../services/orders/src/config.js";
import { loadPaymentsConfig } from "../../services/payments/src/config.js";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), "utf8");
}

/** YAML with anchors and `<<` merge keys resolved, as compose and kubectl read it. */
export function readYaml<T = unknown>(path: string): T {
  return parse(readText(path), { merge: true }) as T;
}

export function exists(path: string): boolean {
  return existsSync(join(ROOT, path));
}

/** An image reference pinned to a version: a tag other than latest (or a digest). */
export function isPinned(image: string): boolean {
  if (/@sha256:[0-9a-f]{64}$/.test(image)) return true;
  const tag = /:([^/:]+)$/.exec(image)?.[1];
  return tag !== undefined && tag !== "latest" && /\d/.test(tag);
}

/** The contract's ports (docs/architecture.md, public contract). */
export const SERVICE_PORTS = { orders: 3000, inventory: 3001, payments: 3002 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;
export const SERVICES = Object.keys(SERVICE_PORTS) as ServiceName[];

/** Each service's own configuration loader: what a deployment's environment must satisfy. */
export const CONFIG_LOADERS = { orders: loadOrdersConfig, inventory: loadInventoryConfig, payments: loadPaymentsConfig } as const;

const SYNC_ALWAYS = /^\s*sync_interval: always$/m;

/**
 * Whether nats-server accepts a config file, and the problem when it does not. The local server
 * (2.9) predates sync_interval (2.10+), so that one line, which the caller checks, is left out.
 */
export function natsConfigProblem(text: string, env: Record<string, string>): string | undefined {
  const file = join(mkdtempSync(join(tmpdir(), "nats-conf-")), "nats.conf");
  writeFileSync(file, text.replace(SYNC_ALWAYS, ""));
  const check = spawnSync("nats-server", ["-c", file, "-t"], { env: { ...process.env, ...env }, encoding: "utf8" });
  return check.status === 0 && `${check.stdout}${check.stderr}`.includes("is valid") ? undefined : check.stderr || check.stdout;
}

export function fsyncsEveryWrite(natsConfig: string): boolean {
  return SYNC_ALWAYS.test(natsConfig);
}

export interface Instruction {
  stage: string;
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions with continuation lines joined, each tagged with its stage. */
export function dockerfileInstructions(): Instruction[] {
  const lines = readText("Dockerfile")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  let stage = "";
  return lines.map((line) => {
    const [keyword = "", ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    if (keyword.toUpperCase() === "FROM") stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? args;
    return { stage, keyword: keyword.toUpperCase(), args };
  });
}

/** The Service annotation the cluster's shop-system scrape job keys on (deploy/k8s/prometheus-scrape.yml). */
export const SYSTEM_METRICS_ANNOTATION = "shop-order-backend/system-metrics-path";

/** A Prometheus relabel rule (the subset the repository's scrape configs use). */
export interface RelabelRule {
  source_labels?: string[];
  separator?: string;
  regex?: string;
  target_label?: string;
  replacement?: string;
  action?: "replace" | "keep" | "drop";
}

/**
 * Applies relabel rules to a discovered target as Prometheus does (regex anchored at both ends,
 * `$1`-style replacement, replace is a no-op when the regex does not match); undefined = dropped.
 * The Debian Prometheus on the test machines is built without Kubernetes discovery, so promtool
 * cannot load those configs: this checks what they would scrape.
 */
export function relabel(labels: Record<string, string>, rules: RelabelRule[]): Record<string, string> | undefined {
  const out = { ...labels };
  for (const rule of rules) {
    const value = (rule.source_labels ?? []).map((l) => out[l] ?? "").join(rule.separator ?? ";");
    const regex = new RegExp(`^(?:${rule.regex ?? "(.*)"})$`);
    const matched = regex.test(value);
    const action = rule.action ?? "replace";
    if (action === "keep" && !matched) return undefined;
    if (action === "drop" && matched) return undefined;
    if (action === "replace" && matched && rule.target_label)
      out[rule.target_label] = value.replace(regex, (rule.replacement ?? "$1").replace(/\$\{(\d+)\}/g, "$$$1"));
  }
  return out;
}

/** Prometheus's meta label for a Kubernetes annotation or label name. */
export const metaName = (name: string): string => name.replace(/[^a-zA-Z0-9_]/g, "_");

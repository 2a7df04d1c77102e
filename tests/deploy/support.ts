import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

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

/** The contract's ports (DESIGN.md section 4). */
export const SERVICE_PORTS = { orders: 3000, inventory: 3001, payments: 3002 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;
export const SERVICES = Object.keys(SERVICE_PORTS) as ServiceName[];

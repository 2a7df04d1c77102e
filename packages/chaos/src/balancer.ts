/**
 * A client-side load balancer in front of the orders replicas, as a Kubernetes Service or an
 * ingress would be: round-robin over the replicas whose /readyz answered 200 at the last check
 * (active health check), and a replica whose request got no HTTP answer is taken out at once until
 * it passes a check again (passive health check). It never retries a request elsewhere: a request
 * that hits a dying replica simply fails, and is then not accepted.
 */
export interface Balancer {
  /** The next healthy replica's base URL, or undefined when none is up. */
  pick(): string | undefined;
  /** Reports a request to `url` that got no HTTP answer (refused, reset, timed out). */
  unanswered(url: string): void;
  /** Stops checking; resolves when the last check has ended. */
  stop(): Promise<void>;
}

export interface BalancerOptions {
  /** The replicas' base URLs as they are now (a replaced replica has a new port). */
  backends: () => readonly string[];
  checkIntervalMs?: number;
}

export function startBalancer({ backends, checkIntervalMs = 200 }: BalancerOptions): Balancer {
  const healthy = new Set<string>();
  let next = 0;
  let stopped = false;
  const check = async (url: string) => {
    const ok = await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1_000) })
      .then((res) => res.ok)
      .catch(() => false);
    if (ok && backends().includes(url)) healthy.add(url);
    else healthy.delete(url);
  };
  const checkAll = async () => {
    const current = backends();
    // A replaced replica's old URL leaves the rotation with it.
    for (const url of healthy) if (!current.includes(url)) healthy.delete(url);
    await Promise.all(current.map(check));
  };
  // Until the first check answers, every configured backend is tried.
  for (const url of backends()) healthy.add(url);
  const loop = (async () => {
    while (!stopped) {
      await checkAll();
      await new Promise((resolve) => setTimeout(resolve, checkIntervalMs));
    }
  })();
  return {
    pick: () => {
      const up = backends().filter((url) => healthy.has(url));
      if (up.length === 0) return undefined;
      return up[next++ % up.length];
    },
    unanswered: (url) => {
      healthy.delete(url);
    },
    stop: () => {
      stopped = true;
      return loop;
    },
  };
}

import { parseArgs } from "node:util";

export interface BenchOptions {
  steps: number[];
  duration: number;
  warmup: number;
  ceilingSeconds: number;
  sampling: number;
  /** Replica counts to measure, each on a fresh stack (e.g. [1, 2]). */
  replicas: number[];
  /** How many times to measure every replica count's steps, each time on fresh stacks. */
  rounds: number;
  /** Also measure every step on two independent one-replica stacks at half the rate each (split.ts). */
  split: boolean;
  /** Offered rate of the step run with the services' own settings; 0 = no such step. */
  defaultsRate: number;
  heapMb: string | undefined;
  /** GOMAXPROCS of the stack's nats-server; 0 = Go's default (one per core). */
  natsGomaxprocs: number;
  /** Extra environment for the services under the bench's settings (--set KEY=VALUE, repeatable). */
  serviceEnv: Record<string, string>;
  profile: string | undefined;
  out: string;
}

const HELP = `shop-bench [--steps 500,1000,2000,3000,4000] [--duration 20] [--warmup 5] [--ceiling-seconds 5]
           [--replicas 1] [--rounds 1] [--split] [--defaults-rate <first step>] [--sampling 0.1] [--heap-mb N] [--set KEY=VALUE ...]
           [--nats-gomaxprocs 1] [--profile dir] [--out file.json]

Measures the broker's ceiling and the cost of a KV write on a nats-server of its own (the ceiling
again after the steps: "of ceiling" is against the mean of the two), then, for each
replica count of --replicas (e.g. 1,2), starts a fresh nats-server with that many processes of every
service (all on the same durables), warms up at the first rate (not counted) for --warmup seconds
times the replica count (so every process gets the same warm-up traffic),
and offers each rate of --steps for --duration seconds (open loop), POST /orders round-robin over the
orders replicas. Before each step the stock of every SKU the step's orders use is set high enough
for the step (SOLD-OUT-SNEAKER stays sold out), so every step sends the same mix.

The services run with the bench's settings (LOG_LEVEL=warn, no rate limit, tracing sampled at
--sampling); one more step at --defaults-rate (0 = none) runs a fresh stack of the first replica
count with the services' own defaults, apart from the NATS URL, ports, the trace sink and the
inventory admin token, and its row is marked "defaults".

One row per step: latency, how late a probe process sleeping 5 ms at a time woke (wake p99: the
machine's run-queue wait), CPU cores per service (replicas summed), CPU ms per completed order
(every service process and nats-server, not the load generator), messages per order on the
services' own NATS connections and, apart, on the load generator's (from nats-server /connz), RSS
(max over replicas) and the share of confirmed/rejected/cancelled orders; under the table, per
step, bytes per order by NATS connection, and context switches per order (every thread) with the
kernel's share of CPU by service: wake-ups against slower user code; and the share of POST /orders
slower than 50 ms from the generator's intended send and inside orders (its own histogram). With several replica
counts it ends with the ratio of CPU ms per order against the first count at each common rate.
--rounds N measures every replica count's steps N times, each on fresh stacks, the counts'
order reversed every other round (1,2 then 2,1), so a slow or fast spell of the machine weighs on
each count alike; the ratios pair steps of the same round, and their median is the verdict. A
step measured in several rounds also gets the median of its figures (done/s, p99s, CPU per order).
--split adds a control to every round: two independent stacks of one process per service, each
with its own nats-server and nothing shared, offered half of each step's rate at the same time
(rows marked "split"; figures summed, latencies the slower half's). Against one replica it is what
splitting the load over two processes per service costs on this machine when they coordinate on
nothing; against two replicas, what the replicas' coordination (shared durables, compare-and-set
on shared keys) adds to that.
Writes the JSON to --out and a latency/throughput chart per replica count beside it (.svg).
--set KEY=VALUE (repeatable) adds a service setting to the bench's settings (not to the defaults step),
e.g. --set CONSUMER_CONCURRENCY=64 to compare a setting in one run.
--nats-gomaxprocs N runs the stack's nats-server with GOMAXPROCS=N (default 1, 0 = Go's default of one per
core): on a small machine shared with the services, a second Go processor mostly spins and sleeps
looking for work to steal. The ceiling is measured with Go's default either way.
--heap-mb caps each service's V8 old space (--max-old-space-size), as a container would; --profile
writes a V8 CPU profile per service process.`;

/** The command line, checked; prints help or an error and exits when that is all there is to do. */
export function parseBenchOptions(argv = process.argv.slice(2)): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      steps: { type: "string", default: "500,1000,2000,3000,4000" },
      duration: { type: "string", default: "20" },
      "ceiling-seconds": { type: "string", default: "5" },
      warmup: { type: "string", default: "5" },
      replicas: { type: "string", default: "1" },
      rounds: { type: "string", default: "1" },
      split: { type: "boolean", default: false },
      "defaults-rate": { type: "string" },
      "heap-mb": { type: "string" },
      "nats-gomaxprocs": { type: "string", default: "1" },
      set: { type: "string", multiple: true, default: [] },
      sampling: { type: "string", default: "0.1" },
      profile: { type: "string" },
      out: { type: "string", default: `bench-results/bench-${new Date().toISOString().replace(/[:.]/g, "-")}.json` },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(HELP);
    process.exit(0);
  }
  const list = (text: string) => text.split(",").map((s) => Number(s.trim()));
  const steps = list(values.steps);
  const replicas = list(values.replicas);
  const options: BenchOptions = {
    steps,
    duration: Number(values.duration),
    warmup: Number(values.warmup),
    ceilingSeconds: Number(values["ceiling-seconds"]),
    sampling: Number(values.sampling),
    replicas,
    rounds: Number(values.rounds),
    split: values.split,
    defaultsRate: values["defaults-rate"] === undefined ? (steps[0] ?? 0) : Number(values["defaults-rate"]),
    heapMb: values["heap-mb"],
    natsGomaxprocs: Number(values["nats-gomaxprocs"]),
    serviceEnv: Object.fromEntries(values.set.map((pair) => [pair.slice(0, pair.indexOf("=")), pair.slice(pair.indexOf("=") + 1)])),
    profile: values.profile,
    out: values.out,
  };
  const problems = [
    steps.some((s) => !Number.isFinite(s) || s <= 0) && "--steps must be positive numbers",
    replicas.some((r) => !Number.isInteger(r) || r < 1) && "--replicas must be whole numbers >= 1",
    new Set(replicas).size !== replicas.length && "--replicas must not repeat a count",
    !(Number.isInteger(options.rounds) && options.rounds >= 1) && "--rounds must be a whole number >= 1",
    !(options.duration > 0) && "--duration must be > 0",
    !(options.warmup >= 0) && "--warmup must be >= 0",
    !(options.ceilingSeconds > 0) && "--ceiling-seconds must be > 0",
    !(options.sampling >= 0 && options.sampling <= 1) && "--sampling must be in [0, 1]",
    values.set.some((pair) => !/^[A-Z][A-Z0-9_]*=/.test(pair)) && "--set takes KEY=VALUE with an upper-case KEY",
    !(Number.isInteger(options.natsGomaxprocs) && options.natsGomaxprocs >= 0) && "--nats-gomaxprocs must be a whole number >= 0",
    !(options.defaultsRate >= 0) && "--defaults-rate must be >= 0 (0 = no defaults step)",
  ].filter((p): p is string => typeof p === "string");
  if (problems.length > 0) {
    console.error(`shop-bench: ${problems.join("; ")}`);
    process.exit(2);
  }
  return options;
}

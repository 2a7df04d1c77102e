import { trace } from "@opentelemetry/api";
import CircuitBreaker from "opossum";
import type { Logger } from "pino";
import { Counter, Gauge, type Registry } from "prom-client";
import { RetryableError } from "./errors.js";

export interface BreakerOptions {
  name: string;
  logger: Logger;
  registry?: Registry;
  /** A call slower than this counts as a failure. */
  timeoutMs?: number;
  /** Failure percentage in the rolling window that opens the breaker. */
  errorThresholdPercentage?: number;
  /** How long the breaker stays open before a trial call. */
  resetTimeoutMs?: number;
  /** Calls in the window before the percentage is judged. */
  volumeThreshold?: number;
  /** Errors that are the caller's answer, not the dependency's failure (e.g. a card decline). */
  isBusinessOutcome?: (err: unknown) => boolean;
}

export interface Breaker<A extends unknown[], R> {
  /** Runs the call; an open breaker fails fast with a RetryableError carrying the time to wait. */
  fire(...args: A): Promise<R>;
  readonly state: "closed" | "open" | "half-open";
  shutdown(): void;
}

const STATE_VALUE = { closed: 0, "half-open": 1, open: 2 } as const;
const BREAKER_EVENTS = ["open", "halfOpen", "close", "reject", "failure", "timeout", "success"] as const;
const instruments = new WeakMap<Registry, { state: Gauge<"breaker">; events: Counter<"breaker" | "event"> }>();

/** An opossum circuit breaker around an outbound call, with its state logged and exported. */
export function createBreaker<A extends unknown[], R>(call: (...args: A) => Promise<R>, options: BreakerOptions): Breaker<A, R> {
  const resetTimeoutMs = options.resetTimeoutMs ?? 5_000;
  const breaker = new CircuitBreaker(call, {
    name: options.name,
    timeout: options.timeoutMs ?? 3_000,
    errorThresholdPercentage: options.errorThresholdPercentage ?? 50,
    resetTimeout: resetTimeoutMs,
    volumeThreshold: options.volumeThreshold ?? 10,
    rollingCountTimeout: 10_000,
    errorFilter: options.isBusinessOutcome ?? (() => false),
  });
  const metrics = options.registry ? breakerInstruments(options.registry) : undefined;
  const stateOf = (): Breaker<A, R>["state"] => (breaker.opened ? "open" : breaker.halfOpen ? "half-open" : "closed");
  for (const event of BREAKER_EVENTS) {
    metrics?.events.inc({ breaker: options.name, event }, 0);
    // The typings overload on() per event name; every listener here takes no arguments.
    (breaker.on as (name: string, listener: () => void) => void).call(breaker, event, () => {
      metrics?.events.inc({ breaker: options.name, event });
      if (event === "open" || event === "halfOpen" || event === "close") {
        metrics?.state.set({ breaker: options.name }, STATE_VALUE[stateOf()]);
        // On the span of the call that tripped it (the consumer or provider span), as the design asks.
        trace.getActiveSpan()?.addEvent(`breaker.${event}`, { breaker: options.name });
        options.logger.warn({ breaker: options.name, state: stateOf() }, "circuit breaker state changed");
      }
    });
  }
  metrics?.state.set({ breaker: options.name }, 0);

  return {
    fire: async (...args: A) => {
      try {
        return await breaker.fire(...args);
      } catch (err) {
        if (breaker.opened && (err as { code?: string }).code === "EOPENBREAKER") {
          trace.getActiveSpan()?.addEvent("breaker.rejected", { breaker: options.name, retry_after_ms: resetTimeoutMs });
          throw new RetryableError("BREAKER_OPEN", `circuit breaker ${options.name} is open`, { cause: err, delayMs: resetTimeoutMs });
        }
        throw err;
      }
    },
    get state() {
      return stateOf();
    },
    shutdown: () => breaker.shutdown(),
  };
}

function breakerInstruments(registry: Registry) {
  let found = instruments.get(registry);
  if (!found) {
    found = {
      state: new Gauge({
        name: "circuit_breaker_state",
        help: "Circuit breaker state: 0 closed, 1 half-open, 2 open.",
        labelNames: ["breaker"],
        registers: [registry],
      }),
      events: new Counter({
        name: "circuit_breaker_events_total",
        help: "Circuit breaker events: open, halfOpen, close, reject (failed fast), failure, timeout, success.",
        labelNames: ["breaker", "event"],
        registers: [registry],
      }),
    };
    instruments.set(registry, found);
  }
  return found;
}

import { BUCKETS } from "@shop/contracts";
import type { Bus } from "@shop/eventbus";
import type { SentRequest } from "./load.js";
import { brokenRecord, readOrders, TERMINAL } from "./order-record.js";

// The stored shapes this suite reads, as far as it needs them (it does not import the services).
interface StoredCharge {
  request: { orderId: string; amountMinor: number };
  result?: { outcome: string };
  voidedAt?: string;
}
interface StoredStock {
  sku: string;
  initial: number;
  available: number;
  reserved: number;
  sold: number;
}

export interface Tally {
  sent: number;
  accepted: number;
  confirmed: number;
  rejected: number;
  cancelled: number;
}

/** Each count is a violation of a guarantee; all must be zero. */
export interface Violations {
  lost: number;
  unrequested: number;
  duplicateOrders: number;
  doubleCharges: number;
  chargedNotConfirmed: number;
  chargeMismatch: number;
  stock: number;
  unacked: number;
  dlq: number;
  /** Orders whose events contradict each other (two decisions, two outcomes, an event stored twice). */
  brokenRecords: number;
}

async function readAll<T>(bus: Bus, bucket: string): Promise<T[]> {
  const kv = await bus.kv<T>(bucket);
  const values: T[] = [];
  for (const key of await kv.keys()) {
    const entry = await kv.get(key);
    if (entry) values.push(entry.value);
  }
  return values;
}

/** Checks every guarantee against what the services stored, after the system drained. */
export async function checkInvariants(
  bus: Bus,
  sent: readonly SentRequest[],
  options: { dlqMustBeEmpty: boolean },
): Promise<{ tally: Tally; violations: Violations; details: string[] }> {
  const details: string[] = [];
  const byId = await readOrders(bus);
  const orders = [...byId.values()];
  const charges = await readAll<StoredCharge>(bus, BUCKETS.providerLedger);
  const stock = await readAll<StoredStock>(bus, BUCKETS.stock);
  const broken = orders.filter((o) => brokenRecord(o) !== undefined);
  for (const o of broken.slice(0, 5)) details.push(`broken record: ${o.orderId} has ${brokenRecord(o)}`);
  const accepted = sent.filter((r) => r.orderId !== undefined);

  const lost = accepted.filter((r) => !TERMINAL.has(byId.get(r.orderId as string)?.status ?? "MISSING"));
  for (const r of lost.slice(0, 5)) details.push(`lost: ${r.orderId} is ${byId.get(r.orderId as string)?.status ?? "missing"}`);

  const customers = new Set(sent.map((r) => r.customerId));
  const unrequested = orders.filter((o) => !customers.has(o.customerId));
  for (const o of unrequested.slice(0, 5)) details.push(`unrequested: ${o.orderId} for ${o.customerId}`);
  // One request (one key) must never make two orders.
  const perCustomer = new Map<string, number>();
  for (const o of orders) perCustomer.set(o.customerId, (perCustomer.get(o.customerId) ?? 0) + 1);
  const duplicateOrders = [...perCustomer.values()].filter((n) => n > 1).length;

  const kept = charges.filter((c) => c.result?.outcome === "succeeded" && !c.voidedAt);
  const chargesPerOrder = new Map<string, number>();
  for (const c of kept) chargesPerOrder.set(c.request.orderId, (chargesPerOrder.get(c.request.orderId) ?? 0) + 1);
  const doubleCharges = [...chargesPerOrder.values()].filter((n) => n > 1).length;
  const confirmed = orders.filter((o) => o.status === "CONFIRMED");
  const chargedNotConfirmed = kept.filter((c) => byId.get(c.request.orderId)?.status !== "CONFIRMED").length;
  const charged = kept.reduce((sum, c) => sum + c.request.amountMinor, 0);
  const confirmedTotal = confirmed.reduce((sum, o) => sum + (o.totalMinor ?? 0), 0);
  const uncharged = confirmed.filter((o) => chargesPerOrder.get(o.orderId) !== 1).length;
  const chargeMismatch = (charged === confirmedTotal ? 0 : 1) + uncharged;
  if (charged !== confirmedTotal) details.push(`charged ${charged} != confirmed total ${confirmedTotal}`);

  const soldBySku = new Map<string, number>();
  for (const o of confirmed) for (const item of o.items) soldBySku.set(item.sku, (soldBySku.get(item.sku) ?? 0) + item.quantity);
  let stockViolations = 0;
  for (const s of stock) {
    const problems = [
      s.initial !== s.available + s.reserved + s.sold && "initial != available + reserved + sold",
      s.available < 0 && "available < 0",
      s.reserved !== 0 && `reserved ${s.reserved} after drain`,
      s.sold !== (soldBySku.get(s.sku) ?? 0) && `sold ${s.sold} != confirmed quantity ${soldBySku.get(s.sku) ?? 0}`,
    ].filter(Boolean);
    if (problems.length > 0) {
      stockViolations++;
      details.push(`stock ${s.sku}: ${problems.join(", ")}`);
    }
  }

  const busy = (await bus.durableBacklogs()).filter((d) => d.pending > 0 || d.ackPending > 0);
  for (const d of busy) details.push(`consumer ${d.durable}: ${d.pending} pending, ${d.ackPending} unacked`);
  const unacked = busy.length;
  const letters = await bus.deadLetters();
  for (const l of letters.slice(0, 5)) details.push(`DLQ ${l.consumer}: ${l.reason}`);

  return {
    tally: {
      sent: sent.length,
      accepted: accepted.length,
      confirmed: confirmed.length,
      rejected: orders.filter((o) => o.status === "REJECTED").length,
      cancelled: orders.filter((o) => o.status === "CANCELLED").length,
    },
    violations: {
      lost: lost.length,
      unrequested: unrequested.length,
      duplicateOrders,
      doubleCharges,
      chargedNotConfirmed,
      chargeMismatch,
      stock: stockViolations,
      unacked,
      dlq: options.dlqMustBeEmpty ? letters.length : 0,
      brokenRecords: broken.length,
    },
    details,
  };
}

/** Whether the system has finished everything it accepted (the drain before the checks). */
export async function drained(bus: Bus, sent: readonly SentRequest[]): Promise<boolean> {
  const orders = await readOrders(bus);
  for (const r of sent) {
    if (r.orderId && !TERMINAL.has(orders.get(r.orderId)?.status ?? "MISSING")) return false;
  }
  if ((await bus.durableBacklogs()).some((d) => d.pending > 0 || d.ackPending > 0)) return false;
  // Every order is terminal, so nothing may stay held: waiting here gives inventory's sweep the time
  // to release a hold a killed replica left behind (a hold it cannot repair still fails the check).
  const stock = await bus.kv<{ reserved: number }>(BUCKETS.stock);
  for (const sku of await stock.keys()) if (((await stock.get(sku))?.value.reserved ?? 0) > 0) return false;
  return true;
}

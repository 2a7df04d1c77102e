import type { JetStreamClient, JetStreamManager } from "@nats-io/jetstream";
import { openOrderSubject, STREAMS } from "@shop/contracts";
import { PermanentError } from "./errors.js";
import { ORDER_ID_PATTERN } from "./validate.js";

export interface OpenSetSummary {
  count: number;
  /** The oldest member and when it was opened; undefined when the set is empty. */
  oldest: { id: string; openedAt: Date } | undefined;
}

const SUBJECT_PREFIX = openOrderSubject("");

/**
 * The orders not yet terminal, as one message per order in the OPEN_ORDERS stream. Removing is a
 * purge of the order's subject, which leaves no marker, so the stream holds only open orders and
 * a summary is one stream-info request whatever the number of orders ever placed.
 */
export class OpenSet {
  constructor(
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
  ) {}

  /** Adds `id`, opened at `openedAt` (the order's creation time, which the age is measured from). */
  async add(id: string, openedAt: Date): Promise<void> {
    checkId(id);
    // The id dedupes a redelivered add within the stream's duplicate window.
    await this.js.publish(openOrderSubject(id), openedAt.toISOString(), { msgID: `open:${id}` });
  }

  async remove(id: string): Promise<void> {
    checkId(id);
    await this.jsm.streams.purge(STREAMS.openOrders.name, { filter: openOrderSubject(id) });
  }

  /** Count and oldest member: one stream info, plus one message read when the set is not empty. */
  async summary(): Promise<OpenSetSummary> {
    const { state } = await this.jsm.streams.info(STREAMS.openOrders.name);
    if (state.messages === 0) return { count: 0, oldest: undefined };
    const first = await this.jsm.streams.getMessage(STREAMS.openOrders.name, { seq: state.first_seq });
    if (!first) return { count: state.messages, oldest: undefined };
    const openedAt = new Date(first.string());
    const id = first.subject.slice(SUBJECT_PREFIX.length);
    return { count: state.messages, oldest: { id, openedAt: Number.isNaN(openedAt.getTime()) ? first.time : openedAt } };
  }

  /**
   * Summary after removing up to `maxRepairs` stale heads (members `isOpen` denies, left by a race
   * between the add and the terminal state's remove): bounded work per call, and a stale member is
   * repaired as soon as it becomes the oldest, which is when it would distort the age.
   */
  async summaryRepairingHead(isOpen: (id: string) => Promise<boolean>, maxRepairs = 3): Promise<OpenSetSummary> {
    let summary = await this.summary();
    for (let repaired = 0; summary.oldest && repaired < maxRepairs; repaired++) {
      if (await isOpen(summary.oldest.id)) break;
      await this.remove(summary.oldest.id);
      summary = await this.summary();
    }
    return summary;
  }
}

/** Ids become subjects: a wildcard or dot in one would purge or count other members. */
function checkId(id: string): void {
  if (!ORDER_ID_PATTERN.test(id)) throw new PermanentError("INVALID_ID", `not a valid open-set id: ${JSON.stringify(id)}`);
}

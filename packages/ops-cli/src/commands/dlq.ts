import { type Bus, type DeadLetterEntry, HEADER_SCHEMA } from "@shop/eventbus";
import { decodeEvent } from "../decode.js";
import type { Output } from "../output.js";

export async function dlqList(bus: Bus, out: Output, consumer?: string): Promise<void> {
  const entries = await bus.deadLetters(consumer);
  out.table(
    entries.map((e) => ({
      seq: e.sequence,
      consumer: e.consumer,
      subject: e.originalSubject,
      deliveries: e.deliveryCount,
      failedAt: e.failedAt,
      reason: e.reason,
    })),
    `${entries.length} DLQ entr${entries.length === 1 ? "y" : "ies"}${consumer ? ` of ${consumer}` : ""}`,
  );
}

export async function dlqShow(bus: Bus, out: Output, sequence: number): Promise<void> {
  const entry = await find(bus, sequence);
  out.object({
    sequence: entry.sequence,
    consumer: entry.consumer,
    originalSubject: entry.originalSubject,
    originalSequence: entry.originalSequence,
    reason: entry.reason,
    deliveryCount: entry.deliveryCount,
    publishedAt: entry.publishedAt,
    failedAt: entry.failedAt,
    headers: entry.headers,
    payload: decodeEvent(entry.originalSubject, entry.data, entry.headers[HEADER_SCHEMA]),
  });
}

/** Replays one entry by sequence, or every entry (of one consumer). */
export async function dlqReplay(bus: Bus, out: Output, target: { sequence?: number; all?: boolean; consumer?: string }): Promise<void> {
  const entries = target.all ? await bus.deadLetters(target.consumer) : [await find(bus, target.sequence as number)];
  for (const entry of entries) {
    await bus.replayDeadLetter(entry);
    out.line(`replayed DLQ entry ${entry.sequence} to ${entry.originalSubject} (${entry.consumer})`);
  }
  out.line(`${entries.length} replayed`);
}

export async function dlqPurge(bus: Bus, out: Output, target: { sequence?: number; all?: boolean; consumer?: string }): Promise<void> {
  if (target.sequence !== undefined) {
    await find(bus, target.sequence);
    await bus.deleteDeadLetter(target.sequence);
    out.line(`deleted DLQ entry ${target.sequence}`);
    return;
  }
  out.line(`purged ${await bus.purgeDeadLetters(target.consumer)} DLQ entries${target.consumer ? ` of ${target.consumer}` : ""}`);
}

async function find(bus: Bus, sequence: number): Promise<DeadLetterEntry> {
  const entry = (await bus.deadLetters()).find((e) => e.sequence === sequence);
  if (!entry) throw new UsageError(`no DLQ entry with sequence ${sequence}`);
  return entry;
}

export class UsageError extends Error {}

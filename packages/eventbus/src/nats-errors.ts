import { JetStreamApiError } from "@nats-io/jetstream";

/** JetStream API error code for a failed compare-and-set ("wrong last sequence"). */
const WRONG_LAST_SEQUENCE = 10071;
const STREAM_NOT_FOUND = 10059;
const CONSUMER_NOT_FOUND = 10014;

export function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === STREAM_NOT_FOUND || err.code === CONSUMER_NOT_FOUND);
}

export function isWrongLastSequence(err: unknown): boolean {
  if (err instanceof JetStreamApiError) return err.code === WRONG_LAST_SEQUENCE;
  return /wrong last sequence/i.test(String(err));
}

/** Failures a later attempt may not see: timeouts, no responders, a dropped connection. */
export function isTransient(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return /timeout|no responders|503|disconnect|connection (closed|refused|draining)/i.test(`${err.name} ${err.message}`);
}

import { PermanentError } from "./errors.js";

/** Order ids become KV keys and subjects: only these characters, bounded length. */
export const ORDER_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** The order id of a saga event, or a PermanentError (the event goes to the DLQ) when it is missing or malformed. */
export function requireOrderId(event: { meta?: { orderId: string } | undefined }): string {
  const orderId = event.meta?.orderId ?? "";
  // "__proto__" fits the pattern but cannot be a key of a plain object map (inventory's holds).
  if (!ORDER_ID_PATTERN.test(orderId) || orderId === "__proto__")
    throw new PermanentError("INVALID_EVENT", `event has no valid meta.order_id (got ${JSON.stringify(orderId)})`);
  return orderId;
}

/** A field the handler cannot do without; PermanentError when absent. */
export function required<T>(value: T | undefined | null, field: string): T {
  if (value === undefined || value === null || value === "") throw new PermanentError("INVALID_EVENT", `event is missing ${field}`);
  return value;
}

export type ReservationStatus = "RESERVED" | "REJECTED";

export interface ReservedLine {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
  /** The attempt whose hold this line counts on ("" when decided by an earlier version). */
  holdId: string;
}

/**
 * Inventory's decision for one order, stored once as its event; the payment event is the outcome,
 * and the SKUs' holds tell what is left to settle.
 */
export interface Reservation {
  orderId: string;
  customerId: string;
  status: ReservationStatus;
  lines: ReservedLine[];
  totalMinor: number;
  currency: string;
  rejection?: { reason: "OUT_OF_STOCK" | "UNKNOWN_SKU" | "MIXED_CURRENCY"; skus: string[] };
  updatedAt: string;
}

export function totalOf(lines: readonly ReservedLine[]): number {
  return lines.reduce((sum, line) => sum + line.unitPriceMinor * line.quantity, 0);
}

/** Whether `reservation` counts on the hold attempt `holdId` took on `sku`; a rejection counts on none. */
export function namesHold(reservation: Reservation, sku: string, holdId: string): boolean {
  return reservation.status === "RESERVED" && reservation.lines.some((line) => line.sku === sku && line.holdId === holdId);
}

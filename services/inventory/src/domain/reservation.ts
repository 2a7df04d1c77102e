export type ReservationStatus = "RESERVED" | "REJECTED";

export interface ReservedLine {
  sku: string;
  quantity: number;
  unitPriceMinor: number;
}

/**
 * Inventory's decision for one order, written once. SOLD and RELEASED are what earlier versions
 * wrote at settlement; the outcome is now the payment event, and the SKUs' holds tell what is left.
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

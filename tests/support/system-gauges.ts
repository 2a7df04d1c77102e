/** Gauges read from the broker at scrape time: the same on every replica, so served on /metrics/system only. */
export const SYSTEM_GAUGES = [
  "messaging_consumer_pending_messages",
  "messaging_consumer_ack_pending_messages",
  "messaging_dlq_messages",
  "saga_open_orders",
  "saga_oldest_open_order_age_seconds",
  "inventory_stock_units",
];

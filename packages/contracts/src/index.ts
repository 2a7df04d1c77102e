export * from "./gen/shop/common/v1/money_pb.js";
export * from "./gen/shop/inventory/v1/events_pb.js";
export * from "./gen/shop/orders/v1/events_pb.js";
export * from "./gen/shop/payments/v1/events_pb.js";
export * from "./topology.js";

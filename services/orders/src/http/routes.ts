import type { Static } from "@fastify/type-provider-typebox";
import { trace } from "@opentelemetry/api";
import { ORDER_ID_ATTRIBUTE, type Publish } from "@shop/eventbus";
import { apiProblems, bodyProblems, HttpProblem, jsonResponse, problemResponse, requestSpan, retryAfter } from "@shop/telemetry";
import type { FastifyInstance } from "fastify";
import { readOrder } from "../adapters/order-reader.js";
import type { OrderStore } from "../adapters/order-store.js";
import { duplicateSkus, type Order, progressOf } from "../domain/order.js";
import type { OrderMetrics } from "../metrics.js";
import { placeOrder } from "../use-cases/place-order.js";
import { OrderAccepted, OrderParams, OrderView, PlaceOrderBody, PlaceOrderHeaders } from "./schemas.js";

const tags = ["orders"];

export interface OrderRoutesDeps {
  store: OrderStore;
  publish: Publish;
  metrics: OrderMetrics;
  rateLimit: { max: number; windowMs: number };
}

export function registerOrderRoutes(app: FastifyInstance, { store, publish, metrics, rateLimit }: OrderRoutesDeps): void {
  app.post<{ Body: Static<typeof PlaceOrderBody>; Headers: Static<typeof PlaceOrderHeaders> }>(
    "/orders",
    {
      schema: {
        tags,
        summary: "Place an order",
        description: "Answers 202 once the order is durable in JetStream; the saga then reserves stock and charges.",
        body: PlaceOrderBody,
        headers: PlaceOrderHeaders,
        response: {
          202: jsonResponse("Accepted; poll the Location until the status is final.", OrderAccepted, {
            Location: { type: "string", description: "The order: /orders/{orderId}.", required: true },
          }),
          ...bodyProblems("Invalid order (quantities, SKUs, extra fields, duplicate SKUs) or Idempotency-Key"),
          422: problemResponse("This Idempotency-Key was used with a different body."),
          429: problemResponse("More than RATE_LIMIT_MAX orders from this address in the window.", retryAfter(true)),
          ...apiProblems(),
        },
      },
      config: { rateLimit: { max: rateLimit.max, timeWindow: rateLimit.windowMs } },
    },
    async function placeOrderHandler(request, reply) {
      const duplicates = duplicateSkus(request.body.items);
      if (duplicates.length > 0) {
        throw new HttpProblem(400, "DUPLICATE_SKU", "Invalid request", `each SKU may appear on one line only: ${duplicates.join(", ")}`);
      }
      const order = await placeOrder({ store, publish }, request.body, request.headers["idempotency-key"]);
      metrics.accepted();
      // On the request's SERVER span (the active span here is @fastify/otel's handler span) and the handler span.
      requestSpan(request)?.setAttribute(ORDER_ID_ATTRIBUTE, order.orderId);
      trace.getActiveSpan()?.setAttribute(ORDER_ID_ATTRIBUTE, order.orderId);
      return reply.code(202).header("Location", `/orders/${order.orderId}`).send({ orderId: order.orderId, status: order.status });
    },
  );

  app.get<{ Params: Static<typeof OrderParams> }>(
    "/orders/:id",
    {
      schema: {
        tags,
        summary: "An order and its status",
        params: OrderParams,
        response: {
          200: jsonResponse("The order; `waitingFor` and `ageSeconds` only while it is not final.", OrderView),
          400: problemResponse("Malformed order id."),
          404: problemResponse("No such order."),
          ...apiProblems(),
        },
      },
    },
    async function getOrderHandler(request) {
      // Not shop.order.id: a lookup is its own trace, not part of the order's saga trace.
      requestSpan(request)?.setAttribute("shop.order.lookup_id", request.params.id);
      const found = await readOrder(store.events, request.params.id);
      if (!found) throw new HttpProblem(404, "ORDER_NOT_FOUND", "Order not found", `no order ${request.params.id}`);
      return toView(found);
    },
  );
}

function toView(order: Order, now = new Date()) {
  const { orderId, customerId, status, items, totalMinor, currency, reason } = order;
  return { orderId, customerId, status, items, totalMinor, currency, ...(reason ? { reason } : {}), ...progressOf(order, now) };
}

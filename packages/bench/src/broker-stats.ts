import { STREAMS } from "@shop/contracts";
import type { Bus } from "@shop/eventbus";

/** Messages the broker has taken in and sent out so far, from its /varz monitoring endpoint. */
export async function brokerMessages(monitorUrl: string): Promise<number> {
  const varz = (await (await fetch(`${monitorUrl}/varz`)).json()) as { in_msgs: number; out_msgs: number };
  return varz.in_msgs + varz.out_msgs;
}

/** Messages the saga's durable consumers still have to process (pending plus unacknowledged). */
export async function sagaBacklog(bus: Bus): Promise<number> {
  let backlog = 0;
  for (const stream of [STREAMS.orders, STREAMS.inventory, STREAMS.payments]) {
    for await (const info of bus.jsm.consumers.list(stream.name)) backlog += info.num_pending + info.num_ack_pending;
  }
  return backlog;
}

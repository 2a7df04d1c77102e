#!/usr/bin/env node
import { parseArgs } from "node:util";
import { Bus } from "@shop/eventbus";
import { pino } from "pino";
import { dlqList, dlqPurge, dlqReplay, dlqShow, UsageError } from "./commands/dlq.js";
import { orderShow } from "./commands/order.js";
import { stockSet } from "./commands/stock.js";
import { createOutput } from "./output.js";

const USAGE = `shopctl: operate the order backend

  shopctl dlq list [--consumer <durable>]
  shopctl dlq show <seq>
  shopctl dlq replay <seq> | --all [--consumer <durable>]
  shopctl dlq purge <seq> | --all [--consumer <durable>]
  shopctl order show <orderId>
  shopctl stock set <sku> <available>

options: --json   --nats-url <url> (NATS_URL)   --inventory-url <url> (INVENTORY_URL)
         --admin-token <token> (ADMIN_TOKEN, for stock set)`;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: "boolean", default: false },
    all: { type: "boolean", default: false },
    consumer: { type: "string" },
    "nats-url": { type: "string", default: process.env.NATS_URL ?? "nats://127.0.0.1:4222" },
    "inventory-url": { type: "string", default: process.env.INVENTORY_URL ?? "http://127.0.0.1:3001" },
    "admin-token": { type: "string", default: process.env.ADMIN_TOKEN },
    help: { type: "boolean", short: "h", default: false },
  },
});

const out = createOutput(values.json);
const [group, action, ...args] = positionals;

function sequence(arg: string | undefined): number {
  const n = Number(arg);
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`expected a DLQ sequence number, got ${JSON.stringify(arg)}`);
  return n;
}

async function withBus(run: (bus: Bus) => Promise<void>): Promise<void> {
  const bus = await Bus.connect({ url: values["nats-url"], name: "shopctl", logger: pino({ level: "silent" }) });
  try {
    await run(bus);
  } finally {
    await bus.close();
  }
}

async function main(): Promise<void> {
  const target = () => (values.all ? { all: true, consumer: values.consumer } : { sequence: sequence(args[0]) });
  switch (`${group} ${action}`) {
    case "dlq list":
      return withBus((bus) => dlqList(bus, out, values.consumer));
    case "dlq show":
      return withBus((bus) => dlqShow(bus, out, sequence(args[0])));
    case "dlq replay":
      return withBus((bus) => dlqReplay(bus, out, target()));
    case "dlq purge":
      return withBus((bus) => dlqPurge(bus, out, target()));
    case "order show":
      if (!args[0]) throw new UsageError("order show needs an order id");
      return withBus((bus) => orderShow(bus, out, args[0] as string));
    case "stock set": {
      const available = Number(args[1]);
      if (!args[0] || !Number.isSafeInteger(available) || available < 0)
        throw new UsageError("stock set needs a SKU and a whole number >= 0");
      return stockSet(out, values["inventory-url"], values["admin-token"], args[0], available);
    }
    default:
      throw new UsageError(values.help ? "" : `unknown command: ${positionals.join(" ") || "(none)"}`);
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    if (err instanceof UsageError) {
      if (err.message) console.error(`shopctl: ${err.message}\n`);
      // Asked for: stdout and success; a usage mistake: stderr and 2.
      if (values.help) process.stdout.write(`${USAGE}\n`, () => process.exit(0));
      else {
        console.error(USAGE);
        process.exit(2);
      }
      return;
    }
    console.error(`shopctl: ${(err as Error).message}`);
    process.exit(1);
  },
);

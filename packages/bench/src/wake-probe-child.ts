// A process of its own that sleeps 5 ms at a time and records how late it wakes: the time a runnable
// process waits for a core on this machine, which every hop of a request pays too.
import { createLatencyHistogram } from "@shop/loadgen";
import { WAKE_PROBE_PERIOD_MS } from "./wake-probe.js";

const lateness = createLatencyHistogram();
let last = performance.now();
const timer = setInterval(() => {
  const now = performance.now();
  lateness.recordMs(now - last - WAKE_PROBE_PERIOD_MS);
  last = now;
}, WAKE_PROBE_PERIOD_MS);

process.once("message", () => {
  clearInterval(timer);
  process.send?.(lateness.summary(), () => process.exit(0));
});
// A parent that dies without a word (killed, crashed) leaves no probe behind.
process.once("disconnect", () => process.exit(0));
process.send?.("ready");

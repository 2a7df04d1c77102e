import { Writable } from "node:stream";
import { trace } from "@opentelemetry/api";
import { createLogger, startTelemetry } from "@shop/telemetry";
import { startOtlpReceiver } from "@shop/testkit";
import { describe, expect, it } from "vitest";

describe("logs", () => {
  it("every line written inside a span carries its trace_id and span_id; lines outside carry none", async () => {
    const receiver = await startOtlpReceiver();
    const telemetry = startTelemetry({
      service: "logger-test",
      env: { OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" },
    });
    const lines: Record<string, unknown>[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    });
    const logger = createLogger({ service: "logger-test", level: "info", destination });
    logger.info("outside");
    const ids = trace.getTracer("test").startActiveSpan("work", (span) => {
      logger.child({ part: "child" }).info("inside");
      span.end();
      return span.spanContext();
    });
    await telemetry.shutdown();
    // The span went to the receiver named in the env passed to startTelemetry.
    expect(receiver.spans().map((s) => s.traceId)).toContain(ids.traceId);
    await receiver.stop();
    expect(lines.find((l) => l.msg === "outside")).not.toHaveProperty("trace_id");
    expect(lines.find((l) => l.msg === "inside")).toMatchObject({ trace_id: ids.traceId, span_id: ids.spanId, service: "logger-test" });
    expect(ids.traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});

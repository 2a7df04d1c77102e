import { trace } from "@opentelemetry/api";
import { startTelemetry } from "@shop/telemetry";
import { startOtlpReceiver } from "@shop/testkit";
import { describe, expect, it } from "vitest";

const NO_TRACE = "0".repeat(32);

describe("OTEL_SDK_DISABLED", () => {
  // Disabled cases first: once an SDK has started it stays the global tracer provider of this process.
  it.each(["true", "1", "TRUE", "yes"])("%s turns tracing off: no SDK starts, spans are not recorded", async (value) => {
    const telemetry = startTelemetry({ service: "tracing-test", env: { OTEL_SDK_DISABLED: value } });
    const span = trace.getTracer("test").startSpan("work");
    expect(span.isRecording()).toBe(false);
    expect(span.spanContext().traceId).toBe(NO_TRACE);
    span.end();
    await telemetry.shutdown();
  });

  it("false (the same parser as the config check) leaves tracing on and spans reach the collector", async () => {
    const receiver = await startOtlpReceiver();
    const telemetry = startTelemetry({
      service: "tracing-test",
      env: { OTEL_SDK_DISABLED: "0", OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" },
    });
    const span = trace.getTracer("test").startSpan("work");
    expect(span.isRecording()).toBe(true);
    span.end();
    await telemetry.shutdown();
    expect(receiver.spans().map((s) => s.traceId)).toContain(span.spanContext().traceId);
    await receiver.stop();
  });
});

import { baseConfigShape, ConfigError, loadConfig, portKey } from "@shop/telemetry";
import { describe, expect, it } from "vitest";

const shape = { ...baseConfigShape, PORT: portKey(3000) };

describe("loadConfig", () => {
  it("applies the documented defaults", () => {
    expect(loadConfig(shape, {})).toMatchObject({ NATS_URL: "nats://127.0.0.1:4222", PORT: 3000, LOG_LEVEL: "info", NATS_REPLICAS: 1 });
  });

  it("refuses bad configuration and names every bad key at once", () => {
    const bad = { NATS_URL: "http://nope", PORT: "eighty", LOG_LEVEL: "loud", NATS_REPLICAS: "2" };
    let error: unknown;
    try {
      loadConfig(shape, bad);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const key of Object.keys(bad)) expect(message).toContain(`${key}:`);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it("accepts a comma-separated list of NATS servers", () => {
    expect(loadConfig(shape, { NATS_URL: "nats://a:4222, nats://b:4222" }).NATS_URL).toBe("nats://a:4222, nats://b:4222");
  });
});

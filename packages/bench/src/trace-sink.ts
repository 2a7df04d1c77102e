import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export interface TraceSink {
  /** OTLP/HTTP base endpoint for OTEL_EXPORTER_OTLP_ENDPOINT. */
  endpoint: string;
  /** Export requests and bytes received so far. */
  stats(): { requests: number; bytes: number };
  close(): Promise<void>;
}

/**
 * Accepts OTLP/HTTP exports and discards them, as a remote collector would from the services' point
 * of view: they pay for encoding and sending spans, not for an absent collector's retries.
 */
export async function startTraceSink(): Promise<TraceSink> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on("data", (chunk: Buffer) => {
      bytes += chunk.length;
    });
    req.on("end", () => {
      requests++;
      res.writeHead(200, { "content-type": req.headers["content-type"] ?? "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    stats: () => ({ requests, bytes }),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

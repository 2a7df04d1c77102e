#!/usr/bin/env node
/**
 * Stands in for Jaeger where its image cannot be pulled (scripts/containers.sh): receives OTLP/HTTP
 * JSON on :4318, as Jaeger does, and answers GET /api/spans on :16686 (Jaeger's UI port) with every
 * span received, for the checks to read.
 */
import { createServer } from "node:http";
import { startOtlpReceiver } from "./otlp-receiver.js";

const receiver = await startOtlpReceiver({ host: "0.0.0.0", port: 4318 });
const api = createServer((request, response) => {
  if (request.url !== "/api/spans") {
    response.writeHead(404).end();
    return;
  }
  response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(receiver.spans()));
});
api.listen(16686, "0.0.0.0");
process.stdout.write("OTLP stand-in: OTLP/HTTP JSON on :4318, received spans on :16686/api/spans\n");
// Compose stops containers with SIGTERM: exit at once (PID 1 has no default handler).
process.once("SIGTERM", () => process.exit(0));

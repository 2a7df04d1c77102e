export { type ClusterNode, type NatsClusterHandle, startNatsCluster } from "./nats-cluster.js";
export { NATS_SERVER_MISSING, type NatsServerHandle, startNatsServer } from "./nats-server.js";
export { OpenApiContract, type OpenApiDocument, type RecordedResponse } from "./openapi-contract.js";
export { type OtlpReceiver, type ReceivedSpan, SPAN_KIND, startOtlpReceiver } from "./otlp-receiver.js";
export { freePort } from "./ports.js";
export { PROMETHEUS_MISSING, type PrometheusHandle, startPrometheus } from "./prometheus.js";
export { type ContractRecorder, type ContractRecorderOptions, recordContract } from "./response-recorder.js";
export { type ServiceProcess, type ServiceProcessOptions, startServiceProcess } from "./service-process.js";
export { type WaitOptions, waitFor } from "./wait-for.js";

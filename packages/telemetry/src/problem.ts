import type { FastifyReply } from "fastify";
import { PROBLEM_CONTENT_TYPE } from "./openapi-responses.js";

/** An error answered as RFC 9457 problem details. */
export class HttpProblem extends Error {
  readonly code: string;
  readonly retryable = false;
  constructor(
    readonly status: number,
    code: string,
    readonly title: string,
    detail?: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
    this.name = "HttpProblem";
    this.code = code;
  }
}

export function sendProblem(reply: FastifyReply, status: number, title: string, detail: string, extensions: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ type: "about:blank", title, status, detail, instance: reply.request.url, ...extensions });
}

import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyReply, FastifyRequest } from "fastify";
import { HttpProblem } from "./problem.js";

/**
 * onRequest hook for /admin routes: 401 without a bearer token, 403 with a wrong one, 403 when no
 * ADMIN_TOKEN is configured (the admin API is then off). Runs before body validation.
 */
export function requireAdmin(token: string | undefined) {
  const expected = token ? digest(token) : undefined;
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    if (!expected) throw new HttpProblem(403, "ADMIN_DISABLED", "Forbidden", "The admin API is disabled: set ADMIN_TOKEN to enable it.");
    const header = request.headers.authorization;
    if (!header?.startsWith("Bearer ")) {
      reply.header("WWW-Authenticate", 'Bearer realm="admin"');
      throw new HttpProblem(401, "UNAUTHENTICATED", "Unauthorized", "Admin routes need Authorization: Bearer <ADMIN_TOKEN>.");
    }
    // Compare digests: constant time, and equal lengths whatever was sent.
    if (!timingSafeEqual(digest(header.slice("Bearer ".length)), expected)) {
      throw new HttpProblem(403, "FORBIDDEN", "Forbidden", "The admin token is not valid.");
    }
  };
}

function digest(value: string): Buffer {
  return createHash("sha256").update(value).digest();
}

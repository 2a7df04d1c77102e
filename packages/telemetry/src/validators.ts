import { AjvCompiler } from "@fastify/ajv-compiler";
import type { FastifySchemaCompiler, FastifyServerOptions } from "fastify";

type ValidatorFactory = NonNullable<
  NonNullable<NonNullable<FastifyServerOptions["schemaController"]>["compilersFactory"]>["buildValidator"]
>;
type Compile = FastifySchemaCompiler<unknown>;
type AjvOptions = { customOptions?: Record<string, unknown> };

/**
 * Validators with the server's ajv options (no coercion, no defaults), except for query strings:
 * their values are text by nature, so they are coerced to the documented types (`?limit=10` is the
 * integer 10) and get their documented defaults. Bodies, params and headers are never coerced.
 */
export function queryCoercingValidators(): ValidatorFactory {
  const strictPool = AjvCompiler();
  const queryPool = AjvCompiler();
  const build = (externalSchemas: Record<string, unknown>, options: AjvOptions = {}): Compile => {
    const strict = strictPool(externalSchemas as never, options as never) as unknown as Compile;
    const queryOptions = { ...options, customOptions: { ...options.customOptions, coerceTypes: true, useDefaults: true } };
    const query = queryPool(externalSchemas as never, queryOptions as never) as unknown as Compile;
    return (route) => {
      if (route.httpPart === "querystring") return query(route);
      // Fastify lower-cases header schemas only for its own compiler; keep doing it with this one.
      if (route.httpPart === "headers") return strict({ ...route, schema: lowerCaseHeaderNames(route.schema) });
      return strict(route);
    };
  };
  return build as unknown as ValidatorFactory;
}

function lowerCaseHeaderNames(schema: unknown): unknown {
  const { properties, required } = (schema ?? {}) as { properties?: Record<string, unknown>; required?: unknown };
  if (!properties) return schema;
  return {
    ...(schema as object),
    properties: Object.fromEntries(Object.entries(properties).map(([name, value]) => [name.toLowerCase(), value])),
    ...(Array.isArray(required) ? { required: required.map((name: string) => name.toLowerCase()) } : {}),
  };
}

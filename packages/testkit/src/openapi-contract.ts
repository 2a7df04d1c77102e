import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";

/** The parts of an OpenAPI 3.1 document the checker reads. */
export interface OpenApiDocument {
  openapi: string;
  paths?: Record<string, Record<string, unknown>>;
  components?: { schemas?: Record<string, unknown> };
}

interface ResponseDoc {
  headers?: Record<string, { required?: boolean; schema?: object }>;
  content?: Record<string, { schema?: object }>;
}

/** One response as the server sent it. */
export interface RecordedResponse {
  method: string;
  url: string;
  /** The route template (e.g. /orders/:id); undefined when no route matched and the not-found handler answered. */
  route: string | undefined;
  status: number;
  headers: Record<string, unknown>;
  /** The body as sent; undefined for a stream (a static file). */
  body: string | undefined;
}

const DOCUMENT_ID = "openapi.json";

/**
 * Checks recorded responses against an OpenAPI 3.1 document: the operation and the status must be
 * documented, required response headers present and every documented header valid, the content
 * type one of the documented ones, and the body valid against its schema (ajv, JSON Schema 2020-12).
 */
export class OpenApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    addFormats.default(this.ajv);
    // The whole document under one id, so that a schema's #/components/... references resolve.
    this.ajv.addSchema(document as object, DOCUMENT_ID, undefined, false);
  }

  /** What is wrong with `response`; empty when it conforms. */
  check(response: RecordedResponse): string[] {
    if (response.route === undefined) return this.checkUnmatched(response);
    const path = response.route.replace(/:([A-Za-z0-9_]+)/g, "{$1}");
    const method = response.method === "HEAD" ? "get" : response.method.toLowerCase();
    const operation = this.document.paths?.[path]?.[method] as { responses?: Record<string, ResponseDoc> } | undefined;
    if (!operation) return [`${method.toUpperCase()} ${path} is not in the document`];
    const key = [String(response.status), `${String(response.status)[0]}XX`, "default"].find((k) => operation.responses?.[k]);
    if (!key) {
      return [`status ${response.status} is not documented (documented: ${Object.keys(operation.responses ?? {}).join(", ")})`];
    }
    const pointer = `#/paths/${pointerSegment(path)}/${method}/responses/${key}`;
    const documented = operation.responses?.[key] as ResponseDoc;
    return [
      ...this.checkHeaders(response, documented, pointer),
      ...(response.method === "HEAD" ? [] : this.checkBody(response, documented, pointer)),
    ];
  }

  /**
   * A request no route took: no route matched (404), or the URL was refused before routing (400 for
   * one that cannot be decoded, 414 for an over-long path parameter). A problem, when the document has one.
   */
  private checkUnmatched(response: RecordedResponse): string[] {
    if (![400, 404, 414].includes(response.status)) {
      return [`status ${response.status} for a request no route took (400, 404 or 414 expected)`];
    }
    const problem = this.document.components?.schemas?.Problem;
    if (!problem) return [];
    return this.checkBody(response, { content: { "application/problem+json": { schema: problem } } }, "#/components/schemas/Problem", true);
  }

  private checkHeaders(response: RecordedResponse, documented: ResponseDoc, pointer: string): string[] {
    const problems: string[] = [];
    for (const [name, header] of Object.entries(documented.headers ?? {})) {
      const value = headerValue(response.headers, name);
      if (value === undefined) {
        if (header.required) problems.push(`required header ${name} is missing`);
        continue;
      }
      if (!header.schema) continue;
      const errors = this.validate(`${pointer}/headers/${pointerSegment(name)}/schema`, value);
      if (errors) problems.push(`header ${name} ${JSON.stringify(value)}: ${errors}`);
    }
    return problems;
  }

  private checkBody(response: RecordedResponse, documented: ResponseDoc, pointer: string, inlineSchema = false): string[] {
    const body = response.body ?? "";
    if (!documented.content) return body === "" ? [] : ["a body was sent but none is documented"];
    const contentType = headerValue(response.headers, "content-type");
    if (contentType === undefined) return ["no content type, but a body is documented"];
    const mediaType = contentType.split(";")[0]?.trim().toLowerCase() ?? "";
    const [type] = mediaType.split("/");
    const documentedType = [mediaType, `${type}/*`, "*/*"].find((candidate) => documented.content?.[candidate]);
    if (!documentedType) return [`content type ${mediaType} is not documented (documented: ${Object.keys(documented.content).join(", ")})`];
    const schema = documented.content[documentedType]?.schema;
    if (!schema || response.body === undefined) return [];
    let value: unknown = response.body;
    if (mediaType === "application/json" || mediaType.endsWith("+json")) {
      try {
        value = JSON.parse(response.body);
      } catch {
        return [`the ${mediaType} body is not JSON: ${response.body.slice(0, 80)}`];
      }
    }
    const schemaPointer = inlineSchema ? pointer : `${pointer}/content/${pointerSegment(documentedType)}/schema`;
    const errors = this.validate(schemaPointer, value);
    if (errors) return [`body: ${errors} in ${response.body.slice(0, 200)}`];
    // A problem's status member repeats the HTTP status (RFC 9457).
    if (mediaType === "application/problem+json" && (value as { status?: unknown }).status !== response.status) {
      return [`problem status ${(value as { status?: unknown }).status} differs from the HTTP status`];
    }
    return [];
  }

  /** ajv's errors as text, or undefined when `value` is valid against the schema at `pointer`. */
  private validate(pointer: string, value: unknown): string | undefined {
    let validator = this.validators.get(pointer);
    if (!validator) {
      validator = this.ajv.compile({ $ref: `${DOCUMENT_ID}${pointer}` });
      this.validators.set(pointer, validator);
    }
    if (validator(value)) return undefined;
    return (validator.errors ?? []).map((e) => `${e.instancePath || "(root)"} ${e.message}`).join("; ");
  }
}

/** A JSON pointer segment (RFC 6901), percent-encoded for use in a URI fragment. */
function pointerSegment(segment: string): string {
  return encodeURIComponent(segment.replaceAll("~", "~0").replaceAll("/", "~1"));
}

function headerValue(headers: Record<string, unknown>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  const found = Object.entries(headers).find(([key]) => key.toLowerCase() === wanted)?.[1];
  if (found === undefined) return undefined;
  return Array.isArray(found) ? found.join(", ") : String(found);
}

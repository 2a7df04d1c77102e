import { fromBinary, toJson } from "@bufbuild/protobuf";
import { eventOf } from "@shop/contracts";

/** The event payload as protobuf JSON, by its subject and schema header; a note instead when it does not decode. */
export function decodeEvent(subject: string, data: Uint8Array, schemaTypeName?: string): unknown {
  const event = eventOf(subject, schemaTypeName);
  if (!event) return { undecoded: `no schema for subject ${subject}`, bytes: data.byteLength };
  try {
    return toJson(event.schema, fromBinary(event.schema, data));
  } catch (err) {
    return {
      undecoded: `not a valid ${event.schema.typeName}: ${(err as Error).message}`,
      text: new TextDecoder().decode(data).slice(0, 200),
    };
  }
}

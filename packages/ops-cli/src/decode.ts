import { fromBinary, toJson } from "@bufbuild/protobuf";
import { eventOfSubject } from "@shop/contracts";

/** The event payload as protobuf JSON, by its subject; a note instead when it does not decode. */
export function decodeEvent(subject: string, data: Uint8Array): unknown {
  const event = eventOfSubject(subject);
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

import { concatBytes } from "./bytes.ts";

// "@setDataFrame" as an AMF0 string: marker 0x02, u16 length 13, the bytes.
const PREFIX = new Uint8Array([0x02, 0x00, 0x0d, ...new TextEncoder().encode("@setDataFrame")]);
// "onMetaData" as an AMF0 string.
const ON_METADATA = new Uint8Array([0x02, 0x00, 0x0a, ...new TextEncoder().encode("onMetaData")]);

/** Strips a leading `@setDataFrame` (RTMP form) so the payload is an FLV script tag body. */
export function splitDataFrame(payload: Uint8Array): Uint8Array {
  return startsWith(payload, PREFIX) ? payload.subarray(PREFIX.length) : payload;
}

/** Prefixes `@setDataFrame` to an `onMetaData` script body, as publishers send it over RTMP. */
export function joinDataFrame(payload: Uint8Array): Uint8Array {
  return startsWith(payload, ON_METADATA) ? concatBytes([PREFIX, payload]) : payload;
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}

/** True when a script tag body is `onMetaData` (as opposed to cue points or captions). */
export function isOnMetaData(payload: Uint8Array): boolean {
  return startsWith(payload, ON_METADATA);
}

import type { Amf0Value } from "../flv/amf0.ts";

/** Whether a publish's stream name (with or without its `?query`) is the ingest key. */
export function streamKeyMatches(streamName: Amf0Value, key: string): boolean {
  if (typeof streamName !== "string") return false;
  return safeEqual(streamName, key) || safeEqual(streamName.split("?")[0]!, key);
}

/** Compares without an early exit so response timing does not reveal a key prefix. */
function safeEqual(a: string, b: string): boolean {
  const x = new TextEncoder().encode(a);
  const y = new TextEncoder().encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}

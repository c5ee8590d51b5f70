import { Amf0EcmaArray, type Amf0Object, type Amf0Value } from "../flv/amf0.ts";

/** An AMF0 object (or ECMA array) as a plain object; anything else as `{}`. */
export function toPlainObject(value: Amf0Value): Record<string, unknown> {
  const plain = toPlain(value);
  return plain && typeof plain === "object" && !Array.isArray(plain) && !(plain instanceof Date)
    ? plain as Record<string, unknown>
    : {};
}

function toPlain(value: Amf0Value): unknown {
  if (value === null || typeof value !== "object" || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(toPlain);
  const entries: Amf0Object = value instanceof Amf0EcmaArray ? value.entries : value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(entries)) out[k] = toPlain(v);
  return out;
}

const NUMBER = 0x00;
const BOOLEAN = 0x01;
const STRING = 0x02;
const OBJECT = 0x03;
const NULL = 0x05;
const UNDEFINED = 0x06;
const REFERENCE = 0x07;
const ECMA_ARRAY = 0x08;
const OBJECT_END = 0x09;
const STRICT_ARRAY = 0x0a;
const DATE = 0x0b;
const LONG_STRING = 0x0c;
const UNSUPPORTED = 0x0d;
const XML_DOCUMENT = 0x0f;
const TYPED_OBJECT = 0x10;

/** An AMF0 value as a JS value: objects are plain records, ECMA arrays are wrapped. */
export type Amf0Value =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | Amf0Value[]
  | Amf0Object
  | Amf0EcmaArray;

/** An AMF0 anonymous object (type 0x03). */
export interface Amf0Object {
  [key: string]: Amf0Value;
}

/** An AMF0 ECMA array (type 0x08): an associative array, as sent in `onMetaData`. */
export class Amf0EcmaArray {
  constructor(readonly entries: Amf0Object) {}
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Encodes values one after another, as in an RTMP command or data message. */
export function encodeAmf0(values: readonly Amf0Value[]): Uint8Array {
  const out = new Amf0Output();
  for (const value of values) writeValue(out, value, 0);
  return out.bytes();
}

/** Decodes every value in `bytes`; throws on truncated or unsupported input (AMF3, movie clips). */
export function decodeAmf0(bytes: Uint8Array): Amf0Value[] {
  const input = new Amf0Input(bytes);
  const values: Amf0Value[] = [];
  while (input.pos < bytes.length) {
    // A stray object-end marker at top level (seen from some encoders) carries no value.
    if (bytes[input.pos] === OBJECT_END) {
      input.pos++;
      continue;
    }
    values.push(readValue(input, 0));
  }
  return values;
}

class Amf0Output {
  #buf = new Uint8Array(256);
  #view = new DataView(this.#buf.buffer);
  #len = 0;
  #reserve(n: number): number {
    if (this.#len + n > this.#buf.length) {
      const next = new Uint8Array(Math.max(this.#buf.length * 2, this.#len + n));
      next.set(this.#buf.subarray(0, this.#len));
      this.#buf = next;
      this.#view = new DataView(next.buffer);
    }
    const at = this.#len;
    this.#len += n;
    return at;
  }
  u8(v: number): void {
    const at = this.#reserve(1);
    this.#buf[at] = v;
  }
  u16(v: number): void {
    const at = this.#reserve(2);
    this.#view.setUint16(at, v);
  }
  i16(v: number): void {
    const at = this.#reserve(2);
    this.#view.setInt16(at, v);
  }
  u32(v: number): void {
    const at = this.#reserve(4);
    this.#view.setUint32(at, v);
  }
  f64(v: number): void {
    const at = this.#reserve(8);
    this.#view.setFloat64(at, v);
  }
  raw(b: Uint8Array): void {
    const at = this.#reserve(b.length); // may replace #buf, so reserve first
    this.#buf.set(b, at);
  }
  bytes(): Uint8Array {
    return this.#buf.slice(0, this.#len);
  }
}

const MAX_DEPTH = 64;

function writeValue(out: Amf0Output, value: Amf0Value, depth: number): void {
  if (depth > MAX_DEPTH) throw new Error("AMF0 value nests too deeply");
  if (typeof value === "number") {
    out.u8(NUMBER);
    out.f64(value);
  } else if (typeof value === "boolean") {
    out.u8(BOOLEAN);
    out.u8(value ? 1 : 0);
  } else if (typeof value === "string") {
    const b = encoder.encode(value);
    if (b.length > 0xffff) {
      out.u8(LONG_STRING);
      out.u32(b.length);
    } else {
      out.u8(STRING);
      out.u16(b.length);
    }
    out.raw(b);
  } else if (value === null) {
    out.u8(NULL);
  } else if (value === undefined) {
    out.u8(UNDEFINED);
  } else if (value instanceof Date) {
    out.u8(DATE);
    out.f64(value.getTime());
    out.i16(0);
  } else if (Array.isArray(value)) {
    out.u8(STRICT_ARRAY);
    out.u32(value.length);
    for (const item of value) writeValue(out, item, depth + 1);
  } else if (value instanceof Amf0EcmaArray) {
    out.u8(ECMA_ARRAY);
    out.u32(Object.keys(value.entries).length);
    writeProperties(out, value.entries, depth);
  } else {
    out.u8(OBJECT);
    writeProperties(out, value, depth);
  }
}

function writeProperties(out: Amf0Output, object: Amf0Object, depth: number): void {
  for (const [key, item] of Object.entries(object)) {
    const k = encoder.encode(key);
    if (k.length > 0xffff) throw new Error("AMF0 property name is longer than 65535 bytes");
    out.u16(k.length);
    out.raw(k);
    writeValue(out, item, depth + 1);
  }
  out.u16(0);
  out.u8(OBJECT_END);
}

class Amf0Input {
  pos = 0;
  readonly view: DataView;
  readonly references: Amf0Value[] = [];
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  need(n: number): number {
    if (this.pos + n > this.bytes.length) throw new Error("AMF0 data is truncated");
    const at = this.pos;
    this.pos += n;
    return at;
  }
  u8(): number {
    return this.bytes[this.need(1)]!;
  }
  u16(): number {
    return this.view.getUint16(this.need(2));
  }
  u32(): number {
    return this.view.getUint32(this.need(4));
  }
  f64(): number {
    return this.view.getFloat64(this.need(8));
  }
  utf8(n: number): string {
    const at = this.need(n);
    return decoder.decode(this.bytes.subarray(at, at + n));
  }
}

function readValue(input: Amf0Input, depth: number): Amf0Value {
  if (depth > MAX_DEPTH) throw new Error("AMF0 value nests too deeply");
  const marker = input.u8();
  switch (marker) {
    case NUMBER:
      return input.f64();
    case BOOLEAN:
      return input.u8() !== 0;
    case STRING:
      return input.utf8(input.u16());
    case LONG_STRING:
    case XML_DOCUMENT:
      return input.utf8(input.u32());
    case NULL:
      return null;
    case UNDEFINED:
    case UNSUPPORTED:
      return undefined;
    case DATE: {
      const ms = input.f64();
      input.need(2); // time zone: reserved, always 0 per the spec
      return new Date(ms);
    }
    case OBJECT: {
      const object: Amf0Object = {};
      input.references.push(object);
      readProperties(input, object, depth);
      return object;
    }
    case TYPED_OBJECT: {
      input.utf8(input.u16()); // class name: not needed for RTMP
      const object: Amf0Object = {};
      input.references.push(object);
      readProperties(input, object, depth);
      return object;
    }
    case ECMA_ARRAY: {
      input.u32(); // the count is advisory; encoders get it wrong, the end marker decides
      const entries: Amf0Object = {};
      const array = new Amf0EcmaArray(entries);
      input.references.push(array);
      readProperties(input, entries, depth);
      return array;
    }
    case STRICT_ARRAY: {
      const count = input.u32();
      if (count > input.bytes.length - input.pos) throw new Error("AMF0 data is truncated");
      const array: Amf0Value[] = [];
      input.references.push(array);
      for (let i = 0; i < count; i++) array.push(readValue(input, depth + 1));
      return array;
    }
    case REFERENCE: {
      const index = input.u16();
      if (index >= input.references.length) throw new Error("AMF0 reference is out of range");
      return input.references[index];
    }
    default:
      throw new Error(`AMF0 type 0x${marker.toString(16)} is not supported`);
  }
}

function readProperties(input: Amf0Input, object: Amf0Object, depth: number): void {
  for (;;) {
    // Some encoders end an ECMA array at the end of the message without an end marker.
    if (input.pos >= input.bytes.length) return;
    const keyLength = input.u16();
    if (keyLength === 0 && input.bytes[input.pos] === OBJECT_END) {
      input.pos++;
      return;
    }
    const key = input.utf8(keyLength);
    object[key] = readValue(input, depth + 1);
  }
}

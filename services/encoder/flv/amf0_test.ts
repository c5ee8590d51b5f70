import assert from "node:assert/strict";
import { Amf0EcmaArray, type Amf0Value, decodeAmf0, encodeAmf0 } from "./amf0.ts";

Deno.test("encodeAmf0() and decodeAmf0() round-trip every value type", () => {
  const values: Amf0Value[] = [
    "connect",
    1,
    -0.5,
    true,
    false,
    null,
    undefined,
    new Date(1_700_000_000_123),
    "é😀 unicode",
    ["a", 2, [null, { x: 1 }]],
    new Amf0EcmaArray({ width: 640, height: 360, encoder: "Lavf" }),
  ];
  const decoded = decodeAmf0(encodeAmf0(values));
  assert.deepEqual(decoded, values);
});

Deno.test("encodeAmf0() round-trips nested objects inside ECMA arrays", () => {
  const value = {
    app: "live",
    nested: { deeper: { list: [1, "two", { three: 3 }], flag: true }, none: null },
    meta: new Amf0EcmaArray({ inner: new Amf0EcmaArray({ k: "v" }), obj: { a: [] } }),
  };
  const [decoded] = decodeAmf0(encodeAmf0([value]));
  assert.deepEqual(decoded, value);
  assert.ok((decoded as typeof value).meta instanceof Amf0EcmaArray);
});

Deno.test("encodeAmf0() switches to long string above 65535 bytes", () => {
  const long = "x".repeat(70_000);
  const bytes = encodeAmf0([long]);
  assert.equal(bytes[0], 0x0c);
  assert.deepEqual(decodeAmf0(bytes), [long]);
});

Deno.test("decodeAmf0() reads the wire bytes of an FFmpeg connect command", () => {
  // "connect", 1, { app: "live" } as FFmpeg sends it.
  const bytes = new Uint8Array([
    0x02,
    0x00,
    0x07,
    ...new TextEncoder().encode("connect"),
    0x00,
    0x3f,
    0xf0,
    0,
    0,
    0,
    0,
    0,
    0,
    0x03,
    0x00,
    0x03,
    ...new TextEncoder().encode("app"),
    0x02,
    0x00,
    0x04,
    ...new TextEncoder().encode("live"),
    0x00,
    0x00,
    0x09,
  ]);
  assert.deepEqual(decodeAmf0(bytes), ["connect", 1, { app: "live" }]);
  assert.deepEqual(encodeAmf0(["connect", 1, { app: "live" }]), bytes);
});

Deno.test("decodeAmf0() resolves references and rejects truncated data", () => {
  const obj = encodeAmf0([{ a: 1 }]);
  const withRef = new Uint8Array([...obj, 0x07, 0x00, 0x00]);
  const [first, second] = decodeAmf0(withRef);
  assert.equal(first, second);
  assert.throws(() => decodeAmf0(new Uint8Array([0x00, 0x3f])), /truncated/);
  assert.throws(() => decodeAmf0(new Uint8Array([0x11])), /not supported/);
});

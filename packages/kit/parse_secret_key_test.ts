import assert from "node:assert/strict";
import { parseSecretKey, rootKeyId, SecretKeyError } from "./parse_secret_key.ts";

const bytes = Uint8Array.from({ length: 32 }, (_, i) => i * 7 + 1);
const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");

Deno.test("parseSecretKey() reads hex, base64, base64url and raw file bytes", async () => {
  assert.deepEqual(await parseSecretKey(hex, "K"), bytes);
  assert.deepEqual(await parseSecretKey(` ${hex.toUpperCase()}\n`, "K"), bytes);
  assert.deepEqual(await parseSecretKey(bytes.toBase64(), "K"), bytes);
  assert.deepEqual(await parseSecretKey(bytes.toBase64({ omitPadding: true }), "K"), bytes);
  assert.deepEqual(await parseSecretKey(bytes.toBase64({ alphabet: "base64url" }), "K"), bytes);
  assert.deepEqual(await parseSecretKey(new TextEncoder().encode(`${hex}\n`), "K"), bytes);
  const raw = new Uint8Array(32).fill(0x01); // binary: not text
  assert.deepEqual(await parseSecretKey(raw, "K"), raw);
});

Deno.test("parseSecretKey() stretches a long passphrase with HKDF, deterministically", async () => {
  const passphrase = "correct horse battery staple, a long passphrase";
  const a = await parseSecretKey(passphrase, "K");
  assert.equal(a.length, 32);
  assert.deepEqual(await parseSecretKey(passphrase, "K"), a);
  assert.notDeepEqual(await parseSecretKey(`${passphrase}!`, "K"), a);
});

Deno.test("parseSecretKey() refuses short secrets without echoing them", async () => {
  for (const secret of ["short-secret", "ab".repeat(15), new Uint8Array(16)]) {
    await assert.rejects(parseSecretKey(secret, "SPIRITSTREAM_SECRET_KEY"), (error) => {
      assert.ok(error instanceof SecretKeyError);
      assert.match(error.message, /^Invalid SPIRITSTREAM_SECRET_KEY: must be 64 hex digits/);
      assert.ok(typeof secret !== "string" || !error.message.includes(secret));
      return true;
    });
  }
});

Deno.test("rootKeyId() is stable per key and differs between keys", async () => {
  const id = await rootKeyId(bytes);
  assert.match(id, /^s-[0-9a-f]{12}$/);
  assert.equal(await rootKeyId(bytes), id);
  assert.notEqual(await rootKeyId(new Uint8Array(32)), id);
});

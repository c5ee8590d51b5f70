import assert from "node:assert/strict";
import { createSealer, readSecretKey, SealError } from "./sealer.ts";

const SECRET = "0123456789abcdef0123456789abcdef-test";

Deno.test("createSealer() round-trips, uses a fresh nonce, and refuses another secret, purpose or an altered value", () => {
  const sealer = createSealer(SECRET, "test-v1");
  const a = sealer.seal("the private key");
  const b = sealer.seal("the private key");
  assert.notEqual(a, b, "a fresh nonce each time");
  assert.ok(!a.includes("private"));
  assert.equal(sealer.open(a), "the private key");
  assert.equal(createSealer(` ${SECRET}\n`, "test-v1").open(a), "the private key", "trimmed");
  assert.throws(() => createSealer(`${SECRET}-other`, "test-v1").open(a), SealError);
  assert.throws(() => createSealer(SECRET, "test-v2").open(a), SealError, "one key per purpose");
  const bytes = atob(a);
  const altered = btoa(
    bytes.slice(0, 20) + String.fromCharCode(bytes.charCodeAt(20) ^ 1) + bytes.slice(21),
  );
  assert.throws(() => sealer.open(altered), SealError);
  assert.throws(() => sealer.open("c2hvcnQ="), SealError);
  assert.throws(() => createSealer("too-short", "test-v1"), RangeError);
});

Deno.test("readSecretKey() prefers the variable, then the file (trimmed), else null", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/key`, `${SECRET}\n`);
    assert.equal(await readSecretKey({ secretKey: "env", secretKeyFile: `${dir}/key` }), "env");
    assert.equal(await readSecretKey({ secretKey: null, secretKeyFile: `${dir}/key` }), SECRET);
    assert.equal(await readSecretKey({ secretKey: null, secretKeyFile: null }), null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

import assert from "node:assert/strict";
import { createLogger, openRootKeys } from "@spiritstream/kit";
import { migrate } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { loadAccessTokenSigner, SigningKeyError } from "./access_token_signer.ts";
import { createAuthStore } from "./auth_store.ts";
import { AUTH_MIGRATIONS } from "./migrations.ts";

const SECRET = "auth-signing-secret-0123456789abcdef";
const SUBJECT = { userId: "u1", tenantId: "local", role: "admin" as const, email: "a@example.com" };

async function withStore(
  run: (store: ReturnType<typeof createAuthStore>, dir: string) => Promise<void>,
) {
  const dir = await Deno.makeTempDir();
  const db = openSqlite(`${dir}/auth.db`);
  try {
    await migrate(db, "auth", AUTH_MIGRATIONS);
    await run(createAuthStore(db), dir);
  } finally {
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
}

/** Whether `token` verifies with the signer's published key. */
async function verifies(token: string, publicJwk: JsonWebKey): Promise<boolean> {
  const [header, payload, signature] = token.split(".");
  const key = await crypto.subtle.importKey("jwk", publicJwk, { name: "Ed25519" }, false, [
    "verify",
  ]);
  const bytes = Uint8Array.from(
    atob(signature!.replaceAll("-", "+").replaceAll("_", "/")),
    (c) => c.charCodeAt(0),
  );
  return await crypto.subtle.verify(
    { name: "Ed25519" },
    key,
    bytes,
    new TextEncoder().encode(`${header}.${payload}`),
  );
}

Deno.test("loadAccessTokenSigner() with a secret stores the private key sealed and signs with it after a restart", async () => {
  await withStore(async (store) => {
    const first = await loadAccessTokenSigner(store, { secret: SECRET });
    const stored = (await store.signingKey())!;
    assert.match(stored.privateJwk, /^sealed:v1:/);
    assert.ok(!stored.privateJwk.includes('"d"'), "the private scalar is not in the clear");
    const again = await loadAccessTokenSigner(store, { secret: SECRET });
    assert.equal(again.kid, first.kid);
    assert.ok(await verifies(await again.sign(SUBJECT, 60), first.publicJwk as JsonWebKey));
  });
});

Deno.test("loadAccessTokenSigner() seals a key stored in the clear once a secret is configured", async () => {
  await withStore(async (store) => {
    const plain = await loadAccessTokenSigner(store);
    assert.match((await store.signingKey())!.privateJwk, /^\{/, "no secret: stored as is");
    const sealed = await loadAccessTokenSigner(store, { secret: SECRET });
    assert.equal(sealed.kid, plain.kid, "the same key: earlier tokens stay valid");
    assert.match((await store.signingKey())!.privateJwk, /^sealed:v1:/);
    assert.ok(await verifies(await sealed.sign(SUBJECT, 60), plain.publicJwk as JsonWebKey));
  });
});

Deno.test("loadAccessTokenSigner() refuses a sealed key without the secret or with another, naming the variable", async () => {
  await withStore(async (store) => {
    await loadAccessTokenSigner(store, { secret: SECRET });
    await assert.rejects(
      loadAccessTokenSigner(store),
      (error: Error) =>
        error instanceof SigningKeyError &&
        /is sealed: set SPIRITSTREAM_SECRET_KEY/.test(error.message),
    );
    await assert.rejects(
      loadAccessTokenSigner(store, { secret: `${SECRET}-other` }),
      (error: Error) =>
        error instanceof SigningKeyError &&
        /does not open with this SPIRITSTREAM_SECRET_KEY/.test(error.message) &&
        !error.message.includes(SECRET),
    );
  });
});

/** The desktop's root keys: the machine key file in `dir`. */
function machineKeys(dir: string) {
  return openRootKeys({ kind: "machine_file", path: `${dir}/secrets.key` });
}

Deno.test("loadAccessTokenSigner() without a secret seals the private key with the machine key, bound to its key id", async () => {
  await withStore(async (store, dir) => {
    const rootKeys = await machineKeys(dir);
    const first = await loadAccessTokenSigner(store, { rootKeys });
    const stored = (await store.signingKey())!;
    assert.ok(stored.privateJwk.startsWith(`sealed:root:v1:${rootKeys.activeId}:`));
    assert.ok(!stored.privateJwk.includes('"d"'), "the private scalar is not in the clear");
    const again = await loadAccessTokenSigner(store, { rootKeys: await machineKeys(dir) });
    assert.equal(again.kid, first.kid, "the same key after a restart");
    assert.ok(await verifies(await again.sign(SUBJECT, 60), first.publicJwk as JsonWebKey));

    await store.replaceSigningKey(first.kid, { ...stored, kid: "k-moved" });
    await assert.rejects(
      loadAccessTokenSigner(store, { rootKeys }),
      (error: Error) => error instanceof SigningKeyError && /does not open/.test(error.message),
      "a sealed key moved to another key id does not open",
    );
    await assert.rejects(
      loadAccessTokenSigner(store),
      (error: Error) => error instanceof SigningKeyError && /given none/.test(error.message),
      "without root keys it is refused, not replaced by a key in the clear",
    );
  });
});

Deno.test("loadAccessTokenSigner() seals a clear key in place with the machine key, and again under a newer root key", async () => {
  await withStore(async (store, dir) => {
    const plain = await loadAccessTokenSigner(store);
    assert.match((await store.signingKey())!.privateJwk, /^\{/);
    const rootKeys = await machineKeys(dir);
    const sealed = await loadAccessTokenSigner(store, { rootKeys });
    assert.equal(sealed.kid, plain.kid, "the same key: earlier tokens stay valid");
    assert.ok(
      (await store.signingKey())!.privateJwk.startsWith(`sealed:root:v1:${rootKeys.activeId}:`),
    );

    // A rotation the profiles service staged and made active, the old key still in the file.
    const staged = await rootKeys.rotation!.stage();
    const file = JSON.parse(await Deno.readTextFile(`${dir}/secrets.key`));
    await Deno.writeTextFile(`${dir}/secrets.key`, JSON.stringify({ ...file, active: staged }));
    const resealed = await loadAccessTokenSigner(store, { rootKeys: await machineKeys(dir) });
    assert.equal(resealed.kid, plain.kid);
    assert.ok((await store.signingKey())!.privateJwk.startsWith(`sealed:root:v1:${staged}:`));
  });
});

Deno.test("loadAccessTokenSigner() makes a new key when the machine key it was sealed with was rotated away", async () => {
  await withStore(async (store, dir) => {
    const rootKeys = await machineKeys(dir);
    const first = await loadAccessTokenSigner(store, { rootKeys });
    const staged = await rootKeys.rotation!.stage();
    await rootKeys.rotation!.commit(staged);
    const logs: string[] = [];
    const logger = createLogger({
      level: "info",
      destination: { write: (l) => void logs.push(l) },
    });
    const next = await loadAccessTokenSigner(store, { rootKeys: await machineKeys(dir), logger });
    assert.notEqual(next.kid, first.kid, "a new key: the old one cannot be opened");
    assert.equal((await store.signingKey())!.kid, next.kid);
    assert.ok((await store.signingKey())!.privateJwk.startsWith(`sealed:root:v1:${staged}:`));
    assert.match(logs.join("\n"), /made a new one/);
    assert.ok(await verifies(await next.sign(SUBJECT, 60), next.publicJwk as JsonWebKey));
  });
});

import assert from "node:assert/strict";
import { migrate } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { loadAccessTokenSigner, SigningKeyError } from "./access_token_signer.ts";
import { createAuthStore } from "./auth_store.ts";
import { AUTH_MIGRATIONS } from "./migrations.ts";

const SECRET = "auth-signing-secret-0123456789abcdef";
const SUBJECT = { userId: "u1", tenantId: "local", role: "admin" as const, email: "a@example.com" };

async function withStore(run: (store: ReturnType<typeof createAuthStore>) => Promise<void>) {
  const dir = await Deno.makeTempDir();
  const db = openSqlite(`${dir}/auth.db`);
  try {
    await migrate(db, "auth", AUTH_MIGRATIONS);
    await run(createAuthStore(db));
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
    const first = await loadAccessTokenSigner(store, SECRET);
    const stored = (await store.signingKey())!;
    assert.match(stored.privateJwk, /^sealed:v1:/);
    assert.ok(!stored.privateJwk.includes('"d"'), "the private scalar is not in the clear");
    const again = await loadAccessTokenSigner(store, SECRET);
    assert.equal(again.kid, first.kid);
    assert.ok(await verifies(await again.sign(SUBJECT, 60), first.publicJwk as JsonWebKey));
  });
});

Deno.test("loadAccessTokenSigner() seals a key stored in the clear once a secret is configured", async () => {
  await withStore(async (store) => {
    const plain = await loadAccessTokenSigner(store, null);
    assert.match((await store.signingKey())!.privateJwk, /^\{/, "no secret: stored as is");
    const sealed = await loadAccessTokenSigner(store, SECRET);
    assert.equal(sealed.kid, plain.kid, "the same key: earlier tokens stay valid");
    assert.match((await store.signingKey())!.privateJwk, /^sealed:v1:/);
    assert.ok(await verifies(await sealed.sign(SUBJECT, 60), plain.publicJwk as JsonWebKey));
  });
});

Deno.test("loadAccessTokenSigner() refuses a sealed key without the secret or with another, naming the variable", async () => {
  await withStore(async (store) => {
    await loadAccessTokenSigner(store, SECRET);
    await assert.rejects(
      loadAccessTokenSigner(store, null),
      (error: Error) =>
        error instanceof SigningKeyError &&
        /is sealed: set SPIRITSTREAM_SECRET_KEY/.test(error.message),
    );
    await assert.rejects(
      loadAccessTokenSigner(store, `${SECRET}-other`),
      (error: Error) =>
        error instanceof SigningKeyError &&
        /does not open with this SPIRITSTREAM_SECRET_KEY/.test(error.message) &&
        !error.message.includes(SECRET),
    );
  });
});

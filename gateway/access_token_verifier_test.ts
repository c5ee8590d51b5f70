import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { SignJWT } from "jose";
import { ACCESS_TOKEN_AUDIENCE, ACCESS_TOKEN_ISSUER, PublicJwk } from "@spiritstream/contracts";
import { createAccessTokenVerifier } from "./access_token_verifier.ts";

const KID = "k-test";
const NOW = Math.floor(Date.now() / 1000);
const CLAIMS = { tid: "local", role: "admin", email: "a@example.com" };

async function keyPair() {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, ["sign", "verify"]);
  const { kty, crv, x } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  return { privateKey: pair.privateKey, publicJwk: PublicJwk.parse({ kty, crv, x }) };
}

/** A token as the auth service signs it, with `change` applied to the claims. */
function mint(key: CryptoKey | Uint8Array, change: {
  alg?: string;
  kid?: string;
  iss?: string;
  aud?: string | null;
  exp?: number;
  tid?: string;
} = {}) {
  const jwt = new SignJWT({ ...CLAIMS, ...(change.tid ? { tid: change.tid } : {}) })
    .setProtectedHeader({ alg: change.alg ?? "EdDSA", typ: "JWT", kid: change.kid ?? KID })
    .setIssuer(change.iss ?? ACCESS_TOKEN_ISSUER)
    .setSubject("u1")
    .setIssuedAt(NOW - 10)
    .setExpirationTime(change.exp ?? NOW + 600)
    .setJti("j1");
  if (change.aud !== null) jwt.setAudience(change.aud ?? ACCESS_TOKEN_AUDIENCE);
  return jwt.sign(key);
}

function part(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

Deno.test("createAccessTokenVerifier() accepts the auth service's EdDSA tokens and refuses alg none, HS256 with the public key, tampered, expired, wrong audience or issuer", async () => {
  const { privateKey, publicJwk } = await keyPair();
  let fetches = 0;
  const verifier = createAccessTokenVerifier({
    fetchKeys: () => {
      fetches++;
      return Promise.resolve({ keys: [{ kid: KID, jwk: publicJwk }] });
    },
  });
  const now = NOW * 1000;
  const good = await mint(privateKey);
  const claims = await verifier.verify(good, now);
  assert.equal(claims?.sub, "u1");
  assert.equal(claims?.aud, ACCESS_TOKEN_AUDIENCE);
  assert.equal(claims?.tid, "local");

  const [header, payload, signature] = good.split(".") as [string, string, string];
  const claimsJson = JSON.parse(Buffer.from(payload, "base64url").toString());
  const none = `${part({ alg: "none", typ: "JWT", kid: KID })}.${payload}.${signature}`;
  assert.equal(await verifier.verify(none, now), null, "alg none");
  assert.equal(
    await verifier.verify(`${part({ alg: "none", typ: "JWT", kid: KID })}.${payload}.`, now),
    null,
    "alg none, no signature",
  );
  const publicBytes = Buffer.from(publicJwk.x, "base64url");
  const publicText = new TextEncoder().encode(JSON.stringify(publicJwk));
  for (const secret of [publicBytes, publicText]) {
    const hs256 = await mint(new Uint8Array(secret), { alg: "HS256" });
    assert.equal(await verifier.verify(hs256, now), null, "HS256 keyed with the public key");
  }
  const elevated = part({ ...claimsJson, tid: "other-tenant", role: "admin" });
  assert.equal(await verifier.verify(`${header}.${elevated}.${signature}`, now), null, "tampered");
  const flipped = signature.slice(0, 10) + (signature[10] === "A" ? "B" : "A") +
    signature.slice(11);
  assert.equal(await verifier.verify(`${header}.${payload}.${flipped}`, now), null, "signature");

  const expired = await mint(privateKey, { exp: NOW - 60 });
  assert.equal(await verifier.verify(expired, now), null, "expired");
  assert.equal(await verifier.verify(good, now + 601_000 + 5_000), null, "expired later");
  const justExpired = await mint(privateKey, { exp: NOW - 2 });
  assert.notEqual(await verifier.verify(justExpired, now), null, "a small clock skew is tolerated");
  for (const aud of ["spiritstream", "another-api"]) {
    assert.equal(await verifier.verify(await mint(privateKey, { aud }), now), null, "wrong aud");
  }
  assert.equal(await verifier.verify(await mint(privateKey, { aud: null }), now), null, "no aud");
  const wrongIssuer = await mint(privateKey, { iss: "someone-else" });
  assert.equal(await verifier.verify(wrongIssuer, now), null, "wrong issuer");

  const other = await keyPair();
  assert.equal(await verifier.verify(await mint(other.privateKey), now), null, "another key");
  const unknownKid = await mint(privateKey, { kid: "k-unknown" });
  assert.equal(await verifier.verify(unknownKid, now), null, "unknown key id");
  assert.equal(fetches, 1, "an unknown key id within the refetch window does not refetch");
});

Deno.test("createAccessTokenVerifier() passes on a failure to fetch the keys (not a refusal)", async () => {
  const { privateKey } = await keyPair();
  const verifier = createAccessTokenVerifier({
    fetchKeys: () => Promise.reject(new Error("auth service unavailable")),
  });
  await assert.rejects(verifier.verify(await mint(privateKey), NOW * 1000), /unavailable/);
});

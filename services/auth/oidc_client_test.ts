import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { exportJWK, generateKeyPair, SignJWT } from "jose";
import { freePort } from "@spiritstream/testing";
import { OidcClient, type OidcDiscovery, pkceChallenge, SsoError } from "./oidc_client.ts";

const ISSUER = "https://idp.example";
const CLIENT = "spiritstream";
const NONCE = "nonce-1";

Deno.test("OidcClient.verify() checks signature, iss, aud, exp, nonce and azp against the issuer's JWKS", async () => {
  const signing = await generateKeyPair("RS256");
  const stranger = await generateKeyPair("RS256");
  const jwk = { ...await exportJWK(signing.publicKey), kid: "k1", alg: "RS256", use: "sig" };
  const port = freePort();
  const server = Deno.serve(
    { port, hostname: "127.0.0.1", onListen: () => {} },
    () => Response.json({ keys: [jwk] }),
  );
  const doc: OidcDiscovery = {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/auth`,
    token_endpoint: `${ISSUER}/token`,
    jwks_uri: `http://127.0.0.1:${port}/jwks`,
  };
  const client = new OidcClient();
  const expected = { issuer: ISSUER, clientId: CLIENT, nonce: NONCE };
  async function token(
    claims: Record<string, unknown>,
    options: { key?: CryptoKey; exp?: string } = {},
  ) {
    return await new SignJWT({ nonce: NONCE, email: "a@x.io", ...claims })
      .setProtectedHeader({ alg: "RS256", kid: "k1" })
      .setIssuer(typeof claims.iss === "string" ? claims.iss : ISSUER)
      .setAudience((claims.aud as string | string[] | undefined) ?? CLIENT)
      .setSubject("user-1")
      .setIssuedAt()
      .setExpirationTime(options.exp ?? "5m")
      .sign(options.key ?? signing.privateKey);
  }
  async function refused(idToken: string, reason: RegExp) {
    await assert.rejects(
      client.verify(doc, idToken, expected),
      (e) => e instanceof SsoError && reason.test(e.message),
    );
  }
  try {
    const claims = await client.verify(doc, await token({}), expected);
    assert.equal(claims.email, "a@x.io");
    await refused(await token({ iss: "https://evil.example" }), /another issuer/);
    await refused(await token({ aud: "another-client" }), /another client \(aud\)/);
    await refused(await token({}, { exp: "-5m" }), /expired/);
    await refused(await token({ nonce: "other" }), /nonce/);
    await refused(await token({}, { key: stranger.privateKey }), /signature/);
    await refused(await token({ aud: [CLIENT, "other"], azp: "other" }), /azp/);
    assert.ok(await client.verify(doc, await token({ aud: [CLIENT, "x"], azp: CLIENT }), expected));
  } finally {
    await server.shutdown();
  }
});

Deno.test("pkceChallenge() is base64url(SHA-256(verifier)) without padding (S256)", async () => {
  const verifier = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gXk-bEjcXk";
  const expected = createHash("sha256").update(verifier).digest("base64url");
  assert.equal(await pkceChallenge(verifier), expected);
  assert.match(expected, /^[A-Za-z0-9_-]{43}$/);
});

Deno.test("OidcClient.discover() refuses a discovery document that names another issuer", async () => {
  const port = freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const server = Deno.serve(
    { port, hostname: "127.0.0.1", onListen: () => {} },
    () =>
      Response.json({
        issuer: "https://someone-else.example",
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
      }),
  );
  try {
    await assert.rejects(
      new OidcClient().discover(issuer),
      (e) => e instanceof SsoError && /names another issuer/.test(e.message),
    );
  } finally {
    await server.shutdown();
  }
});

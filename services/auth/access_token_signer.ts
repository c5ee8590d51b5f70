import { Buffer } from "node:buffer";
import { type AccessClaims, PublicJwk, type Role } from "@spiritstream/contracts";
import type { AuthStore } from "./auth_store.ts";
import { newId } from "./secrets.ts";

/** Signs access tokens (EdDSA JWTs) with the deployment's one Ed25519 key. */
export interface AccessTokenSigner {
  readonly kid: string;
  readonly publicJwk: PublicJwk;
  /** A signed token for that user, valid for `ttlSecs`. */
  sign(
    subject: { userId: string; tenantId: string; role: Role; email: string },
    ttlSecs: number,
  ): Promise<string>;
}

/**
 * Loads the signing key from the store, creating it on first start. Replicas that start at once
 * all end up with the first key stored, so every gateway can verify every replica's tokens.
 */
export async function loadAccessTokenSigner(store: AuthStore): Promise<AccessTokenSigner> {
  let record = await store.signingKey();
  if (!record) {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    const privateJwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
    const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
    await store.addSigningKey({
      kid: newId("k"),
      privateJwk: JSON.stringify(privateJwk),
      publicJwk: JSON.stringify({ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x }),
      createdAt: Date.now(),
    });
    record = await store.signingKey();
    if (!record) throw new Error("Signing key vanished right after it was stored");
  }
  const kid = record.kid;
  const publicJwk = PublicJwk.parse(JSON.parse(record.publicJwk));
  const privateKey = await crypto.subtle.importKey(
    "jwk",
    JSON.parse(record.privateJwk) as JsonWebKey,
    { name: "Ed25519" },
    false,
    ["sign"],
  );
  const header = encode({ alg: "EdDSA", typ: "JWT", kid });
  return {
    kid,
    publicJwk,
    async sign(subject, ttlSecs) {
      const iat = Math.floor(Date.now() / 1000);
      const claims: AccessClaims = {
        iss: "spiritstream",
        sub: subject.userId,
        tid: subject.tenantId,
        role: subject.role,
        email: subject.email,
        iat,
        exp: iat + ttlSecs,
        jti: newId(),
      };
      const input = `${header}.${encode(claims)}`;
      const signature = await crypto.subtle.sign(
        "Ed25519",
        privateKey,
        new TextEncoder().encode(input),
      );
      return `${input}.${Buffer.from(signature).toString("base64url")}`;
    },
  };
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString("base64url");
}

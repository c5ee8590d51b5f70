import { SignJWT } from "jose";
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  type AccessClaims,
  PublicJwk,
  type Role,
} from "@spiritstream/contracts";
import type { Logger } from "@spiritstream/kit";
import type { AuthStore, SigningKeyRecord } from "./auth_store.ts";
import { newId } from "./secrets.ts";
import { SigningKeyBox, SigningKeyError, type SigningKeyProtection } from "./signing_key_box.ts";

export { SigningKeyError } from "./signing_key_box.ts";

/** Signs access tokens (EdDSA JWTs) with the deployment's one Ed25519 key. */
export interface AccessTokenSigner {
  readonly kid: string;
  readonly publicJwk: PublicJwk;
  /** A signed token for that user, valid for `ttlSecs`. */
  sign(
    subject: {
      userId: string;
      tenantId: string;
      role: Role;
      email: string;
      hostOperator?: boolean;
    },
    ttlSecs: number,
  ): Promise<string>;
}

/**
 * Loads the signing key from the store, creating it on first start. Replicas that start at once
 * all end up with the first key stored, so every gateway can verify every replica's tokens.
 * The private key is stored sealed ({@linkcode SigningKeyBox}: with SPIRITSTREAM_SECRET_KEY, else
 * the root key the profiles service uses, the machine key file on the desktop); one found in the
 * clear or under an older root key is sealed again in place. One sealed under a root key that is
 * gone (the machine key was rotated) is replaced by a new key: access tokens issued before stop
 * working, refresh tokens and sessions do not. A key that cannot be opened for a reason the
 * operator must fix throws {@linkcode SigningKeyError}.
 */
export async function loadAccessTokenSigner(
  store: AuthStore,
  options: SigningKeyProtection & { logger?: Logger } = {},
): Promise<AccessTokenSigner> {
  const box = new SigningKeyBox(options);
  let { record, privateJwk } = await openStoredKey(store, box);
  if (privateJwk === null) {
    options.logger?.warn(
      { kid: record.kid },
      "The access-token signing key was sealed with a root key this process does not hold (the machine key was rotated or replaced): made a new one; access tokens issued before stop working",
    );
    await store.replaceSigningKey(record.kid, await newSigningKey(box));
    // Another replica may have replaced it first: whatever is stored now wins.
    ({ record, privateJwk } = await openStoredKey(store, box));
    if (privateJwk === null) {
      throw new SigningKeyError(
        "The access-token signing key is sealed with a root key this process does not hold: every auth replica needs the same SPIRITSTREAM_SECRET_KEY",
      );
    }
  }
  if (!box.isCurrent(record.privateJwk)) {
    await store.setSigningKeyPrivate(record.kid, await box.seal(record.kid, privateJwk));
  }
  const kid = record.kid;
  const publicJwk = PublicJwk.parse(JSON.parse(record.publicJwk));
  const privateKey = await crypto.subtle.importKey(
    "jwk",
    JSON.parse(privateJwk) as JsonWebKey,
    { name: "Ed25519" },
    false,
    ["sign"],
  );
  return {
    kid,
    publicJwk,
    async sign(subject, ttlSecs) {
      const iat = Math.floor(Date.now() / 1000);
      const claims: Pick<AccessClaims, "tid" | "role" | "email" | "hop"> = {
        tid: subject.tenantId,
        role: subject.role,
        email: subject.email,
        hop: subject.hostOperator === true,
      };
      return await new SignJWT(claims)
        .setProtectedHeader({ alg: "EdDSA", typ: "JWT", kid })
        .setIssuer(ACCESS_TOKEN_ISSUER)
        .setAudience(ACCESS_TOKEN_AUDIENCE)
        .setSubject(subject.userId)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSecs)
        .setJti(newId())
        .sign(privateKey);
    },
  };
}

/** The stored key (made on first start) and its private JWK, null when its root key is gone. */
async function openStoredKey(store: AuthStore, box: SigningKeyBox) {
  let record = await store.signingKey();
  if (!record) {
    await store.addSigningKey(await newSigningKey(box));
    record = await store.signingKey();
    if (!record) throw new Error("Signing key vanished right after it was stored");
  }
  return { record, privateJwk: await box.open(record.kid, record.privateJwk) };
}

/** A fresh Ed25519 key pair, its private part stored as `box` wants it. */
async function newSigningKey(box: SigningKeyBox): Promise<SigningKeyRecord> {
  const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
    "sign",
    "verify",
  ]) as CryptoKeyPair;
  const privateJwk = JSON.stringify(await crypto.subtle.exportKey("jwk", pair.privateKey));
  const { kty, crv, x } = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const kid = newId("k");
  return {
    kid,
    privateJwk: await box.seal(kid, privateJwk),
    publicJwk: JSON.stringify({ kty, crv, x }),
    createdAt: Date.now(),
  };
}

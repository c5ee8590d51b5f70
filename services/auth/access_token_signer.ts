import { Buffer } from "node:buffer";
import { type AccessClaims, PublicJwk, type Role } from "@spiritstream/contracts";
import { createSealer, type Sealer, SealError } from "@spiritstream/kit";
import type { AuthStore } from "./auth_store.ts";
import { newId } from "./secrets.ts";

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

/** How a private key sealed with SPIRITSTREAM_SECRET_KEY is stored. */
const SEALED = "sealed:v1:";
/** The HKDF purpose of the key that seals it. */
const SEAL_PURPOSE = "auth-signing-key-v1";

/** The signing key cannot be used with the configuration given (one line for the operator). */
export class SigningKeyError extends Error {
  override name = "SigningKeyError";
}

/**
 * Loads the signing key from the store, creating it on first start. Replicas that start at once
 * all end up with the first key stored, so every gateway can verify every replica's tokens.
 * With `secret` (SPIRITSTREAM_SECRET_KEY) the private key is stored sealed (AES-256-GCM, its own
 * HKDF-derived key), and a key found in the clear is sealed in place; without it the key is
 * stored as is, and a sealed one cannot be opened ({@linkcode SigningKeyError}).
 */
export async function loadAccessTokenSigner(
  store: AuthStore,
  secret: string | null = null,
): Promise<AccessTokenSigner> {
  const sealer = secret ? createSealer(secret, SEAL_PURPOSE) : null;
  let record = await store.signingKey();
  if (!record) {
    const pair = await crypto.subtle.generateKey({ name: "Ed25519" }, true, [
      "sign",
      "verify",
    ]) as CryptoKeyPair;
    const privateJwk = JSON.stringify(await crypto.subtle.exportKey("jwk", pair.privateKey));
    const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
    await store.addSigningKey({
      kid: newId("k"),
      privateJwk: sealer ? SEALED + sealer.seal(privateJwk) : privateJwk,
      publicJwk: JSON.stringify({ kty: publicJwk.kty, crv: publicJwk.crv, x: publicJwk.x }),
      createdAt: Date.now(),
    });
    record = await store.signingKey();
    if (!record) throw new Error("Signing key vanished right after it was stored");
  }
  const kid = record.kid;
  const publicJwk = PublicJwk.parse(JSON.parse(record.publicJwk));
  const privateJwk = openPrivateJwk(record.privateJwk, sealer);
  if (sealer && !record.privateJwk.startsWith(SEALED)) {
    await store.setSigningKeyPrivate(kid, SEALED + sealer.seal(privateJwk));
  }
  const privateKey = await crypto.subtle.importKey(
    "jwk",
    JSON.parse(privateJwk) as JsonWebKey,
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
        hop: subject.hostOperator === true,
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

function openPrivateJwk(stored: string, sealer: Sealer | null): string {
  if (!stored.startsWith(SEALED)) return stored;
  if (!sealer) {
    throw new SigningKeyError(
      "The access-token signing key is sealed: set SPIRITSTREAM_SECRET_KEY (or _FILE) to the secret it was sealed with",
    );
  }
  try {
    return sealer.open(stored.slice(SEALED.length));
  } catch (error) {
    if (!(error instanceof SealError)) throw error;
    throw new SigningKeyError(
      "The access-token signing key does not open with this SPIRITSTREAM_SECRET_KEY: use the secret it was sealed with (if it is lost, delete the row in auth_signing_keys to start with a new key; access tokens issued so far stop working)",
    );
  }
}

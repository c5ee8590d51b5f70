import { errors, importJWK, type JWTHeaderParameters, jwtVerify } from "jose";
import {
  ACCESS_TOKEN_AUDIENCE,
  ACCESS_TOKEN_ISSUER,
  AccessClaims,
  type SigningKeys,
} from "@spiritstream/contracts";

/** Checks access tokens (EdDSA JWTs) locally with the auth service's public keys. */
export interface AccessTokenVerifier {
  /** The token's claims when its signature, issuer, audience and expiry are good; otherwise null. */
  verify(token: string, now?: number): Promise<AccessClaims | null>;
}

/** Options for {@linkcode createAccessTokenVerifier}. */
export interface AccessTokenVerifierOptions {
  /** Fetches the public keys (over the bus); called at first use and for an unknown key id. */
  fetchKeys(): Promise<SigningKeys>;
  /** An unknown key id refetches at most this often. @default 10000 */
  refetchAfterMs?: number;
}

/** Clocks of the auth service and the gateway may differ this much (seconds). */
const CLOCK_TOLERANCE_SECS = 5;

/** True when the bearer secret has a JWT's three-part shape (so it is not an opaque token). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** Creates a verifier that caches the keys it fetched. */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const keys = new KeyCache(options.fetchKeys, options.refetchAfterMs ?? 10_000);
  return {
    async verify(token, now = Date.now()) {
      if (token.length > 8192 || !looksLikeJwt(token)) return null;
      try {
        // Only EdDSA is accepted: "none", HS256 keyed with the public key and the like are refused.
        const { payload } = await jwtVerify(token, (header) => keys.forHeader(header), {
          algorithms: ["EdDSA"],
          typ: "JWT",
          issuer: ACCESS_TOKEN_ISSUER,
          audience: ACCESS_TOKEN_AUDIENCE,
          requiredClaims: ["sub", "iat", "exp", "jti"],
          clockTolerance: CLOCK_TOLERANCE_SECS,
          currentDate: new Date(now),
        });
        const claims = AccessClaims.safeParse(payload);
        return claims.success ? claims.data : null;
      } catch (error) {
        if (error instanceof errors.JOSEError) return null;
        throw error; // e.g. the auth service did not answer for the keys
      }
    },
  };
}

/** The public keys by key id; an unknown id refetches them, at most every `refetchAfterMs`. */
class KeyCache {
  readonly #fetchKeys: () => Promise<SigningKeys>;
  readonly #refetchAfterMs: number;
  readonly #keys = new Map<string, CryptoKey>();
  #fetchedAt = -Infinity;
  #fetching: Promise<void> | null = null;

  constructor(fetchKeys: () => Promise<SigningKeys>, refetchAfterMs: number) {
    this.#fetchKeys = fetchKeys;
    this.#refetchAfterMs = refetchAfterMs;
  }

  /** The key the token names; a JOSE error (so: refused) when there is none. */
  async forHeader(header: JWTHeaderParameters): Promise<CryptoKey> {
    const kid = header.kid;
    if (typeof kid !== "string") throw new errors.JWSInvalid("The token names no key");
    if (!this.#keys.has(kid) && Date.now() - this.#fetchedAt >= this.#refetchAfterMs) {
      this.#fetching ??= this.#refresh().finally(() => this.#fetching = null);
      await this.#fetching;
    }
    const key = this.#keys.get(kid);
    if (!key) throw new errors.JWKSNoMatchingKey();
    return key;
  }

  async #refresh(): Promise<void> {
    const { keys } = await this.#fetchKeys();
    for (const { kid, jwk } of keys) {
      if (this.#keys.has(kid)) continue;
      this.#keys.set(kid, await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA") as CryptoKey);
    }
    this.#fetchedAt = Date.now();
  }
}

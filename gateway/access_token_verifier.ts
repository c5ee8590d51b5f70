import { Buffer } from "node:buffer";
import { AccessClaims, type SigningKeys } from "@spiritstream/contracts";

/** Checks access tokens (EdDSA JWTs) locally with the auth service's public keys. */
export interface AccessTokenVerifier {
  /** The token's claims when its signature, issuer and expiry are good; otherwise null. */
  verify(token: string, now?: number): Promise<AccessClaims | null>;
}

/** Options for {@linkcode createAccessTokenVerifier}. */
export interface AccessTokenVerifierOptions {
  /** Fetches the public keys (over the bus); called at first use and for an unknown key id. */
  fetchKeys(): Promise<SigningKeys>;
  /** An unknown key id refetches at most this often. @default 10000 */
  refetchAfterMs?: number;
}

/** True when the bearer secret has a JWT's three-part shape (so it is not an opaque token). */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token);
}

/** Creates a verifier that caches the keys it fetched. */
export function createAccessTokenVerifier(
  options: AccessTokenVerifierOptions,
): AccessTokenVerifier {
  const { fetchKeys, refetchAfterMs = 10_000 } = options;
  const keys = new Map<string, CryptoKey>();
  let fetchedAt = -Infinity;
  let fetching: Promise<void> | null = null;

  async function refresh(): Promise<void> {
    const { keys: list } = await fetchKeys();
    for (const { kid, jwk } of list) {
      if (keys.has(kid)) continue;
      keys.set(
        kid,
        await crypto.subtle.importKey("jwk", jwk, { name: "Ed25519" }, false, ["verify"]),
      );
    }
    fetchedAt = Date.now();
  }

  async function keyFor(kid: string): Promise<CryptoKey | undefined> {
    if (!keys.has(kid) && Date.now() - fetchedAt >= refetchAfterMs) {
      fetching ??= refresh().finally(() => fetching = null);
      await fetching;
    }
    return keys.get(kid);
  }

  return {
    async verify(token, now = Date.now()) {
      if (token.length > 8192 || !looksLikeJwt(token)) return null;
      const [header64, claims64, signature64] = token.split(".") as [string, string, string];
      const header = decodeJson(header64);
      if (!header || header.alg !== "EdDSA" || typeof header.kid !== "string") return null;
      const key = await keyFor(header.kid);
      if (!key) return null;
      const signature = Buffer.from(signature64, "base64url");
      const valid = await crypto.subtle.verify(
        "Ed25519",
        key,
        signature,
        new TextEncoder().encode(`${header64}.${claims64}`),
      );
      if (!valid) return null;
      const claims = AccessClaims.safeParse(decodeJson(claims64));
      if (!claims.success || claims.data.exp * 1000 <= now) return null;
      return claims.data;
    },
  };
}

function decodeJson(part: string): Record<string, unknown> | null {
  try {
    const value = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

import { Buffer } from "node:buffer";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { z } from "zod";

/** The parts of a provider's discovery document SpiritStream uses. */
export const OidcDiscovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  jwks_uri: z.string().url(),
});
export type OidcDiscovery = z.infer<typeof OidcDiscovery>;

const TokenAnswer = z.object({ id_token: z.string().min(1).max(16_384) });
const TokenError = z.object({ error: z.string() });

/** A sign-in the identity provider or its answer refused; the message is safe to show. */
export class SsoError extends Error {
  override name = "SsoError";
}

/** What {@linkcode OidcClient.exchange} sends to the token endpoint. */
export interface CodeExchange {
  code: string;
  redirectUri: string;
  clientId: string;
  clientSecret: string;
  codeVerifier: string;
}

const DISCOVERY_TTL_MS = 5 * 60_000;
const HTTP_TIMEOUT_MS = 10_000;
/** Allowed clock difference with the provider when checking `exp`, `iat` and `nbf`. */
const CLOCK_TOLERANCE_SECS = 60;

/**
 * An OpenID Connect relying party: discovery (cached a few minutes per issuer), the
 * authorization URL (code flow, PKCE S256), the code exchange (client_secret_post), and the
 * id_token check against the issuer's JWKS (signature, `iss`, `aud`, `exp`, `nonce`, `azp`).
 */
export class OidcClient {
  readonly #discoveries = new Map<string, { doc: OidcDiscovery; at: number }>();
  readonly #keySets = new Map<string, ReturnType<typeof createRemoteJWKSet>>();

  /** The issuer's discovery document; it must name the same issuer (no mix-up). */
  async discover(issuer: string): Promise<OidcDiscovery> {
    const cached = this.#discoveries.get(issuer);
    if (cached && Date.now() - cached.at < DISCOVERY_TTL_MS) return cached.doc;
    const url = `${issuer.replace(/\/+$/, "")}/.well-known/openid-configuration`;
    const res = await request(url, { headers: { accept: "application/json" } });
    if (!res.ok) {
      throw new SsoError(`The identity provider's discovery document answered ${res.status}`);
    }
    const parsed = OidcDiscovery.safeParse(await res.json().catch(() => null));
    if (!parsed.success) {
      throw new SsoError("The identity provider's discovery document is not valid");
    }
    if (parsed.data.issuer !== issuer) {
      throw new SsoError(
        `The identity provider's discovery document names another issuer (${
          printable(parsed.data.issuer)
        }): set the issuer exactly as the provider spells it`,
      );
    }
    this.#discoveries.set(issuer, { doc: parsed.data, at: Date.now() });
    return parsed.data;
  }

  /** Where the browser goes to sign in. */
  authorizationUrl(
    doc: OidcDiscovery,
    params: { clientId: string; redirectUri: string; scopes: string; state: string; nonce: string },
    codeChallenge: string,
  ): string {
    const url = new URL(doc.authorization_endpoint);
    for (
      const [name, value] of Object.entries({
        response_type: "code",
        client_id: params.clientId,
        redirect_uri: params.redirectUri,
        scope: params.scopes,
        state: params.state,
        nonce: params.nonce,
        code_challenge: codeChallenge,
        code_challenge_method: "S256",
      })
    ) url.searchParams.set(name, value);
    return url.href;
  }

  /** Trades the code for tokens; returns the id_token (not yet verified). */
  async exchange(doc: OidcDiscovery, exchange: CodeExchange): Promise<string> {
    const res = await request(doc.token_endpoint, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        code: exchange.code,
        redirect_uri: exchange.redirectUri,
        client_id: exchange.clientId,
        client_secret: exchange.clientSecret,
        code_verifier: exchange.codeVerifier,
      }).toString(),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) {
      // Only the error code: a provider's description may echo what was sent.
      const error = TokenError.safeParse(body).data?.error ?? "";
      const code = /^[a-z_]{1,64}$/.test(error) ? error : `HTTP ${res.status}`;
      throw new SsoError(`The identity provider refused the sign-in code (${code})`);
    }
    const parsed = TokenAnswer.safeParse(body);
    if (!parsed.success) throw new SsoError("The identity provider returned no id_token");
    return parsed.data.id_token;
  }

  /** The id_token's claims once its signature, issuer, audience, expiry and nonce check out. */
  async verify(
    doc: OidcDiscovery,
    idToken: string,
    expected: { issuer: string; clientId: string; nonce: string },
  ): Promise<JWTPayload> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(idToken, this.#keySet(doc.jwks_uri), {
        issuer: expected.issuer,
        audience: expected.clientId,
        clockTolerance: CLOCK_TOLERANCE_SECS,
        requiredClaims: ["sub", "exp", "iat"],
      }));
    } catch (error) {
      throw new SsoError(`The id_token was refused: ${describeJoseError(error)}`);
    }
    if (payload.nonce !== expected.nonce) {
      throw new SsoError("The id_token was refused: its nonce is not the one this sign-in sent");
    }
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (audiences.length > 1 && payload.azp !== expected.clientId) {
      throw new SsoError("The id_token was refused: it was issued to another client (azp)");
    }
    return payload;
  }

  #keySet(jwksUri: string) {
    let keys = this.#keySets.get(jwksUri);
    if (!keys) {
      keys = createRemoteJWKSet(new URL(jwksUri), { timeoutDuration: HTTP_TIMEOUT_MS });
      this.#keySets.set(jwksUri, keys);
    }
    return keys;
  }
}

/** A PKCE S256 challenge for a verifier. */
export async function pkceChallenge(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier));
  return Buffer.from(digest).toString("base64url");
}

async function request(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, {
      ...init,
      redirect: "error",
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
  } catch {
    throw new SsoError(
      `The identity provider could not be reached (${printable(new URL(url).origin)})`,
    );
  }
}

function describeJoseError(error: unknown): string {
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "iss") return "it comes from another issuer";
    if (error.claim === "aud") return "it was issued to another client (aud)";
    return `claim "${error.claim}" ${error.reason}`;
  }
  if (error instanceof errors.JWTExpired) return "it has expired";
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "its signature does not verify";
  }
  if (error instanceof errors.JWKSNoMatchingKey) return "no key of the issuer's JWKS signed it";
  if (error instanceof errors.JOSEError) return error.code;
  return "it could not be checked";
}

function printable(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, "?").slice(0, 120);
}

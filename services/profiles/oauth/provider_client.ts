import { z } from "zod";
import { AppError, type OAuthProvider } from "@spiritstream/contracts";
import type { ProviderSettings } from "./oauth_config.ts";

/**
 * A token as RFC 6749 (VSCHAR) and RFC 6750 (no spaces) allow: it goes on an IRC `PASS` line
 * and in headers, so a provider's CR, LF, NUL or space must never get that far.
 */
const Token = z.string().regex(/^[\x21-\x7e]{1,4096}$/);

/** What a token endpoint answered (RFC 6749 §5.1). */
export const TokenSet = z.object({
  access_token: Token,
  refresh_token: Token.optional(),
  expires_in: z.coerce.number().int().min(0).optional(),
  token_type: z.string().optional(),
  scope: z.union([z.string(), z.array(z.string())]).optional(),
});
export type TokenSet = z.infer<typeof TokenSet>;

/** Who a token belongs to. */
export interface ProviderAccount {
  userId: string;
  username: string;
  displayName: string;
}

/** The endpoints in use, after discovery. */
export interface Endpoints {
  authorize: string;
  token: string;
  revoke: string | null;
  userinfo: string | null;
}

const Discovery = z.object({
  issuer: z.string(),
  authorization_endpoint: z.string().url(),
  token_endpoint: z.string().url(),
  revocation_endpoint: z.string().url().optional(),
  userinfo_endpoint: z.string().url().optional(),
});

const OidcUser = z.object({
  sub: z.string().min(1),
  preferred_username: z.string().optional(),
  name: z.string().optional(),
  email: z.string().optional(),
});

const HelixUsers = z.object({
  data: z.array(z.object({ id: z.string(), login: z.string(), display_name: z.string() })).min(1),
});

const ProviderError = z.object({
  error: z.string().max(100),
  error_description: z.string().optional(),
});

/** How long one call to a provider may take. */
const CALL_TIMEOUT_MS = 15_000;

/** Talks to one provider's authorization server: authorize URL, code, refresh, revoke, userinfo. */
export class ProviderClient {
  readonly provider: OAuthProvider;
  readonly #settings: () => ProviderSettings;
  #discovered: { issuer: string; endpoints: Promise<Endpoints> } | null = null;

  constructor(provider: OAuthProvider, settings: () => ProviderSettings) {
    this.provider = provider;
    this.#settings = settings;
  }

  /** The client id, or a `failed_precondition` saying how to set one. */
  clientId(): string {
    const id = this.#settings().clientId;
    if (id) return id;
    const name = this.provider.toUpperCase();
    throw new AppError(
      "failed_precondition",
      `Sign-in with ${this.#label()} is not configured: set SPIRITSTREAM_${name}_CLIENT_ID (and _CLIENT_SECRET), or oauth_set_config as the host operator`,
    );
  }

  /** The endpoints, with the issuer's discovery document fetched once when one is set. */
  endpoints(): Promise<Endpoints> {
    const settings = this.#settings();
    if (settings.issuer === null) return Promise.resolve(fixedEndpoints(settings));
    if (this.#discovered?.issuer !== settings.issuer) {
      const endpoints = this.#discover(settings);
      this.#discovered = { issuer: settings.issuer, endpoints };
      // A failed discovery is tried again on the next call, not cached.
      endpoints.catch(() => (this.#discovered = null));
    }
    return this.#discovered.endpoints;
  }

  /** The URL the browser opens to sign in (authorization code, PKCE S256). */
  async authorizeUrl(input: { state: string; challenge: string; redirectUri: string }) {
    const settings = this.#settings();
    const url = new URL((await this.endpoints()).authorize);
    const params = {
      response_type: "code",
      client_id: this.clientId(),
      redirect_uri: input.redirectUri,
      scope: settings.scopes.join(" "),
      state: input.state,
      code_challenge: input.challenge,
      code_challenge_method: "S256",
      ...settings.extraParams,
    };
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    return url.toString();
  }

  /** Exchanges an authorization code and its verifier for tokens. */
  async exchangeCode(input: { code: string; verifier: string; redirectUri: string }) {
    return await this.#token({
      grant_type: "authorization_code",
      code: input.code,
      code_verifier: input.verifier,
      redirect_uri: input.redirectUri,
    });
  }

  /** Exchanges a refresh token for fresh tokens. */
  async refresh(refreshToken: string): Promise<TokenSet> {
    return await this.#token({ grant_type: "refresh_token", refresh_token: refreshToken });
  }

  /** Revokes a token (RFC 7009); false when the provider has no revocation endpoint. */
  async revoke(token: string, hint: "access_token" | "refresh_token"): Promise<boolean> {
    const url = (await this.endpoints()).revoke;
    if (url === null) return false;
    const res = await this.#post(url, { token, token_type_hint: hint, ...this.#clientAuth() });
    await res.body?.cancel();
    // RFC 7009 §2.2: an invalid token still answers 200; Twitch answers 400 for one already gone.
    if (!res.ok && res.status !== 400) throw this.#failure("revoke the token", res.status);
    return true;
  }

  /** Who the access token belongs to. */
  async account(accessToken: string): Promise<ProviderAccount> {
    const url = (await this.endpoints()).userinfo;
    if (url === null) {
      throw new AppError("failed_precondition", `${this.#label()} has no userinfo endpoint`);
    }
    const headers: Record<string, string> = { authorization: `Bearer ${accessToken}` };
    const style = this.#settings().userinfoStyle;
    if (style === "twitch-helix") headers["client-id"] = this.clientId();
    const res = await this.#call(url, { headers });
    if (!res.ok) {
      await res.body?.cancel();
      throw this.#failure("read the signed-in account", res.status);
    }
    const body = await res.json().catch(() => null);
    return style === "twitch-helix"
      ? helixAccount(body, this.#label())
      : oidcAccount(body, this.#label());
  }

  async #token(grant: Record<string, string>): Promise<TokenSet> {
    const res = await this.#post((await this.endpoints()).token, {
      ...grant,
      ...this.#clientAuth(),
    });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw this.#failure("issue tokens", res.status, body);
    const parsed = TokenSet.safeParse(body);
    if (!parsed.success) {
      throw new AppError("unavailable", `${this.#label()} answered tokens in an unknown shape`);
    }
    return parsed.data;
  }

  #clientAuth(): Record<string, string> {
    const secret = this.#settings().clientSecret;
    return { client_id: this.clientId(), ...(secret ? { client_secret: secret } : {}) };
  }

  async #discover(settings: ProviderSettings): Promise<Endpoints> {
    const issuer = settings.issuer!.replace(/\/$/, "");
    const res = await this.#call(`${issuer}/.well-known/openid-configuration`, {});
    const parsed = Discovery.safeParse(await res.json().catch(() => null));
    if (!res.ok || !parsed.success) {
      throw new AppError(
        "unavailable",
        `Could not read the OpenID configuration of ${issuer} (SPIRITSTREAM_${this.provider.toUpperCase()}_OAUTH_ISSUER)`,
      );
    }
    const doc = parsed.data;
    return {
      authorize: settings.authorizeUrl ?? doc.authorization_endpoint,
      token: settings.tokenUrl ?? doc.token_endpoint,
      revoke: settings.revokeUrl ?? doc.revocation_endpoint ?? null,
      userinfo: settings.userinfoUrl ?? doc.userinfo_endpoint ?? null,
    };
  }

  #post(url: string, form: Record<string, string>): Promise<Response> {
    return this.#call(url, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
      body: new URLSearchParams(form).toString(),
    });
  }

  async #call(url: string, init: RequestInit): Promise<Response> {
    try {
      return await fetch(url, {
        ...init,
        redirect: "error",
        signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
      });
    } catch (error) {
      const why = error instanceof DOMException && error.name === "TimeoutError"
        ? `no answer in ${CALL_TIMEOUT_MS / 1000} s`
        : "it cannot be reached";
      throw new AppError("unavailable", `${this.#label()} sign-in failed: ${why}`);
    }
  }

  /** An error naming what failed and the provider's OAuth error code, never a token. */
  #failure(what: string, status: number, body?: unknown): AppError {
    const parsed = ProviderError.safeParse(body);
    const code = parsed.success && /^[\w.-]+$/.test(parsed.data.error)
      ? ` (${parsed.data.error})`
      : "";
    const refused = parsed.success && parsed.data.error === "invalid_grant";
    return new AppError(
      refused ? "failed_precondition" : "unavailable",
      refused
        ? `${this.#label()} refused to ${what}${code}: sign in again`
        : `${this.#label()} could not ${what}: HTTP ${status}${code}`,
    );
  }

  #label(): string {
    return this.provider === "twitch" ? "Twitch" : "Google";
  }
}

function fixedEndpoints(settings: ProviderSettings): Endpoints {
  if (!settings.authorizeUrl || !settings.tokenUrl) {
    throw new AppError(
      "failed_precondition",
      "The provider's authorize and token URLs are not set",
    );
  }
  return {
    authorize: settings.authorizeUrl,
    token: settings.tokenUrl,
    revoke: settings.revokeUrl,
    userinfo: settings.userinfoUrl,
  };
}

function oidcAccount(body: unknown, label: string): ProviderAccount {
  const parsed = OidcUser.safeParse(body);
  if (!parsed.success) {
    throw new AppError("unavailable", `${label} answered an unknown account shape`);
  }
  const user = parsed.data;
  const username = user.preferred_username ?? user.email ?? user.sub;
  return { userId: user.sub, username, displayName: user.name ?? username };
}

function helixAccount(body: unknown, label: string): ProviderAccount {
  const parsed = HelixUsers.safeParse(body);
  if (!parsed.success) {
    throw new AppError("unavailable", `${label} answered an unknown account shape`);
  }
  const user = parsed.data.data[0]!;
  return { userId: user.id, username: user.login, displayName: user.display_name };
}

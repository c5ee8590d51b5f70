import { z } from "zod";
import type { OAuthProvider } from "@spiritstream/contracts";
import { ConfigError, isLoopbackHost } from "@spiritstream/kit";

/** How a provider tells who signed in: OpenID Connect userinfo, or Twitch's Helix users API. */
export type UserinfoStyle = "oidc" | "twitch-helix";

/** One provider's endpoints and client, as configured (env > built-in defaults). */
export interface ProviderSettings {
  clientId: string | null;
  clientSecret: string | null;
  /** Set: the other endpoints come from its OpenID Connect discovery document (unless given). */
  issuer: string | null;
  authorizeUrl: string | null;
  tokenUrl: string | null;
  revokeUrl: string | null;
  userinfoUrl: string | null;
  userinfoStyle: UserinfoStyle;
  scopes: string[];
  /** Extra query parameters of the authorization request (Google's `access_type=offline`). */
  extraParams: Record<string, string>;
}

/** The sign-in settings of the host. */
export interface OAuthConfig {
  /** SPIRITSTREAM_OAUTH_REDIRECT_URL; null = the desktop's own `/oauth/callback` (see `defaultRedirect`). */
  redirectUrl: string | null;
  providers: Record<OAuthProvider, ProviderSettings>;
}

const TWITCH: ProviderSettings = {
  clientId: null,
  clientSecret: null,
  issuer: null,
  authorizeUrl: "https://id.twitch.tv/oauth2/authorize",
  tokenUrl: "https://id.twitch.tv/oauth2/token",
  revokeUrl: "https://id.twitch.tv/oauth2/revoke",
  userinfoUrl: "https://api.twitch.tv/helix/users",
  userinfoStyle: "twitch-helix",
  scopes: ["chat:read", "chat:edit", "user:read:chat", "user:write:chat"],
  extraParams: {},
};

const YOUTUBE: ProviderSettings = {
  clientId: null,
  clientSecret: null,
  issuer: null,
  authorizeUrl: "https://accounts.google.com/o/oauth2/v2/auth",
  tokenUrl: "https://oauth2.googleapis.com/token",
  revokeUrl: "https://oauth2.googleapis.com/revoke",
  userinfoUrl: "https://openidconnect.googleapis.com/v1/userinfo",
  userinfoStyle: "oidc",
  scopes: ["openid", "profile", "https://www.googleapis.com/auth/youtube.force-ssl"],
  // Google issues a refresh token only for offline access, and again only with consent.
  extraParams: { access_type: "offline", prompt: "consent" },
};

/** An endpoint: https, or http on a loopback host (a local issuer, tests). */
const Endpoint = z.string().trim().min(1).refine(endpointAllowed, {
  message: "must be an https:// URL (http:// only on a loopback host)",
});

/** SPIRITSTREAM_OAUTH_REDIRECT_URL: where the provider sends the browser back. */
const RedirectUrl = z.string().trim().min(1).refine(endpointAllowed, {
  message: "must be an https:// URL (http:// only on a loopback host), e.g. " +
    "https://stream.example.com/oauth/callback",
}).refine((url) => new URL(url).pathname === "/oauth/callback", {
  message: "must end in /oauth/callback (the dashboard finishes the sign-in there)",
});

function endpointAllowed(value: string): boolean {
  try {
    const url = new URL(value);
    if (url.username || url.password) return false;
    return url.protocol === "https:" || (url.protocol === "http:" && isLoopbackHost(url.hostname));
  } catch {
    return false;
  }
}

/**
 * Reads the sign-in settings from the environment: per provider `SPIRITSTREAM_<P>_CLIENT_ID`,
 * `_CLIENT_SECRET`, `SPIRITSTREAM_<P>_OAUTH_ISSUER` (OIDC discovery), `_OAUTH_AUTHORIZE_URL`,
 * `_OAUTH_TOKEN_URL`, `_OAUTH_REVOKE_URL`, `_OAUTH_USERINFO_URL`, `_OAUTH_SCOPES` (space
 * separated), with P = TWITCH or YOUTUBE; and SPIRITSTREAM_OAUTH_REDIRECT_URL. A bad value throws
 * `ConfigError` naming the variable and the rule.
 */
export function oauthConfigFromEnv(env: Record<string, string | undefined>): OAuthConfig {
  const redirect = blank(env.SPIRITSTREAM_OAUTH_REDIRECT_URL);
  return {
    redirectUrl: redirect === null
      ? null
      : parse("SPIRITSTREAM_OAUTH_REDIRECT_URL", RedirectUrl, redirect),
    providers: {
      twitch: providerFromEnv(env, "TWITCH", TWITCH),
      youtube: providerFromEnv(env, "YOUTUBE", YOUTUBE),
    },
  };
}

function providerFromEnv(
  env: Record<string, string | undefined>,
  prefix: string,
  defaults: ProviderSettings,
): ProviderSettings {
  const read = (name: string) => blank(env[`SPIRITSTREAM_${prefix}_${name}`]);
  const url = (name: string) => {
    const value = read(name);
    return value === null ? null : parse(`SPIRITSTREAM_${prefix}_${name}`, Endpoint, value);
  };
  const issuer = url("OAUTH_ISSUER");
  // An issuer replaces the built-in endpoints: what it does not name comes from its discovery.
  const base = issuer === null ? defaults : {
    ...defaults,
    authorizeUrl: null,
    tokenUrl: null,
    revokeUrl: null,
    userinfoUrl: null,
    userinfoStyle: "oidc" as const,
    extraParams: {},
  };
  const scopes = read("OAUTH_SCOPES");
  return {
    ...base,
    clientId: read("CLIENT_ID"),
    clientSecret: read("CLIENT_SECRET"),
    issuer,
    authorizeUrl: url("OAUTH_AUTHORIZE_URL") ?? base.authorizeUrl,
    tokenUrl: url("OAUTH_TOKEN_URL") ?? base.tokenUrl,
    revokeUrl: url("OAUTH_REVOKE_URL") ?? base.revokeUrl,
    userinfoUrl: url("OAUTH_USERINFO_URL") ?? base.userinfoUrl,
    scopes: scopes === null ? base.scopes : scopes.split(/\s+/),
  };
}

function blank(value: string | undefined): string | null {
  const trimmed = value?.trim() ?? "";
  return trimmed === "" ? null : trimmed;
}

function parse(name: string, schema: z.ZodType<string>, value: string): string {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new ConfigError(name, parsed.error.issues[0]?.message ?? "invalid");
}

/** The built-in settings (real Twitch and Google endpoints, no client). */
export function defaultOAuthConfig(): OAuthConfig {
  return oauthConfigFromEnv({});
}

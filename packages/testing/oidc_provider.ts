import Provider from "oidc-provider";
import type { AddressInfo } from "node:net";
import { freePort } from "./free_port.ts";

/** What the recording middleware reads of oidc-provider's Koa context (the package has no types). */
interface KoaContext {
  status: number;
  body?: unknown;
  oidc?: { route?: string; params?: unknown };
}

/** One answer of the token endpoint. */
export interface IssuedTokens {
  grant: string;
  accessToken: string;
  refreshToken: string | null;
}

/** A client the test provider knows. */
export interface OidcTestClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
}

/** A person who can sign in (any password; the login form takes the `id`). */
export interface OidcTestUser {
  id: string;
  username: string;
  name: string;
  /** Released with the `email` scope (in the id_token too), with `email_verified`. */
  email?: string;
  /** `email_verified` of the id_token. @default true when `email` is set */
  emailVerified?: boolean;
  /** Released as the `groups` claim with the `groups` scope. */
  groups?: string[];
}

/** What {@linkcode startOidcProvider} is started with. */
export interface OidcProviderOptions {
  clients: OidcTestClient[];
  users: OidcTestUser[];
  /** The port to listen on (when the issuer URL must be known before it starts). @default a free one */
  port?: number;
  /** Access token lifetime in seconds (change it later with `setAccessTokenTtl`). @default 3600 */
  accessTokenTtl?: number;
  /** Lifetime of access tokens a refresh issues, if other than `accessTokenTtl`. */
  refreshedAccessTokenTtl?: number;
}

/** A running OpenID Connect provider (npm `oidc-provider`) on a free loopback port. */
export interface OidcProvider {
  /** `http://127.0.0.1:<port>`: its discovery document is at `/.well-known/openid-configuration`. */
  issuer: string;
  /** Access tokens issued from now on (by any grant) live this many seconds. */
  setAccessTokenTtl(seconds: number): void;
  /** Every token presented to the revocation endpoint, in order. */
  revoked(): string[];
  /** Every grant the token endpoint answered (`authorization_code`, `refresh_token`). */
  grants(): string[];
  /** The tokens the token endpoint issued, in order (the last is the newest). */
  issued(): IssuedTokens[];
  /**
   * Signs `userId` in and consents for an authorization URL without a browser (the login and
   * consent forms posted as a browser would); resolves to the URL the provider redirects back
   * to (`<redirect_uri>?code=…&state=…`, or `?error=…`).
   */
  authorize(authUrl: string, userId: string): Promise<URL>;
  /** The userinfo endpoint's answer for an access token (status and body). */
  userinfo(accessToken: string): Promise<{ status: number; body: unknown }>;
  close(): Promise<void>;
}

/**
 * Starts a real OpenID Connect provider in this process: authorization code with PKCE required
 * (S256), client_secret_post clients, refresh tokens on every code grant and rotated on every
 * refresh, revocation (revoking a refresh token ends its grant), userinfo, and its development
 * login and consent pages (a browser signs in with a user's `id` and any password).
 */
export async function startOidcProvider(options: OidcProviderOptions): Promise<OidcProvider> {
  const port = options.port ?? freePort();
  const issuer = `http://127.0.0.1:${port}`;
  let accessTtl = options.accessTokenTtl ?? 3600;
  let refreshedTtl = options.refreshedAccessTokenTtl ?? null;
  const revoked: string[] = [];
  const issued: IssuedTokens[] = [];
  const users = new Map(options.users.map((user) => [user.id, user]));
  const provider = new Provider(issuer, {
    clients: options.clients.map((client) => ({
      client_id: client.clientId,
      client_secret: client.clientSecret,
      redirect_uris: client.redirectUris,
      grant_types: ["authorization_code", "refresh_token"],
      response_types: ["code"],
      token_endpoint_auth_method: "client_secret_post",
    })),
    pkce: { required: () => true },
    scopes: ["openid", "profile", "email", "groups", "offline_access"],
    claims: {
      openid: ["sub"],
      profile: ["name", "preferred_username"],
      email: ["email", "email_verified"],
      groups: ["groups"],
    },
    // Scope claims go in the id_token too (a relying party signing users in reads them there).
    conformIdTokenClaims: false,
    features: { devInteractions: { enabled: true }, revocation: { enabled: true } },
    // As Twitch does: every code grant gets a refresh token (no offline_access dance).
    issueRefreshToken: () => Promise.resolve(true),
    rotateRefreshToken: true,
    ttl: {
      AccessToken: (ctx: KoaContext) =>
        refreshedTtl !== null && paramsOf(ctx)?.grant_type === "refresh_token"
          ? refreshedTtl
          : accessTtl,
      AuthorizationCode: 60,
      Grant: 14 * 24 * 3600,
      Interaction: 600,
      Session: 3600,
      RefreshToken: 14 * 24 * 3600,
      IdToken: 3600,
    },
    cookies: { keys: [crypto.randomUUID()] },
    findAccount(_ctx: unknown, id: string) {
      const user = users.get(id);
      if (!user) return undefined;
      return {
        accountId: id,
        claims: () => ({
          sub: id,
          preferred_username: user.username,
          name: user.name,
          ...(user.email === undefined
            ? {}
            : { email: user.email, email_verified: user.emailVerified ?? true }),
          ...(user.groups === undefined ? {} : { groups: user.groups }),
        }),
      };
    },
  });
  provider.use(async (ctx: KoaContext, next: () => Promise<void>) => {
    await next();
    const route = ctx.oidc?.route;
    const params = paramsOf(ctx);
    if (route === "revocation" && typeof params?.token === "string") revoked.push(params.token);
    const body = ctx.body as { access_token?: string; refresh_token?: string } | undefined;
    if (route === "token" && ctx.status === 200 && typeof body?.access_token === "string") {
      issued.push({
        grant: String(params?.grant_type),
        accessToken: body.access_token,
        refreshToken: body.refresh_token ?? null,
      });
    }
  });
  const server = provider.listen(port, "127.0.0.1");
  await new Promise<void>((resolve, reject) => {
    if (server.listening) return resolve();
    server.once("listening", () => resolve());
    server.once("error", reject);
  });
  const bound = (server.address() as AddressInfo).port;
  const me = `${issuer}/me`;
  return {
    issuer: bound === port ? issuer : `http://127.0.0.1:${bound}`,
    setAccessTokenTtl(seconds) {
      accessTtl = seconds;
      refreshedTtl = null;
    },
    revoked: () => [...revoked],
    authorize: (authUrl, userId) => authorizeWithoutBrowser(issuer, authUrl, userId),
    grants: () => issued.map((tokens) => tokens.grant),
    issued: () => [...issued],
    async userinfo(accessToken) {
      const res = await fetch(me, { headers: { authorization: `Bearer ${accessToken}` } });
      const text = await res.text();
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      return { status: res.status, body };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function paramsOf(ctx: KoaContext): Record<string, unknown> | undefined {
  return ctx.oidc?.params as Record<string, unknown> | undefined;
}

/** Follows the provider's redirects and posts its dev login and consent forms, with cookies. */
async function authorizeWithoutBrowser(
  issuer: string,
  authUrl: string,
  userId: string,
): Promise<URL> {
  const cookies = new Map<string, string>();
  let next = new URL(authUrl);
  let form: Record<string, string> | null = null;
  for (let step = 0; step < 20; step++) {
    if (!next.href.startsWith(`${issuer}/`)) return next;
    const res: Response = await fetch(next, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        cookie: [...cookies].map(([name, value]) => `${name}=${value}`).join("; "),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const cut = pair.indexOf("=");
      cookies.set(pair.slice(0, cut).trim(), pair.slice(cut + 1).trim());
    }
    const location = res.headers.get("location");
    const html: string = await res.text();
    form = null;
    if (location) {
      next = new URL(location, next);
      continue;
    }
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    const prompt = /name="prompt" value="(\w+)"/.exec(html)?.[1];
    if (!action || !prompt) throw new Error(`The provider answered ${res.status} without a form`);
    next = new URL(action.replaceAll("&amp;", "&"), next);
    form = prompt === "login" ? { prompt, login: userId, password: "any" } : { prompt };
  }
  throw new Error("The provider kept redirecting");
}

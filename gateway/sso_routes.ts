import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { authSubject, LoginReply, SsoDiscovery, SsoStartReply } from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import type { GatewayEnv } from "./app.ts";
import { SESSION_COOKIE } from "./auth_routes.ts";

/** Binds a begun sign-in to the browser that began it (no login CSRF with a foreign state). */
export const SSO_STATE_COOKIE = "spiritstream_sso";
const STATE_MAX_AGE_SECS = 600;
const TIMEOUT_MS = 20_000;

/** What {@linkcode mountSso} needs. */
export interface MountSsoOptions {
  bus: Bus;
  trustProxy: boolean;
  secureCookies: boolean;
}

/**
 * Sign-in with a tenant's OpenID Connect provider (users mode): `GET /auth/sso/discover`
 * (whether a tenant, by `tenant` slug or `email` domain, has one), `GET /auth/sso/start?tenant=`
 * (to the provider, with a state cookie), `GET /auth/sso/callback` (back from it: the session
 * cookie, then the dashboard). The provider must know `<origin>/auth/sso/callback`.
 */
export function mountSso(app: Hono<GatewayEnv>, options: MountSsoOptions): void {
  const { bus } = options;
  const call = (rpc: "sso_discover" | "sso_start" | "sso_callback", body: unknown) =>
    bus.request(authSubject(rpc), body, { timeoutMs: TIMEOUT_MS });

  app.get("/auth/sso/discover", async (c) => {
    const tenant = c.req.query("tenant")?.slice(0, 64);
    const email = c.req.query("email")?.slice(0, 320);
    if (!tenant && !email) return c.json(null);
    const reply = await call("sso_discover", { tenant, email });
    return c.json(reply === null ? null : SsoDiscovery.parse(reply));
  });

  app.get("/auth/sso/start", async (c) => {
    const tenant = c.req.query("tenant");
    if (!tenant || tenant.length > 64) {
      return failurePage(c, 'Invalid argument "tenant": the tenant\'s slug is required');
    }
    const reply = SsoStartReply.parse(
      await call("sso_start", { tenant, redirectUri: callbackUrl(c, options.trustProxy) }),
    );
    if (!reply.ok) return failurePage(c, reply.error);
    setCookie(c, SSO_STATE_COOKIE, reply.state, {
      httpOnly: true,
      // The provider's redirect back is a cross-site top-level GET: Strict would not send it.
      sameSite: "Lax",
      path: "/auth/sso",
      maxAge: STATE_MAX_AGE_SECS,
      secure: secure(c, options),
    });
    return c.redirect(reply.url, 302);
  });

  app.get("/auth/sso/callback", async (c) => {
    const state = c.req.query("state") ?? "";
    const code = c.req.query("code") ?? "";
    const bound = getCookie(c, SSO_STATE_COOKIE);
    deleteCookie(c, SSO_STATE_COOKIE, { path: "/auth/sso" });
    const providerError = c.req.query("error");
    if (providerError) {
      // Only a well-formed error code: the query is anyone's to write, the page is ours.
      const code = /^[a-z_]{1,64}$/.test(providerError) ? providerError : "unknown error";
      return failurePage(c, `The identity provider refused the sign-in (${code})`);
    }
    if (state === "" || code === "" || state.length > 512 || code.length > 4096) {
      return failurePage(c, 'Invalid callback: "state" and "code" are required');
    }
    if (bound !== state) {
      return failurePage(c, "This sign-in was not started in this browser: start it again");
    }
    const reply = LoginReply.parse(
      await call("sso_callback", { state, code, client: c.get("client") }),
    );
    if (!reply.ok) return failurePage(c, reply.error);
    setCookie(c, SESSION_COOKIE, reply.sessionId, {
      httpOnly: true,
      sameSite: "Strict",
      path: "/",
      maxAge: reply.maxAgeSecs,
      secure: secure(c, options),
    });
    return c.redirect("/", 302);
  });
}

/** `<scheme>://<host>/auth/sso/callback` as the browser reached this gateway. */
function callbackUrl(c: Context<GatewayEnv>, trustProxy: boolean): string {
  const url = new URL(c.req.url);
  const forwardedHost = trustProxy ? c.req.header("x-forwarded-host")?.split(",")[0]?.trim() : "";
  const host = forwardedHost || c.req.header("host") || url.host;
  const https = url.protocol === "https:" ||
    (trustProxy && c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https");
  return `${https ? "https" : "http"}://${host}/auth/sso/callback`;
}

function secure(c: Context<GatewayEnv>, options: MountSsoOptions): boolean {
  return options.secureCookies || callbackUrl(c, options.trustProxy).startsWith("https:");
}

/** A plain page (the browser arrived by navigation, not from the dashboard's code). */
function failurePage(c: Context<GatewayEnv>, message: string): Response {
  return c.html(
    `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Sign-in failed</title></head>` +
      `<body><main><h1>Sign-in failed</h1><p id="sso-error">${escapeHtml(message)}</p>` +
      `<p><a href="/">Back to sign-in</a></p></main></body></html>`,
    400,
  );
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

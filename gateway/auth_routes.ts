import type { Context, Hono } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import {
  type AuthRefusal,
  errorEnvelope,
  type LoginReply,
  type TokenReply,
} from "@spiritstream/contracts";
import type { Authenticator } from "./auth.ts";
import type { GatewayEnv } from "./app.ts";
import { createRateLimiter } from "./rate_limit.ts";

/** The session cookie SpiritStream's UI relies on (§3.1). */
export const SESSION_COOKIE = "spiritstream_session";

/** What {@linkcode mountAuth} needs. */
export interface MountAuthOptions {
  auth: Authenticator;
  /** Requests per minute per client on `/auth/*`. */
  authRateLimitPerMinute: number;
  trustProxy: boolean;
  secureCookies: boolean;
}

/**
 * Adds the auth layers and routes: a stricter per-client limit on `/auth/*`, authentication
 * (401 on protected routes), and `/auth/login`, `/auth/logout`, `/auth/check`, `/auth/setup`,
 * `/auth/token`, `/auth/refresh`. The Host and cross-site checks run earlier (`guardRequests`).
 */
export function mountAuth(app: Hono<GatewayEnv>, options: MountAuthOptions): void {
  const { auth } = options;
  const limiter = createRateLimiter({ limit: options.authRateLimitPerMinute });

  app.use("/auth/*", async (c, next) => {
    const wait = limiter.take(c.get("rateKey"));
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      return c.json(errorEnvelope("Rate limit exceeded. Please try again later."), 429);
    }
    await next();
    c.header("Cache-Control", "no-store");
  });

  app.use(async (c, next) => {
    const path = c.req.path;
    const cookie = getCookie(c, SESSION_COOKIE);
    const needsAuth = path.startsWith("/api/invoke/") || path === "/ws" || path === "/api/lan" ||
      path.startsWith("/api/files/") || path.startsWith("/api/recordings/");
    if (!needsAuth && path !== "/auth/check") return await next();
    const credentials = {
      sessionId: cookie,
      bearer: bearerToken(c.req.header("authorization")),
      queryToken: path === "/ws" ? c.req.query("token") : undefined,
    };
    const principal = await auth.authenticate(credentials);
    if (principal) {
      c.set("principal", principal);
      c.set("credentials", credentials);
    } else if (needsAuth) return c.json(errorEnvelope("Authentication required"), 401);
    await next();
  });

  app.post("/auth/login", async (c) => {
    const body = await readBody(c);
    if (!body.ok) return c.json({ ok: false, error: body.error }, 400);
    if (!auth.required) return c.json({ ok: true });
    return loginResponse(c, await auth.login(body.value, c.get("client")), options);
  });
  app.post("/auth/setup", async (c) => {
    const body = await readBody(c);
    if (!body.ok) return c.json({ ok: false, error: body.error }, 400);
    return loginResponse(c, await auth.setup(body.value, c.get("client")), options);
  });
  app.post("/auth/invite", async (c) => {
    const body = await readBody(c);
    if (!body.ok) return c.json({ ok: false, error: body.error }, 400);
    return loginResponse(c, await auth.acceptInvite(body.value, c.get("client")), options);
  });
  app.post("/auth/token", async (c) => {
    const body = await readBody(c);
    if (!body.ok) return c.json({ ok: false, error: body.error }, 400);
    return tokenResponse(c, await auth.token(body.value, c.get("client")));
  });
  app.post("/auth/refresh", async (c) => {
    const body = await readBody(c);
    if (!body.ok) return c.json({ ok: false, error: body.error }, 400);
    return tokenResponse(c, await auth.refresh(body.value, c.get("client")));
  });
  app.post("/auth/logout", async (c) => {
    const sessionId = getCookie(c, SESSION_COOKIE);
    if (sessionId && auth.required) await auth.logout(sessionId, c.get("client"));
    deleteCookie(c, SESSION_COOKIE, { path: "/" });
    return c.json({ ok: true });
  });
  app.get("/auth/check", async (c) => {
    const authenticated = !auth.required || c.get("principal") !== undefined;
    // Only asked while signed out in users mode; an auth service that cannot answer says no.
    const setupPending = !authenticated && auth.mode === "users" &&
      await auth.setupPending().catch(() => false);
    return c.json({
      authenticated,
      required: auth.required,
      mode: auth.mode,
      ...(auth.mode === "users" ? { setupPending } : {}),
    });
  });
}

function loginResponse(
  c: Context<GatewayEnv>,
  reply: LoginReply,
  options: MountAuthOptions,
): Response {
  if (!reply.ok) return refusalResponse(c, reply, { status: 200 });
  setCookie(c, SESSION_COOKIE, reply.sessionId, {
    httpOnly: true,
    sameSite: "Strict",
    path: "/",
    maxAge: reply.maxAgeSecs,
    secure: options.secureCookies || isHttps(c, options.trustProxy),
  });
  return c.json({ ok: true });
}

function tokenResponse(c: Context<GatewayEnv>, reply: TokenReply): Response {
  if (!reply.ok) return refusalResponse(c, reply, { status: 401 });
  return c.json(reply);
}

/** Wrong credentials keep SpiritStream's `200 {ok:false}` on login; locked clients get 429. */
function refusalResponse(
  c: Context<GatewayEnv>,
  refusal: AuthRefusal,
  options: { status: 200 | 401 },
): Response {
  if (refusal.locked) {
    c.header("Retry-After", String(Math.max(1, Math.ceil(refusal.retryAfterMs / 1000))));
    return c.json({ ok: false, error: refusal.error }, 429);
  }
  return c.json({ ok: false, error: refusal.error }, refusal.invalid ? 400 : options.status);
}

type Body = { ok: true; value: unknown } | { ok: false; error: string };

async function readBody(c: Context<GatewayEnv>): Promise<Body> {
  const text = await c.req.text();
  try {
    const value = JSON.parse(text);
    if (typeof value === "object" && value !== null && !Array.isArray(value)) {
      return { ok: true, value };
    }
  } catch {
    return { ok: false, error: "Invalid payload: the request body is not valid JSON" };
  }
  return { ok: false, error: "Invalid payload: the request body must be a JSON object" };
}

function bearerToken(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(.+)$/i);
  return match?.[1]?.trim();
}

function isHttps(c: Context<GatewayEnv>, trustProxy: boolean): boolean {
  if (c.req.url.startsWith("https:")) return true;
  return trustProxy && c.req.header("x-forwarded-proto")?.split(",")[0]?.trim() === "https";
}

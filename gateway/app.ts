import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { getConnInfo } from "hono/deno";
import { requestId } from "hono/request-id";
import {
  AppError,
  type AuditRecord,
  buildOpenApi,
  type CommandDef,
  errorEnvelope,
  healthSubject,
  ServiceName,
} from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import type { Logger } from "@spiritstream/kit";
import type { Authenticator, Credentials, Principal } from "./auth.ts";
import { mountAuth } from "./auth_routes.ts";
import { createOriginMatcher } from "./cors.ts";
import { invokeCommand } from "./invoke.ts";
import type { GatewayMetrics } from "./metrics.ts";
import { createRateLimiter } from "./rate_limit.ts";
import { guardRequests } from "./request_guard.ts";
import { mountSso } from "./sso_routes.ts";
import { serveUi } from "./static_ui.ts";
import { addRecordingsRoute } from "./recordings_route.ts";
import { addFilesRoutes } from "./files_routes.ts";
import type { WsHub } from "./ws_hub.ts";
import { handleWsUpgrade } from "./ws_route.ts";

/** Settings the gateway needs from the process config. */
export interface GatewaySettings {
  /** The dashboard's addresses for other devices on the network (`GET /api/lan`). */
  lanUrls?: () => string[];
  corsOrigins: string[];
  /** Host names an open host answers besides loopback ones. @default [] */
  allowedHosts?: string[];
  rateLimitPerMinute: number;
  bodyLimitBytes: number;
  requestTimeoutMs: number;
  trustProxy: boolean;
  uiDir: string | null;
  /** `uiDir` holds another UI than our dashboard (SpiritStream's own): no CSP of ours on it. */
  uiForeign?: boolean;
  /** Set the cookie's `Secure` flag (behind HTTPS). */
  secureCookies?: boolean;
  /** Requests per minute per client on `/auth/*` (stricter than the global limit). @default 30 */
  authRateLimitPerMinute?: number;
}

/** What the gateway is built from; `main` constructs each piece. */
export interface GatewayDeps {
  bus: Bus;
  logger: Logger;
  metrics: GatewayMetrics;
  auth: Authenticator;
  hub: WsHub;
  catalogue: Record<string, CommandDef>;
  settings: GatewaySettings;
}

/** Context variables set by the gateway's middleware. */
export type GatewayEnv = {
  Variables: {
    requestId: string;
    principal: Principal;
    client: string;
    /** The rate-limit bucket: the client, or the client's cross-site requests (own budget). */
    rateKey: string;
    /** What the principal was resolved from (kept by `/ws`, whose socket outlives the request). */
    credentials: Credentials;
    /** A file of a foreign UI (`SPIRITSTREAM_UI_DIR`) is answered: no CSP header from us. */
    foreignUi: boolean;
  };
};

/** Builds the Hono app: invoke, ws, auth, health, ready, metrics, OpenAPI and the dashboard. */
export function createGateway(deps: GatewayDeps): Hono<GatewayEnv> {
  const { bus, logger, metrics, auth, hub, catalogue, settings } = deps;
  const app = new Hono<GatewayEnv>();
  const limiter = createRateLimiter({ limit: settings.rateLimitPerMinute });
  const originAllowed = createOriginMatcher(settings.corsOrigins);
  const openapi = buildOpenApi();

  app.use(requestId({ headerName: "X-Request-Id" }));
  app.use(async (c, next) => {
    c.set("client", clientAddress(c, settings.trustProxy));
    await next();
    c.header("X-Content-Type-Options", "nosniff");
    c.header("Referrer-Policy", "no-referrer");
    // Our strict policy is for our dashboard; a foreign UI keeps its own (a <meta> CSP), or
    // its inline scripts (SpiritStream's theme script) would be blocked.
    if (!c.res.headers.has("Content-Security-Policy") && !c.get("foreignUi")) {
      c.header(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
      );
    }
    c.header("X-Frame-Options", "DENY");
    c.header("Cross-Origin-Opener-Policy", "same-origin");
    metrics.httpRequests.inc({ route: routeLabel(c.req.path), status: String(c.res.status) });
  });
  app.use(cors({
    origin: (origin) => originAllowed(origin) ? origin : null,
    credentials: true,
    allowMethods: ["GET", "POST", "OPTIONS"],
    allowHeaders: ["content-type", "cookie", "authorization"],
  }));
  // Before the limiter: refused requests (bad Host, cross-site writes) cost no budget.
  app.use(guardRequests({
    authRequired: auth.required,
    allowedHosts: settings.allowedHosts ?? [],
    originAllowed,
    trustProxy: settings.trustProxy,
  }));
  app.use(async (c, next) => {
    if (c.req.path === "/health") return await next();
    const wait = limiter.take(c.get("rateKey"));
    if (wait > 0) {
      c.header("Retry-After", String(wait));
      return c.json(errorEnvelope("Rate limit exceeded. Please try again later."), 429);
    }
    await next();
  });
  app.use(bodyLimit({
    maxSize: settings.bodyLimitBytes,
    onError: (c) =>
      c.json(
        errorEnvelope(`Request body too large: the limit is ${settings.bodyLimitBytes} bytes`),
        413,
      ),
  }));
  // Auth layers (stricter /auth/* limit, 401s) and the /auth/* routes.
  mountAuth(app, {
    auth,
    authRateLimitPerMinute: settings.authRateLimitPerMinute ?? 30,
    trustProxy: settings.trustProxy,
    secureCookies: settings.secureCookies ?? false,
  });
  if (auth.mode === "users") {
    mountSso(app, {
      bus,
      trustProxy: settings.trustProxy,
      secureCookies: settings.secureCookies ?? false,
    });
  }

  app.onError((error, c) => {
    if (error instanceof AppError) {
      return c.json(errorEnvelope(error.message), error.status as 400);
    }
    logger.error({ err: error, requestId: c.get("requestId") }, "Unhandled error");
    return c.json(errorEnvelope("Internal error"), 500);
  });
  app.notFound((c) =>
    c.json(errorEnvelope(`Not found: ${c.req.method} ${c.req.path.slice(0, 100)}`), 404)
  );

  app.get("/health", (c) => c.json({ ok: true }));
  app.get("/ready", async (c) => {
    const report = await readiness(bus);
    return c.json(report, report.ready ? 200 : 503);
  });
  app.get("/metrics", async (c) => {
    c.header("Content-Type", metrics.registry.contentType);
    return c.body(await metrics.registry.metrics());
  });
  app.get("/api/openapi.json", (c) => c.json(openapi));
  // Where phones on the network open this dashboard (remote access); authenticated above.
  app.get("/api/lan", (c) => c.json({ urls: settings.lanUrls?.() ?? [] }));

  const invokeDeps = {
    bus,
    logger,
    metrics,
    catalogue,
    timeoutMs: settings.requestTimeoutMs,
    audit: (record: AuditRecord) => auth.audit(record),
  };
  app.post("/api/invoke/:command", (c) => invokeCommand(c, invokeDeps));
  addFilesRoutes(app, invokeDeps);
  addRecordingsRoute(app, invokeDeps);

  app.get("/ws", (c) => handleWsUpgrade(c, { hub, auth }));

  if (settings.uiDir) serveUi(app, settings.uiDir, { foreign: settings.uiForeign });
  return app;
}

async function readiness(bus: Bus) {
  const failed: string[] = [];
  const errors: { check: string; error: string }[] = [];
  if (bus.status() !== "connected") {
    failed.push("bus");
    errors.push({ check: "bus", error: `Message bus is ${bus.status()}` });
  } else {
    await Promise.all(ServiceName.options.map(async (service) => {
      try {
        const report = await bus.request(healthSubject(service), {}, { timeoutMs: 2_000 }) as {
          checks: { name: string; ok: boolean; error?: string }[];
        };
        for (const check of report.checks) {
          if (check.ok) continue;
          failed.push(`${service}.${check.name}`);
          errors.push({ check: `${service}.${check.name}`, error: check.error ?? "failed" });
        }
      } catch (error) {
        failed.push(service);
        errors.push({
          check: service,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }));
  }
  return failed.length ? { ready: false, failed: failed.sort(), errors } : { ready: true };
}

function clientAddress(c: Parameters<typeof getConnInfo>[0], trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header("x-forwarded-for")?.split(",")[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? "unknown";
  } catch {
    // app.request() in tests has no connection
    return "local";
  }
}

const AUTH_ROUTES = new Set([
  "/auth/login",
  "/auth/logout",
  "/auth/check",
  "/auth/setup",
  "/auth/invite",
  "/auth/token",
  "/auth/refresh",
  "/auth/sso/discover",
  "/auth/sso/start",
  "/auth/sso/callback",
]);

function routeLabel(path: string): string {
  if (path.startsWith("/api/invoke/")) return "/api/invoke/:command";
  if (path.startsWith("/assets/")) return "/assets/*";
  if (path.startsWith("/auth/")) return AUTH_ROUTES.has(path) ? path : "/auth/*";
  return ["/health", "/ready", "/metrics", "/ws", "/api/openapi.json"].includes(path)
    ? path
    : "other";
}

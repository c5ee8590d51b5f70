import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "@spiritstream/contracts";
import { hostnameOf, isLoopbackHost } from "@spiritstream/kit";
import type { GatewayEnv } from "./app.ts";

/** What {@linkcode guardRequests} needs. */
export interface RequestGuardOptions {
  /** False on an open host (no token, no users): then only loopback and listed names answer. */
  authRequired: boolean;
  /** Host names an open host answers besides loopback ones (SPIRITSTREAM_ALLOWED_HOSTS). */
  allowedHosts: readonly string[];
  /** Whether a browser origin may call us with credentials (the CORS list). */
  originAllowed(origin: string): boolean;
  trustProxy: boolean;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);
/** Liveness and readiness stay answerable under any host name (probes use the pod address). */
const PROBES = new Set(["/health", "/ready", "/metrics"]);
/** Sent by browsers on requests another site's page made (no-cors images and links too). */
const FOREIGN_FETCH_SITES = new Set(["cross-site", "same-site"]);

/**
 * Refuses what another site's page may not do, before anything is charged to the rate limit:
 * a `Host` an open host does not answer (DNS rebinding) and cross-site writes or `/ws`.
 * Safe cross-site requests go on, and `rateKey` gives them a budget of their own, so a foreign
 * page that floods us cannot spend the dashboard's.
 */
export function guardRequests(options: RequestGuardOptions): MiddlewareHandler<GatewayEnv> {
  const allowed = new Set(options.allowedHosts);
  const hostAllowed = (host: string | null) =>
    options.authRequired || (host !== null && (isLoopbackHost(host) || allowed.has(host)));
  return async function guard(c, next) {
    const path = c.req.path;
    // DNS rebinding: a web page whose name resolves to 127.0.0.1 must not drive an open host.
    if (!PROBES.has(path) && !hostAllowed(hostnameOf(requestHost(c)))) {
      throw new AppError(
        "permission_denied",
        "Host not allowed: a host without a token answers loopback names and SPIRITSTREAM_ALLOWED_HOSTS only (or set SPIRITSTREAM_API_TOKEN)",
      );
    }
    const origin = c.req.header("origin");
    const foreign = origin === undefined
      ? FOREIGN_FETCH_SITES.has(c.req.header("sec-fetch-site") ?? "")
      : !(sameOrigin(c, origin, options.trustProxy) && hostAllowed(originHostname(origin))) &&
        !options.originAllowed(origin);
    // Ambient credentials (the cookie, or none at all on an open host) ride along with
    // cross-site requests: SameSite=Strict stops most, this the rest (including a WebSocket
    // opened from another origin). A Bearer header cannot be sent cross-site without CORS.
    const stateChanging = !SAFE_METHODS.has(c.req.method) || path === "/ws";
    if (
      foreign && origin !== undefined && stateChanging &&
      c.req.header("authorization") === undefined
    ) {
      throw new AppError(
        "permission_denied",
        `Cross-site request refused: origin ${printable(origin)} is not allowed`,
      );
    }
    c.set("rateKey", foreign ? `${c.get("client")} cross-site` : c.get("client"));
    await next();
  };
}

function requestHost(c: Context<GatewayEnv>): string {
  return c.req.header("host") ?? new URL(c.req.url).host;
}

function sameOrigin(c: Context<GatewayEnv>, origin: string, trustProxy: boolean): boolean {
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return false;
  }
  const hosts = [new URL(c.req.url).host, c.req.header("host")];
  if (trustProxy) hosts.push(c.req.header("x-forwarded-host")?.split(",")[0]?.trim());
  return hosts.some((host) =>
    host !== undefined && host.toLowerCase() === originHost.toLowerCase()
  );
}

function originHostname(origin: string): string | null {
  try {
    return hostnameOf(new URL(origin).host);
  } catch {
    return null;
  }
}

function printable(text: string): string {
  return JSON.stringify(text.replace(/[^\x20-\x7e]/g, "?").slice(0, 100));
}

import type { Bus } from "@spiritstream/bus";
import type { Db } from "@spiritstream/store";
import { type HttpServer, serveHttp } from "./serve_http.ts";

/** Prometheus text (exposition format 0.0.4) a service contributes to its probe server's `/metrics`. */
export type MetricsSource = () => string | Promise<string>;

/** Fields a service adds to its `/ready` answer (what it runs right now), read at each probe. */
export type ReadyDetails = () => Record<string, unknown>;

/** Options for {@linkcode serveProbes}. */
export interface ServeProbesOptions {
  hostname: string;
  port: number;
  bus: Bus;
  /** The stores this process opened; all must answer for `/ready`. */
  dbs: readonly Db[];
  /** Whether the process has finished starting (its commands are subscribed). */
  started: () => boolean;
  /** What `/metrics` serves, joined in order (services add theirs once they run). */
  metrics?: readonly MetricsSource[];
  /** Merged into the `/ready` JSON beside `ready` (and `failed`). */
  details?: readonly ReadyDetails[];
}

/**
 * Serves `/health` (the process answers) and `/ready` (started, bus connected, every store answers) for a
 * service run alone, so compose health checks and Kubernetes probes reach this very process
 * (a health request over the bus would be answered by any replica), and `/metrics`: what the
 * service added, scraped from this very process too (a per-worker autoscaling signal).
 */
export function serveProbes(options: ServeProbesOptions): Promise<HttpServer> {
  const { hostname, port, bus, dbs, started, metrics = [], details = [] } = options;
  // The same deadlines as the gateway: a probe port must not be held by slow sockets either.
  return serveHttp(async (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/health") return Response.json({ ok: true });
    if (path === "/metrics") return await metricsResponse(metrics);
    if (path !== "/ready") return Response.json({ error: "Not found" }, { status: 404 });
    const failed: string[] = [];
    if (!started()) failed.push("starting");
    if (bus.status() !== "connected") failed.push("bus");
    const pings = await Promise.allSettled(dbs.map((db) => db.ping()));
    if (pings.some((ping) => ping.status === "rejected")) failed.push("store");
    const extra = Object.assign({}, ...details.map((detail) => detail()));
    return failed.length
      ? Response.json({ ...extra, ready: false, failed }, { status: 503 })
      : Response.json({ ...extra, ready: true });
  }, { hostname, port });
}

async function metricsResponse(sources: readonly MetricsSource[]): Promise<Response> {
  const parts = await Promise.all(sources.map((source) => source()));
  const text = parts.map((part) => part.endsWith("\n") || !part ? part : `${part}\n`).join("");
  return new Response(text, {
    headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
  });
}

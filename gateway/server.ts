import { COMMANDS } from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import { type HttpLimits, serveHttp } from "@spiritstream/host";
import type { Config, Logger } from "@spiritstream/kit";
import { createGateway } from "./app.ts";
import type { Authenticator } from "./auth.ts";
import { createBusAuthenticator } from "./bus_authenticator.ts";
import { lanUrls } from "./lan_urls.ts";
import { createMetrics } from "./metrics.ts";
import { isOurDashboard } from "./static_ui.ts";
import { createWsHub, type WsHubOptions } from "./ws_hub.ts";

/** Options for {@linkcode startGateway}. */
export interface StartGatewayOptions {
  bus: Bus;
  logger: Logger;
  config: Config;
  /** Default: the bus authenticator for the configured mode (the auth service decides). */
  auth?: Authenticator;
  onListen?: (addr: Deno.NetAddr) => void;
  /** `/ws` fan-out limits (tests and benchmarks); defaults suit dashboards. */
  hub?: Omit<WsHubOptions, "logger" | "onCountChange" | "onFrame">;
  /** Header, request and keep-alive deadlines and the connection cap; defaults suit browsers. */
  limits?: Partial<HttpLimits>;
}

/** A listening gateway. */
export interface RunningGateway {
  addr: Deno.NetAddr;
  close(): Promise<void>;
}

/** Builds the gateway and listens on the configured host and port. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const { bus, logger, config } = options;
  const log = logger.child({ service: "gateway" });
  const metrics = createMetrics();
  const hub = createWsHub(bus, {
    ...options.hub,
    logger: log,
    onCountChange: (n) => metrics.wsClients.set(n),
    onFrame: () => metrics.wsFramesSent.inc(),
    onEvent: (tenantId, event, payload, time) =>
      metrics.streams.apply(tenantId, event, payload, time),
  });
  await hub.ready;
  const auth = options.auth ?? createBusAuthenticator(bus, {
    mode: config.authMode,
    required: config.authMode === "users" || config.apiToken !== null,
    logger: log,
  });
  await auth.ready;
  let bound: Deno.NetAddr | null = null;
  const uiDir = config.uiEnabled ? existingDir(config.uiDir) : null;
  const uiForeign = uiDir !== null && !(await isOurDashboard(uiDir));
  if (uiForeign) log.info({ uiDir }, "Serving a UI that is not our dashboard, without our CSP");
  const app = createGateway({
    bus,
    logger: log,
    metrics,
    hub,
    auth,
    catalogue: COMMANDS,
    settings: {
      corsOrigins: config.corsOrigins,
      allowedHosts: config.allowedHosts,
      rateLimitPerMinute: config.rateLimitPerMinute,
      bodyLimitBytes: config.bodyLimitBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      trustProxy: config.trustProxy,
      uiDir,
      uiForeign,
      lanUrls: () => bound ? lanUrls(config.host, bound.port, Deno.networkInterfaces()) : [],
    },
  });
  // node:http, not Deno.serve: it has header and request deadlines (slow clients).
  const server = await serveHttp(app.fetch, {
    hostname: config.host,
    port: config.port,
    limits: options.limits,
  });
  const addr = server.addr;
  bound = addr;
  options.onListen?.(addr);
  return {
    addr,
    async close() {
      await hub.close();
      await server.shutdown();
      if (!options.auth) await auth.close();
    },
  };
}

function existingDir(path: string | null): string | null {
  if (!path) return null;
  try {
    return Deno.statSync(path).isDirectory ? path : null;
  } catch {
    return null;
  }
}

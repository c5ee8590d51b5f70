import { COMMANDS } from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import type { Config, Logger } from "@spiritstream/kit";
import { createGateway } from "./app.ts";
import { type Authenticator, createTokenAuthenticator } from "./auth.ts";
import { createMetrics } from "./metrics.ts";
import { createWsHub } from "./ws_hub.ts";

/** Options for {@linkcode startGateway}. */
export interface StartGatewayOptions {
  bus: Bus;
  logger: Logger;
  config: Config;
  auth?: Authenticator;
  onListen?: (addr: Deno.NetAddr) => void;
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
    logger: log,
    onCountChange: (n) => metrics.wsClients.set(n),
    onFrame: () => metrics.wsFramesSent.inc(),
  });
  await hub.ready;
  const app = createGateway({
    bus,
    logger: log,
    metrics,
    hub,
    auth: options.auth ?? createTokenAuthenticator(config.apiToken),
    catalogue: COMMANDS,
    settings: {
      corsOrigins: config.corsOrigins,
      rateLimitPerMinute: config.rateLimitPerMinute,
      bodyLimitBytes: config.bodyLimitBytes,
      requestTimeoutMs: config.requestTimeoutMs,
      trustProxy: config.trustProxy,
      uiDir: config.uiEnabled ? existingDir(config.uiDir) : null,
    },
  });
  const { promise: listening, resolve } = Promise.withResolvers<Deno.NetAddr>();
  const server = Deno.serve({
    hostname: config.host,
    port: config.port,
    onListen: (addr) => resolve(addr as Deno.NetAddr),
  }, app.fetch);
  const addr = await listening;
  options.onListen?.(addr);
  return {
    addr,
    async close() {
      await hub.close();
      await server.shutdown();
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

/**
 * What the in-process test stacks (`tenant_stack.ts`, `multi_tenant_stack.ts`) are made of: a
 * stop list run in reverse, bus connections to a real nats-server, a users-mode gateway app and
 * the HTTP client tests drive it with.
 * @module
 */
import { COMMANDS } from "@spiritstream/contracts";
import type { Bus } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import { createLogger, type Logger } from "@spiritstream/kit";
import type { NatsServer } from "@spiritstream/testing";
import {
  createBusAuthenticator,
  createGateway,
  createMetrics,
  createWsHub,
} from "@spiritstream/gateway";

/** The envelope of one `/api/invoke` answer. */
export interface Invoked {
  status: number;
  ok: boolean;
  data: unknown;
  error: string | null;
}

/** One gateway's HTTP surface. */
export interface GatewayClient {
  /** `POST path` with a JSON body; answers status, JSON body and the session cookie if set. */
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown>; cookie: string | null }>;
  invoke(command: string, body: unknown, headers: Record<string, string>): Promise<Invoked>;
  /** A GET through the gateway's app. */
  get(path: string, headers: Record<string, string>): Promise<Response>;
}

/** Clean-ups, run last-in first-out; one failing does not keep the others from running. */
export class Stops {
  #stops: (() => Promise<unknown>)[] = [];

  push(stop: () => Promise<unknown>): void {
    this.#stops.push(stop);
  }

  async run(): Promise<void> {
    for (const next of this.#stops.splice(0).reverse()) await next().catch(() => {});
  }
}

/** A debug logger writing JSON lines into `logs`. */
export function captureLogs(): { logger: Logger; logs: string[] } {
  const logs: string[] = [];
  const logger = createLogger({
    level: "debug",
    destination: { write: (line) => void logs.push(line) },
  });
  return { logger, logs };
}

/** A bus connection of its own to `nats`, closed with `stops`. */
export async function connectBus(nats: NatsServer, name: string, stops: Stops): Promise<Bus> {
  const bus = await createNatsBus({ servers: nats.url, name });
  stops.push(() => bus.close());
  return bus;
}

/** A users-mode gateway app on `bus` (no UI, limits out of the tests' way) and its client. */
export async function startGateway(
  bus: Bus,
  logger: Logger,
  stops: Stops,
  options: { requestTimeoutMs: number },
): Promise<GatewayClient> {
  const hub = createWsHub(bus, { logger });
  await hub.ready;
  stops.push(() => hub.close());
  const auth = createBusAuthenticator(bus, { mode: "users", required: true, logger });
  await auth.ready;
  stops.push(() => auth.close());
  const app = createGateway({
    bus,
    logger,
    metrics: createMetrics(),
    hub,
    auth,
    catalogue: COMMANDS,
    settings: {
      corsOrigins: ["http://127.0.0.1:*"],
      rateLimitPerMinute: 100_000,
      authRateLimitPerMinute: 100_000,
      bodyLimitBytes: 64 * 1024,
      requestTimeoutMs: options.requestTimeoutMs,
      trustProxy: false,
      uiDir: null,
    },
  });
  const client: GatewayClient = {
    async post(path, body, headers = {}) {
      const res = await app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
      const cookie = res.headers.get("set-cookie")?.split(";")[0] ?? null;
      return { status: res.status, body: await res.json(), cookie };
    },
    async invoke(command, body, headers) {
      const { status, body: envelope } = await client.post(`/api/invoke/${command}`, body, headers);
      return {
        status,
        ok: envelope.ok === true,
        data: envelope.data ?? null,
        error: typeof envelope.error === "string" ? envelope.error : null,
      };
    },
    get: (path, headers) => Promise.resolve(app.request(path, { headers })),
  };
  return client;
}

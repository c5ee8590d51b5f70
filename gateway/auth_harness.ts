/**
 * Test harness for the gateway's auth tests: a gateway over the in-process bus with the real
 * auth and profiles services (SQLite in a temp dir), in token or users mode.
 * @module
 */
import assert from "node:assert/strict";
import { COMMANDS, type RequestMeta, type Role, type User } from "@spiritstream/contracts";
import { type Bus, callCommand, createMemoryBus, type HostedService } from "@spiritstream/bus";
import { type HttpServer, serveHttp } from "@spiritstream/host";
import { createLogger, type Logger, openRootKeys } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { startProfilesService } from "@spiritstream/profiles";
import { type AuthServiceDeps, startAuthService } from "@spiritstream/auth";
import { createGateway, type GatewaySettings } from "./app.ts";
import { createBusAuthenticator } from "./bus_authenticator.ts";
import { createMetrics } from "./metrics.ts";
import { createWsHub } from "./ws_hub.ts";

/** Gateway settings for tests: generous global limits. */
export const TEST_SETTINGS: GatewaySettings = {
  corsOrigins: ["http://localhost:*", "http://127.0.0.1:*"],
  rateLimitPerMinute: 100_000,
  authRateLimitPerMinute: 100_000,
  bodyLimitBytes: 64 * 1024,
  requestTimeoutMs: 5_000,
  trustProxy: false,
  uiDir: null,
};

/** Options for {@linkcode startAuthHarness}. */
export interface AuthHarnessOptions {
  mode: "token" | "users";
  token?: string | null;
  admin?: { email: string; password: string };
  settings?: Partial<GatewaySettings>;
  auth?: Partial<AuthServiceDeps>;
}

/** A running gateway with its services. */
export interface AuthHarness {
  app: ReturnType<typeof createGateway>;
  bus: Bus;
  logs: string[];
  /** Setup tokens the auth service printed. */
  printed: string[];
  invoke(command: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
  post(path: string, body: unknown, headers?: Record<string, string>): Promise<Response>;
  /** Logs in (users mode: email and password; token mode: the token) and returns the cookie pair. */
  login(credentials: Record<string, string>): Promise<string>;
  /** Creates a user in any tenant straight over the bus, as tenant provisioning would. */
  provisionUser(tenantId: string, email: string, password: string, role: Role): Promise<User>;
  /** Serves the app on a loopback port with `serveHttp` (for WebSockets); closed with the harness. */
  listen(): Promise<string>;
  close(): Promise<void>;
}

/** Starts the harness; `close()` stops everything and removes the temp dir. */
export async function startAuthHarness(options: AuthHarnessOptions): Promise<AuthHarness> {
  const logs: string[] = [];
  const printed: string[] = [];
  const logger: Logger = createLogger({
    level: "debug",
    destination: { write: (line) => void logs.push(line) },
  });
  const bus = createMemoryBus();
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-gateway-auth-" });
  const dbs: Db[] = [openSqlite(`${dir}/profiles.db`), openSqlite(`${dir}/auth.db`)];
  const services: HostedService[] = [
    await startProfilesService({
      bus,
      db: dbs[0]!,
      logger,
      rootKeys: await openRootKeys({ kind: "machine_file", path: `${dir}/secrets.key` }),
      dataDir: dir,
      homeDir: null,
    }),
    await startAuthService({
      bus,
      db: dbs[1]!,
      logger,
      mode: options.mode,
      apiToken: options.token ?? null,
      admin: options.admin ?? null,
      printSetupToken: (token) => void printed.push(token),
      ...options.auth,
    }),
  ];
  const hub = createWsHub(bus, { logger });
  await hub.ready;
  const auth = createBusAuthenticator(bus, {
    mode: options.mode,
    required: options.mode === "users" || Boolean(options.token),
    logger,
  });
  await auth.ready;
  const app = createGateway({
    bus,
    logger,
    metrics: createMetrics(),
    hub,
    auth,
    catalogue: COMMANDS,
    settings: { ...TEST_SETTINGS, ...options.settings },
  });
  const servers: HttpServer[] = [];

  async function post(path: string, body: unknown, headers: Record<string, string> = {}) {
    return await app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  }

  return {
    app,
    bus,
    logs,
    printed,
    invoke: (command, body = {}, headers = {}) => post(`/api/invoke/${command}`, body, headers),
    post,
    async login(credentials) {
      const res = await post("/auth/login", credentials);
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), { ok: true });
      const cookie = res.headers.get("set-cookie") ?? "";
      assert.match(cookie, /^spiritstream_session=/);
      return cookie.split(";")[0]!;
    },
    async provisionUser(tenantId, email, password, role) {
      const meta: RequestMeta = {
        requestId: "provision",
        tenantId,
        userId: null,
        role: "admin",
        ip: null,
      };
      return await callCommand(bus, COMMANDS.create_user, {
        meta,
        args: { email, password, role },
      });
    },
    async listen() {
      // The production server (node:http with deadlines), as startGateway serves the app.
      const server = await serveHttp(app.fetch, { hostname: "127.0.0.1", port: 0 });
      servers.push(server);
      return `127.0.0.1:${server.addr.port}`;
    },
    async close() {
      for (const server of servers) await server.shutdown();
      await hub.close();
      await auth.close();
      for (const service of services) await service.close();
      for (const db of dbs) await db.close();
      await bus.close();
      await Deno.remove(dir, { recursive: true });
    },
  };
}

/** Opens a WebSocket and resolves once it is open, or rejects when it closes first. */
export function openSocket(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ ws: WebSocket; frames: { event: string; payload: unknown }[] }> {
  const frames: { event: string; payload: unknown }[] = [];
  // Deno's WebSocket takes headers (browsers send cookies by themselves).
  const ws = new WebSocket(url, { headers } as unknown as string[]);
  ws.onmessage = (e) => frames.push(JSON.parse(e.data));
  return new Promise((resolve, reject) => {
    ws.onopen = () => resolve({ ws, frames });
    ws.onerror = () => {};
    ws.onclose = (e) => reject(new Error(`WebSocket closed before opening (code ${e.code})`));
  });
}

/** Closes a socket and waits until it is closed. */
export async function closeSocket(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return;
  const closed = new Promise((resolve) => ws.addEventListener("close", resolve));
  ws.close();
  await closed;
}

/**
 * A users-mode (multi-tenant) host in one process, over a real nats-server and SQLite stores:
 * the gateway on its own NATS connection, and the auth, profiles and encoder services on
 * another. Requests go through the gateway's HTTP app; tenants other than the host's own are
 * made over the bus by hand, as tenant provisioning would.
 * @module
 */
import { COMMANDS, type RequestMeta, type Role, type User } from "@spiritstream/contracts";
import { type Bus, callCommand, type HostedService } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import { createLogger, type Logger, openRootKeys } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { type NatsServer, startNatsServer } from "@spiritstream/testing";
import { startAuthService } from "@spiritstream/auth";
import { startEncoderService } from "@spiritstream/encoder";
import { startProfilesService } from "@spiritstream/profiles";
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

/** A running multi-tenant host. */
export interface MultiTenantStack {
  readonly dir: string;
  /** The profiles service's database (to write rows as an older version left them). */
  readonly profilesDb: Db;
  /** Log lines (JSON) of every part. */
  readonly logs: string[];
  /** Creates a user in any tenant straight over the bus. */
  provisionUser(tenantId: string, email: string, password: string, role: Role): Promise<User>;
  /** Logs in with email and password; answers the `Cookie` header value. */
  login(email: string, password: string): Promise<string>;
  /** `POST /auth/token`: answers an access token. */
  accessToken(email: string, password: string): Promise<string>;
  invoke(command: string, body: unknown, headers: Record<string, string>): Promise<Invoked>;
  /** A GET through the gateway's app. */
  get(path: string, headers: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** Starts the stack in users mode with `admin` as the setup's first admin (the host operator). */
export async function startMultiTenantStack(
  admin: { email: string; password: string },
): Promise<MultiTenantStack> {
  const logs: string[] = [];
  const logger: Logger = createLogger({
    level: "debug",
    destination: { write: (line) => void logs.push(line) },
  });
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-multi-tenant-" });
  const stops: (() => Promise<void>)[] = [() => Deno.remove(dir, { recursive: true })];
  const stop = async () => {
    for (const next of stops.reverse()) await next().catch(() => {});
  };
  try {
    const nats: NatsServer = await startNatsServer();
    stops.push(() => nats.stop());
    const bus = await connect(nats, "services", stops);
    const gatewayBus = await connect(nats, "gateway", stops);
    const profilesDb = openDb(`${dir}/profiles.db`, stops);
    const rootKeys = await openRootKeys({ kind: "machine_file", path: `${dir}/secrets.key` });
    const services: HostedService[] = [
      await startProfilesService({
        bus,
        db: profilesDb,
        logger,
        rootKeys,
        dataDir: dir,
        homeDir: null,
      }),
      await startAuthService({
        bus,
        db: openDb(`${dir}/auth.db`, stops),
        logger,
        mode: "users",
        rootKeys,
        admin,
        printSetupToken: () => {},
      }),
      await startEncoderService({
        bus,
        logger,
        config: { ffmpegPath: null, dataDir: dir },
        env: { PATH: Deno.env.get("PATH") },
      }),
    ];
    for (const service of services) stops.push(() => service.close());
    const app = await gateway(gatewayBus, logger, stops);

    const post = async (path: string, body: unknown, headers: Record<string, string> = {}) =>
      await app.request(path, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
      });
    return {
      dir,
      profilesDb,
      logs,
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
      async login(email, password) {
        const res = await post("/auth/login", { email, password });
        await res.body?.cancel();
        const cookie = res.headers.get("set-cookie") ?? "";
        if (res.status !== 200 || !cookie) throw new Error(`login of ${email}: ${res.status}`);
        return cookie.split(";")[0]!;
      },
      async accessToken(email, password) {
        const res = await post("/auth/token", { email, password });
        const body = await res.json() as { accessToken?: string };
        if (!body.accessToken) throw new Error(`token for ${email}: ${res.status}`);
        return body.accessToken;
      },
      async invoke(command, body, headers) {
        const res = await post(`/api/invoke/${command}`, body, headers);
        const envelope = await res.json() as { ok: boolean; data?: unknown; error?: string };
        return {
          status: res.status,
          ok: envelope.ok,
          data: envelope.data ?? null,
          error: envelope.error ?? null,
        };
      },
      get: (path, headers) => Promise.resolve(app.request(path, { headers })),
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function connect(
  nats: NatsServer,
  name: string,
  stops: (() => Promise<void>)[],
): Promise<Bus> {
  const bus = await createNatsBus({ servers: nats.url, name });
  stops.push(() => bus.close());
  return bus;
}

function openDb(path: string, stops: (() => Promise<void>)[]): Db {
  const db = openSqlite(path);
  stops.push(() => db.close());
  return db;
}

async function gateway(bus: Bus, logger: Logger, stops: (() => Promise<void>)[]) {
  const hub = createWsHub(bus, { logger });
  await hub.ready;
  stops.push(() => hub.close());
  const auth = createBusAuthenticator(bus, { mode: "users", required: true, logger });
  await auth.ready;
  stops.push(() => auth.close());
  return createGateway({
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
      requestTimeoutMs: 20_000,
      trustProxy: false,
      uiDir: null,
    },
  });
}

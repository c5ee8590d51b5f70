/**
 * A users-mode (multi-tenant) host in one process, over a real nats-server and SQLite stores:
 * the gateway on its own NATS connection, and the auth, profiles and encoder services on
 * another. Requests go through the gateway's HTTP app; tenants other than the host's own are
 * made over the bus by hand, as tenant provisioning would.
 * @module
 */
import { COMMANDS, type RequestMeta, type Role, type User } from "@spiritstream/contracts";
import { callCommand, type HostedService } from "@spiritstream/bus";
import { openRootKeys } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { type NatsServer, startNatsServer } from "@spiritstream/testing";
import { startAuthService } from "@spiritstream/auth";
import { startEncoderService } from "@spiritstream/encoder";
import { startProfilesService } from "@spiritstream/profiles";
import { captureLogs, connectBus, type Invoked, startGateway, Stops } from "./stack_parts.ts";

export type { Invoked } from "./stack_parts.ts";

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
  const { logger, logs } = captureLogs();
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-multi-tenant-" });
  const stops = new Stops();
  stops.push(() => Deno.remove(dir, { recursive: true }));
  const stop = () => stops.run();
  try {
    const nats: NatsServer = await startNatsServer();
    stops.push(() => nats.stop());
    const bus = await connectBus(nats, "services", stops);
    const gatewayBus = await connectBus(nats, "gateway", stops);
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
    const gateway = await startGateway(gatewayBus, logger, stops, { requestTimeoutMs: 20_000 });
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
        const { status, cookie } = await gateway.post("/auth/login", { email, password });
        if (status !== 200 || !cookie) throw new Error(`login of ${email}: ${status}`);
        return cookie;
      },
      async accessToken(email, password) {
        const { status, body } = await gateway.post("/auth/token", { email, password });
        if (typeof body.accessToken !== "string") throw new Error(`token for ${email}: ${status}`);
        return body.accessToken;
      },
      invoke: gateway.invoke,
      get: gateway.get,
      close: stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

function openDb(path: string, stops: Stops): Db {
  const db = openSqlite(path);
  stops.push(() => db.close());
  return db;
}

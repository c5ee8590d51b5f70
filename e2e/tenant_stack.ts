/**
 * A cloud-shaped host in one process: every service over a real nats-server, all of them on one
 * real PostgreSQL database (as compose runs them), the encoder enforcing quotas, and TWO
 * gateways on their own NATS connections (replicas behind a load balancer). Requests go through
 * the gateways' HTTP apps; nothing is provisioned by hand.
 * @module
 */
import { COMMANDS } from "@spiritstream/contracts";
import type { Bus, HostedService } from "@spiritstream/bus";
import { createNatsBus } from "@spiritstream/bus/nats";
import { createLogger, type Logger, openRootKeys } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openPostgres } from "@spiritstream/store/postgres";
import {
  type NatsServer,
  startNatsServer,
  startPostgres,
  type TestPostgres,
} from "@spiritstream/testing";
import { startAuthService } from "@spiritstream/auth";
import { connect as natsConnect } from "@nats-io/transport-node";
import { createNatsLeaseStore, type LeaseStore, startEncoderService } from "@spiritstream/encoder";
import { startEventsService } from "@spiritstream/events";
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

/** One gateway replica's HTTP surface. */
export interface GatewayClient {
  /** `POST path` with a JSON body; answers status, JSON body and the session cookie if set. */
  post(
    path: string,
    body: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown>; cookie: string | null }>;
  invoke(command: string, body: unknown, headers: Record<string, string>): Promise<Invoked>;
}

/** A running stack. */
export interface TenantStack {
  readonly dir: string;
  /** The one database every service keeps its tables in (for checks the API cannot make). */
  readonly db: Db;
  readonly gateways: [GatewayClient, GatewayClient];
  /** The encoder's lease store: the JetStream KV bucket on the stack's nats-server. */
  readonly leases: LeaseStore;
  readonly logs: string[];
  close(): Promise<void>;
}

/** Starts the stack in users mode with `admin` as the install's first admin (the host operator). */
export async function startTenantStack(
  admin: { email: string; password: string },
): Promise<TenantStack> {
  const logs: string[] = [];
  const logger: Logger = createLogger({
    level: "debug",
    destination: { write: (line) => void logs.push(line) },
  });
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-tenants-" });
  const stops: (() => Promise<unknown>)[] = [() => Deno.remove(dir, { recursive: true })];
  const stop = async () => {
    for (const next of stops.reverse()) await next().catch(() => {});
  };
  try {
    const nats: NatsServer = await startNatsServer();
    stops.push(() => nats.stop());
    const pg: TestPostgres = await startPostgres();
    stops.push(() => pg.stop());
    const url = await pg.createDatabase("spiritstream");
    const open = () => {
      const db = openPostgres(url, { max: 3 });
      stops.push(() => db.close());
      return db;
    };
    const bus = await connect(nats, "services", stops);
    const nc = await natsConnect({ servers: nats.url, name: "leases" });
    stops.push(() => nc.close());
    const leases = await createNatsLeaseStore(nc);
    const rootKeys = await openRootKeys({ kind: "machine_file", path: `${dir}/secrets.key` });
    const services: HostedService[] = [
      await startProfilesService({
        bus,
        db: open(),
        logger,
        rootKeys,
        dataDir: dir,
        homeDir: null,
      }),
      await startAuthService({
        bus,
        db: open(),
        logger,
        mode: "users",
        rootKeys,
        admin,
        printSetupToken: () => {},
      }),
      await startEventsService({ bus, db: open(), logger, dataDir: dir }),
      await startEncoderService({
        bus,
        logger,
        config: { ffmpegPath: null, dataDir: dir },
        leases,
        env: { PATH: Deno.env.get("PATH") },
        enforceQuotas: true,
      }),
    ];
    for (const service of services) stops.push(() => service.close());
    const gateways: [GatewayClient, GatewayClient] = [
      await gateway(await connect(nats, "gateway-1", stops), logger, stops),
      await gateway(await connect(nats, "gateway-2", stops), logger, stops),
    ];
    return { dir, db: open(), gateways, leases, logs, close: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function connect(
  nats: NatsServer,
  name: string,
  stops: (() => Promise<unknown>)[],
): Promise<Bus> {
  const bus = await createNatsBus({ servers: nats.url, name });
  stops.push(() => bus.close());
  return bus;
}

async function gateway(
  bus: Bus,
  logger: Logger,
  stops: (() => Promise<unknown>)[],
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
      requestTimeoutMs: 60_000,
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
  };
  return client;
}

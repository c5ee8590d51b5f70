/**
 * A cloud-shaped host in one process: every service over a real nats-server, all of them on one
 * real PostgreSQL database (as compose runs them), the encoder enforcing quotas, and TWO
 * gateways on their own NATS connections (replicas behind a load balancer). Requests go through
 * the gateways' HTTP apps; nothing is provisioned by hand.
 * @module
 */
import type { HostedService } from "@spiritstream/bus";
import { openRootKeys } from "@spiritstream/kit";
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
import { captureLogs, connectBus, type GatewayClient, startGateway, Stops } from "./stack_parts.ts";

export type { GatewayClient, Invoked } from "./stack_parts.ts";

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

const TIMEOUT = { requestTimeoutMs: 60_000 };

/** Starts the stack in users mode with `admin` as the install's first admin (the host operator). */
export async function startTenantStack(
  admin: { email: string; password: string },
): Promise<TenantStack> {
  const { logger, logs } = captureLogs();
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-tenants-" });
  const stops = new Stops();
  stops.push(() => Deno.remove(dir, { recursive: true }));
  const stop = () => stops.run();
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
    const bus = await connectBus(nats, "services", stops);
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
      await startGateway(await connectBus(nats, "gateway-1", stops), logger, stops, TIMEOUT),
      await startGateway(await connectBus(nats, "gateway-2", stops), logger, stops, TIMEOUT),
    ];
    return { dir, db: open(), gateways, leases, logs, close: stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

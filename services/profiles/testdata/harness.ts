import {
  type AppError,
  COMMANDS,
  eventFilter,
  type RequestMeta,
  type ResultOf,
} from "@spiritstream/contracts";
import { type Bus, callCommand, createMemoryBus, type HostedService } from "@spiritstream/bus";
import { createLogger, createRedactor } from "@spiritstream/kit";
import type { Db } from "@spiritstream/store";
import { openPostgres } from "@spiritstream/store/postgres";
import { openSqlite } from "@spiritstream/store/sqlite";
import { startPostgres, type TestPostgres } from "@spiritstream/testing";
import { type KeySource, openRootKeys } from "@spiritstream/kit";
import { type ProfilesServiceDeps, startProfilesService } from "../service.ts";
import type { z } from "zod";

/** Which store a harness runs on. */
export type Dialect = "sqlite" | "postgres";

/** A profiles service on a real store over the memory bus, with captured logs and events. */
export interface Harness {
  readonly dialect: Dialect;
  readonly dir: string;
  readonly db: Db;
  /** The memory bus the service is on. */
  readonly bus: Bus;
  /** Every log line written so far (JSON). */
  readonly logs: string[];
  /** Every event emitted so far: `{ tenantId, event, payload }`. */
  readonly events: { tenantId: string; event: string; payload: unknown }[];
  /** Runs a command as `meta` (default: the open desktop host, tenant "local"). */
  call<C extends keyof typeof COMMANDS>(
    command: C,
    args: z.input<(typeof COMMANDS)[C]["args"]>,
    meta?: Partial<RequestMeta>,
  ): Promise<ResultOf<(typeof COMMANDS)[C]>>;
  /** Like `call` but expects a failure and returns it. */
  fail<C extends keyof typeof COMMANDS>(
    command: C,
    args: z.input<(typeof COMMANDS)[C]["args"]>,
    meta?: Partial<RequestMeta>,
  ): Promise<AppError>;
  /** Stops the service and starts it again on the same store and keys (locks every profile). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

/** Options for {@linkcode startHarness}. */
export interface HarnessOptions {
  /** Default: a machine key file in the temp dir. */
  keySource?: KeySource;
  /** Reuse a running PostgreSQL (a fresh database is created in it). */
  postgres?: TestPostgres;
  /** SPIRITSTREAM_KEY_ENV_ALLOW of the service. */
  keyEnvAllow?: readonly string[];
  /** The host's home folder. @default null */
  homeDir?: string | null;
  /** Unified chat options (endpoints, timings). */
  chat?: ProfilesServiceDeps["chat"];
  /** Sign-in settings of the service. */
  oauth?: ProfilesServiceDeps["oauth"];
}

/** Starts a harness in a fresh temp dir (and a fresh PostgreSQL cluster for "postgres"). */
export async function startHarness(
  dialect: Dialect,
  options: HarnessOptions = {},
): Promise<Harness> {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-profiles-svc-" });
  const logs: string[] = [];
  const events: Harness["events"] = [];
  const redactor = createRedactor();
  const logger = createLogger({
    level: "debug",
    redactor,
    destination: { write: (line) => void logs.push(line) },
  });
  const ownPg = dialect === "postgres" && !options.postgres ? await startPostgres() : null;
  const pg = options.postgres ?? ownPg;
  const db = dialect === "sqlite"
    ? openSqlite(`${dir}/profiles.db`)
    : openPostgres(await pg!.createDatabase(), { max: 4 });
  const bus: Bus = createMemoryBus();
  const follower = bus.follow(eventFilter(), { fromSeq: 1 }, (record) => {
    const data = record.data as { tenantId: string; event: string; payload: unknown };
    events.push({ tenantId: data.tenantId, event: data.event, payload: data.payload });
  });
  await follower.ready;
  const keySource = options.keySource ?? { kind: "machine_file", path: `${dir}/secrets.key` };
  const start = async () =>
    startProfilesService({
      bus,
      db,
      logger,
      redactor,
      rootKeys: await openRootKeys(keySource),
      dataDir: dir,
      homeDir: options.homeDir ?? null,
      keyEnvAllow: options.keyEnvAllow,
      chat: options.chat,
      oauth: options.oauth,
    });
  let service: HostedService = await start();
  const meta = (extra: Partial<RequestMeta> = {}): RequestMeta => ({
    requestId: crypto.randomUUID(),
    tenantId: "local",
    userId: null,
    role: null,
    ip: null,
    // The open desktop host: whoever reaches it operates the host.
    hostOperator: true,
    ...extra,
  });
  const harness: Harness = {
    dialect,
    dir,
    db,
    bus,
    logs,
    events,
    call(command, args, extra) {
      // deno-lint-ignore no-explicit-any
      return callCommand(bus, COMMANDS[command] as any, { meta: meta(extra), args }) as any;
    },
    async fail(command, args, extra) {
      try {
        await harness.call(command, args, extra);
      } catch (error) {
        return error as AppError;
      }
      throw new Error(`${command} was expected to fail`);
    },
    async restart() {
      await service.close();
      service = await start();
    },
    async close() {
      try {
        await service.close();
        await follower.close();
        await bus.close();
        await db.close();
      } finally {
        await ownPg?.stop();
        await Deno.remove(dir, { recursive: true });
      }
    },
  };
  return harness;
}

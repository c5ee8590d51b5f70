import { COMMANDS } from "@spiritstream/contracts";
import { type Bus, type HostedService, hostService, serveTenantPurge } from "@spiritstream/bus";
import { type Logger, type Redactor, resolveExportFile, writeNewFile } from "@spiritstream/kit";
import { type Db, migrate, purgeTenantRows } from "@spiritstream/store";
import { EVENTS_TENANT_TABLES } from "./purge_tenant.ts";
import { formatLogLine } from "./format_log_line.ts";
import { type LogIngest, startLogIngest } from "./log_ingest.ts";
import { createLogRetention } from "./log_retention.ts";
import { createLogStore } from "./log_store.ts";
import { EVENTS_MIGRATIONS } from "./migrations.ts";
import { gatherDiagnostics } from "./gather_diagnostics.ts";
import { createSessionStore } from "./session_store.ts";
import { SessionTracker } from "./session_tracker.ts";

/** What the events service is built from. */
export interface EventsServiceDeps {
  bus: Bus;
  /** The service's own store (its tables only). */
  db: Db;
  logger: Logger;
  /** Scrubs secrets from what `get_diagnostics` bundles. Default: the field-name rules only. */
  redactor?: Redactor;
  /** `export_logs` writes into `<dataDir>/exports`, or where an admin names inside `homeDir`. */
  dataDir: string;
  homeDir?: string | null;
  /** Newest log lines kept per tenant, whatever the retention. @default 100000 */
  maxRows?: number;
  /** How often retention prunes again. @default 3600000 */
  pruneIntervalMs?: number;
  /**
   * Most characters `get_recent_logs` answers with: the newest lines that fit (a reply must fit
   * one bus message; NATS allows 1 MB by default). @default 786432
   */
  maxReplyChars?: number;
}

/**
 * Keeps every tenant's `log://log` events from the durable stream in its store (retention from
 * the tenant's `logRetentionDays`, asked of the profiles service; plus a hard row cap) and
 * serves `get_recent_logs` and `export_logs`.
 */
export async function startEventsService(deps: EventsServiceDeps): Promise<HostedService> {
  const {
    bus,
    db,
    logger,
    dataDir,
    homeDir = null,
    maxRows = 100_000,
    maxReplyChars = 768 * 1024,
  } = deps;
  const log = logger.child({ service: "events" });
  await migrate(db, "events", EVENTS_MIGRATIONS);
  if (db.dialect === "sqlite") {
    // SQLite blocks the event loop, which the desktop host shares with the gateway: an fsync per
    // log batch stalls every socket (1-13 ms here). With WAL, NORMAL stays consistent after a
    // crash and may lose only the last lines, which is right for logs.
    await db.exec("PRAGMA synchronous = NORMAL");
  }
  const store = createLogStore(db);
  const sessions = new SessionTracker(createSessionStore(db), { logger: log });
  await sessions.resume(await bus.lastSeq());
  // Retention flushes the ingest before pruning; the ingest reports tenants to retention.
  const late: { ingest?: LogIngest } = {};
  const retention = createLogRetention(bus, store, {
    logger: log,
    intervalMs: deps.pruneIntervalMs,
    beforePrune: async () => await late.ingest?.flush(),
  });
  // Deleted tenants, by when: their records still in flight are dropped, a later one's kept.
  const purged = new Map<string, number>();
  const gone = (tenantId: string, time: number) => time <= (purged.get(tenantId) ?? -Infinity);
  const ingest = await startLogIngest(bus, store, {
    logger: log,
    maxRows,
    onSettingsChanged: (tenantId) => retention.refresh(tenantId),
    onTenant: (tenantId) => retention.track(tenantId),
    onEvent: (event, seq, time) => {
      if (!gone(event.tenantId, event.time)) sessions.take(event, seq, time);
    },
    keep: (tenantId, time) => !gone(tenantId, time) && !retention.expired(tenantId, time),
  });
  late.ingest = ingest;
  const service = hostService(bus, "events", {
    catalogue: COMMANDS,
    logger: log,
    checks: { store: () => db.ping() },
    handlers: {
      async get_recent_logs(args: { maxLines: number }, meta) {
        await ingest.flush();
        const rows = await store.recent(meta.tenantId, args.maxLines);
        return newestThatFit(rows.map(formatLogLine), maxReplyChars);
      },
      async get_stream_sessions(args: { limit: number }, meta) {
        await ingest.flush();
        return await sessions.list(meta.tenantId, args.limit);
      },
      async get_diagnostics(_args: Record<string, never>, meta) {
        await ingest.flush();
        const rows = await store.recent(meta.tenantId, 500);
        const logs = newestThatFit(rows.map(formatLogLine), maxReplyChars / 2);
        return await gatherDiagnostics(bus, meta, { recentLogs: logs, redactor: deps.redactor });
      },
      async export_logs(args: { path?: string | null; content: string }) {
        const stamp = new Date().toISOString().replace(/[-:]/g, "").replace("T", "-").slice(0, 15);
        const file = await resolveExportFile({
          field: "path",
          path: args.path,
          dataDir,
          homeDir,
          fileName: `spiritstream-logs-${stamp}.log`,
        });
        await writeNewFile(file, args.content, { field: "path" });
        log.info({ file }, "Logs exported");
        return null;
      },
    },
  });
  const purge = serveTenantPurge(bus, "events", async (tenantId) => {
    purged.set(tenantId, Date.now());
    await ingest.flush();
    await sessions.forget(tenantId);
    return await purgeTenantRows(db, EVENTS_TENANT_TABLES, tenantId);
  });
  await Promise.all([service.ready, purge.ready]);
  for (const tenantId of await store.tenants()) retention.track(tenantId);
  return {
    ready: service.ready,
    async close() {
      await service.close();
      await purge.close();
      await ingest.close();
      await sessions.flush();
      await retention.close();
    },
  };
}

/** The newest lines whose total length stays within `budget`, oldest first; one line at least. */
function newestThatFit(lines: string[], budget: number): string[] {
  let used = 0;
  let first = lines.length;
  while (first > 0 && used + lines[first - 1]!.length + 8 <= budget) {
    first--;
    used += lines[first]!.length + 8;
  }
  if (first === lines.length && lines.length > 0) {
    return [`${lines.at(-1)!.slice(0, Math.max(0, budget - 8))}…`];
  }
  return lines.slice(first);
}

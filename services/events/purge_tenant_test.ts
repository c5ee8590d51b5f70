import assert from "node:assert/strict";
import {
  COMMANDS,
  eventSubject,
  type LogRecord,
  purgeTenantSubject,
  type RequestMeta,
  TenantPurge,
} from "@spiritstream/contracts";
import { type Bus, callCommand, createMemoryBus } from "@spiritstream/bus";
import { createLogger } from "@spiritstream/kit";
import { tablesWithTenantColumn } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import { openMigratedSqlite } from "@spiritstream/testing";
import { EVENTS_MIGRATIONS } from "./migrations.ts";
import { EVENTS_TENANT_TABLES } from "./purge_tenant.ts";
import { startEventsService } from "./service.ts";

const quiet = createLogger({ level: "warn", destination: { write() {} } });

function meta(tenantId: string): RequestMeta {
  return { requestId: crypto.randomUUID(), tenantId, userId: null, role: "admin", ip: null };
}

function appendLog(bus: Bus, tenantId: string, message: string, time: number) {
  const payload: LogRecord = { level: 3, message, target: "encoder" };
  return bus.append(eventSubject(tenantId, "log://log"), {
    tenantId,
    event: "log://log",
    payload,
    time,
  });
}

function recentLogs(bus: Bus, tenantId: string): Promise<string[]> {
  return callCommand(bus, COMMANDS.get_recent_logs, {
    meta: meta(tenantId),
    args: { maxLines: 100 },
  });
}

Deno.test("EVENTS_TENANT_TABLES covers every events table with a tenant_id column", async () => {
  const { db, cleanup } = await openMigratedSqlite("events", EVENTS_MIGRATIONS);
  try {
    const listed = EVENTS_TENANT_TABLES.map((entry) => entry.table);
    for (const table of await tablesWithTenantColumn(db)) assert.ok(listed.includes(table), table);
  } finally {
    await cleanup();
  }
});

Deno.test("events purge_tenant removes the tenant's rows, drops its late records, keeps others", async () => {
  const dir = await Deno.makeTempDir({ prefix: "spiritstream-events-purge-" });
  const bus = createMemoryBus();
  const db = openSqlite(`${dir}/events.db`);
  const service = await startEventsService({ bus, db, logger: quiet, dataDir: dir });
  try {
    const before = Date.now() - 1000;
    await appendLog(bus, "gone", "gone 1", before);
    await appendLog(bus, "kept", "kept 1", before);
    assert.equal((await recentLogs(bus, "gone")).length, 1);
    const reply = TenantPurge.parse(
      await bus.request(purgeTenantSubject("events"), { tenantId: "gone" }),
    );
    assert.equal(reply.removed.events_log, 1);
    // Emitted before the deletion (a stream stopping as the tenant went), delivered after it.
    await appendLog(bus, "gone", "late", before + 1);
    assert.deepEqual(await recentLogs(bus, "gone"), []);
    const [row] = await db.query("SELECT COUNT(*) AS n FROM events_log WHERE tenant_id = 'gone'");
    assert.equal(Number(row?.n), 0);
    // A tenant made again later with the same id logs as any other.
    await appendLog(bus, "gone", "new life", Date.now() + 1000);
    assert.equal((await recentLogs(bus, "gone")).length, 1);
    assert.equal((await recentLogs(bus, "kept")).length, 1);
  } finally {
    await service.close();
    await bus.close();
    await db.close();
    await Deno.remove(dir, { recursive: true });
  }
});

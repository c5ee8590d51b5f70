import { AppError } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";
import { checkCount, checkTenantId } from "./store_checks.ts";

/** One stored `log://log` event. */
export interface LogRow {
  tenantId: string;
  /** The event's sequence number in the stream. */
  seq: number;
  /** Epoch milliseconds the event was emitted. */
  time: number;
  /** 1 = error … 5 = trace. */
  level: number;
  target: string;
  message: string;
}

/** How far the log consumer has read the stream. */
export interface StreamCursor {
  seq: number;
  /** The emit time of the record at `seq`: tells a restarted in-process stream from the old one. */
  time: number;
}

/** The events service's log table and its stream cursor. */
export interface LogStore {
  /**
   * Inserts rows and moves the cursor in one transaction; a row already stored (same seq and
   * time, e.g. from another replica or a replay) is skipped. Resolves to how many were new.
   */
  append(rows: readonly LogRow[], cursor: StreamCursor | null): Promise<number>;
  /** The newest `limit` rows of a tenant, oldest first. */
  recent(tenantId: string, limit: number): Promise<LogRow[]>;
  /** Deletes a tenant's rows emitted before `time`; resolves to how many went. */
  pruneBefore(tenantId: string, time: number): Promise<number>;
  /** Keeps only a tenant's newest `maxRows` rows; resolves to how many went. */
  cap(tenantId: string, maxRows: number): Promise<number>;
  count(tenantId: string): Promise<number>;
  /** Every tenant with stored rows. */
  tenants(): Promise<string[]>;
  cursor(): Promise<StreamCursor | null>;
}

const CONSUMER = "log";

/** Rows per INSERT statement: one round trip each, well under both engines' parameter limits. */
const CHUNK = 100;

const SAVE_CURSOR = `INSERT INTO events_cursor (consumer, seq, logged_at, updated_at)
VALUES ($1, $2, $3, $4) ON CONFLICT (consumer) DO UPDATE
SET seq = excluded.seq, logged_at = excluded.logged_at, updated_at = excluded.updated_at`;

interface DbRow extends Record<string, unknown> {
  tenant_id: string;
  seq: number;
  logged_at: number;
  level: number;
  target: string;
  message: string;
}

/** A {@linkcode LogStore} over the tables of `EVENTS_MIGRATIONS`. */
export function createLogStore(db: Db): LogStore {
  return {
    async append(rows, cursor) {
      rows.forEach(checkRow);
      if (rows.length === 0 && cursor === null) return 0;
      return await db.transaction(async (tx) => {
        let added = 0;
        for (let start = 0; start < rows.length; start += CHUNK) {
          const chunk = rows.slice(start, start + CHUNK);
          const params = chunk.flatMap((row) => [
            row.tenantId,
            row.seq,
            row.time,
            row.level,
            row.target,
            row.message,
          ]);
          added += await tx.exec(insertSql(chunk.length), params);
        }
        if (cursor) await tx.exec(SAVE_CURSOR, [CONSUMER, cursor.seq, cursor.time, Date.now()]);
        return added;
      });
    },
    async recent(tenantId, limit) {
      checkTenantId(tenantId);
      checkCount("limit", limit);
      const rows = await db.query<DbRow>(
        `SELECT tenant_id, seq, logged_at, level, target, message FROM events_log
WHERE tenant_id = $1 ORDER BY logged_at DESC, seq DESC LIMIT $2`,
        [tenantId, limit],
      );
      return rows.reverse().map(fromDb);
    },
    async pruneBefore(tenantId, time) {
      checkTenantId(tenantId);
      return await db.exec("DELETE FROM events_log WHERE tenant_id = $1 AND logged_at < $2", [
        tenantId,
        time,
      ]);
    },
    async cap(tenantId, maxRows) {
      checkTenantId(tenantId);
      checkCount("maxRows", maxRows);
      // The oldest row to keep; everything older goes.
      const [edge] = await db.query<{ logged_at: number; seq: number }>(
        `SELECT logged_at, seq FROM events_log WHERE tenant_id = $1
ORDER BY logged_at DESC, seq DESC LIMIT 1 OFFSET $2`,
        [tenantId, maxRows - 1],
      );
      if (!edge) return 0;
      return await db.exec(
        `DELETE FROM events_log WHERE tenant_id = $1
AND (logged_at < $2 OR (logged_at = $2 AND seq < $3))`,
        [tenantId, edge.logged_at, edge.seq],
      );
    },
    async count(tenantId) {
      checkTenantId(tenantId);
      const [row] = await db.query<{ n: number | bigint }>(
        "SELECT COUNT(*) AS n FROM events_log WHERE tenant_id = $1",
        [tenantId],
      );
      return Number(row?.n ?? 0);
    },
    async tenants() {
      const rows = await db.query<{ tenant_id: string }>(
        "SELECT DISTINCT tenant_id FROM events_log ORDER BY tenant_id",
      );
      return rows.map((row) => row.tenant_id);
    },
    async cursor() {
      const [row] = await db.query<{ seq: number; logged_at: number }>(
        "SELECT seq, logged_at FROM events_cursor WHERE consumer = $1",
        [CONSUMER],
      );
      return row ? { seq: Number(row.seq), time: Number(row.logged_at) } : null;
    },
  };
}

function insertSql(count: number): string {
  const values = Array.from({ length: count }, (_, i) => {
    const n = i * 6;
    return `($${n + 1}, $${n + 2}, $${n + 3}, $${n + 4}, $${n + 5}, $${n + 6})`;
  });
  return `INSERT INTO events_log (tenant_id, seq, logged_at, level, target, message)
VALUES ${values.join(", ")} ON CONFLICT (seq, logged_at) DO NOTHING`;
}

function fromDb(row: DbRow): LogRow {
  return {
    tenantId: row.tenant_id,
    seq: Number(row.seq),
    time: Number(row.logged_at),
    level: Number(row.level),
    target: row.target,
    message: row.message,
  };
}

function checkRow(row: LogRow, index: number): void {
  checkTenantId(row.tenantId);
  for (const key of ["seq", "time", "level"] as const) {
    if (!Number.isSafeInteger(row[key]) || row[key] < 0) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "rows[${index}].${key}": must be a whole number of at least 0`,
      );
    }
  }
}

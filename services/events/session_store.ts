import { AppError, type SessionStandbySwitch } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";
import { checkCount, checkTenantId } from "./store_checks.ts";

/** One target inside a stored session, with the raw counters the fold needs to go on. */
export interface StoredTarget {
  groupId: string;
  targetId: string;
  state: string;
  bytes: number;
  reconnects: number;
  lastError: string | null;
  /** The last `bytes` / `reconnects` the engine reported (its counters restart with a group). */
  rawBytes: number;
  rawReconnects: number;
}

/** A go-live as the events service keeps it. */
export interface StoredSession {
  tenantId: string;
  id: string;
  startedAt: number;
  endedAt: number | null;
  /** Emit time of the newest record folded in. */
  updatedAt: number;
  /** Sequence number of the newest record folded in. */
  lastSeq: number;
  groups: string[];
  /** Groups started and not ended yet. */
  activeGroups: string[];
  targets: StoredTarget[];
  lastError: string | null;
  /** Switches to and from the standby slate (absent in sessions stored before). */
  standby?: SessionStandbySwitch[];
}

/** The events service's session table. */
export interface SessionStore {
  /** Inserts or replaces sessions (by tenant and id) in one transaction. */
  save(sessions: readonly StoredSession[]): Promise<void>;
  /** A tenant's newest `limit` sessions, newest first. */
  list(tenantId: string, limit: number): Promise<StoredSession[]>;
  /** Every session without an end, of every tenant. */
  open(): Promise<StoredSession[]>;
  /** The newest `lastSeq` folded in per tenant. */
  lastSeqs(): Promise<Map<string, number>>;
  /** Keeps only a tenant's newest `max` sessions; resolves to how many went. */
  cap(tenantId: string, max: number): Promise<number>;
}

const UPSERT = `INSERT INTO events_sessions
(tenant_id, id, started_at, ended_at, updated_at, last_seq, body)
VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tenant_id, id) DO UPDATE
SET ended_at = excluded.ended_at, updated_at = excluded.updated_at,
last_seq = excluded.last_seq, body = excluded.body`;

const COLUMNS = "tenant_id, id, started_at, ended_at, updated_at, last_seq, body";

interface DbRow extends Record<string, unknown> {
  tenant_id: string;
  id: string;
  started_at: number;
  ended_at: number | null;
  updated_at: number;
  last_seq: number;
  body: string;
}

/** A {@linkcode SessionStore} over the tables of `EVENTS_MIGRATIONS`. */
export function createSessionStore(db: Db): SessionStore {
  return {
    async save(sessions) {
      sessions.forEach(checkSession);
      if (sessions.length === 0) return;
      await db.transaction(async (tx) => {
        for (const s of sessions) await tx.exec(UPSERT, toParams(s));
      });
    },
    async list(tenantId, limit) {
      checkTenantId(tenantId);
      checkCount("limit", limit);
      const rows = await db.query<DbRow>(
        `SELECT ${COLUMNS} FROM events_sessions WHERE tenant_id = $1
ORDER BY started_at DESC, id DESC LIMIT $2`,
        [tenantId, limit],
      );
      return rows.map(fromDb);
    },
    async open() {
      const rows = await db.query<DbRow>(
        `SELECT ${COLUMNS} FROM events_sessions WHERE ended_at IS NULL ORDER BY started_at`,
      );
      return rows.map(fromDb);
    },
    async lastSeqs() {
      const rows = await db.query<{ tenant_id: string; seq: number | bigint }>(
        "SELECT tenant_id, MAX(last_seq) AS seq FROM events_sessions GROUP BY tenant_id",
      );
      return new Map(rows.map((row) => [row.tenant_id, Number(row.seq)]));
    },
    async cap(tenantId, max) {
      checkTenantId(tenantId);
      checkCount("max", max);
      const [edge] = await db.query<{ started_at: number; id: string }>(
        `SELECT started_at, id FROM events_sessions WHERE tenant_id = $1
ORDER BY started_at DESC, id DESC LIMIT 1 OFFSET $2`,
        [tenantId, max - 1],
      );
      if (!edge) return 0;
      return await db.exec(
        `DELETE FROM events_sessions WHERE tenant_id = $1
AND (started_at < $2 OR (started_at = $2 AND id < $3))`,
        [tenantId, edge.started_at, edge.id],
      );
    },
  };
}

function toParams(s: StoredSession): unknown[] {
  const body = JSON.stringify({
    groups: s.groups,
    activeGroups: s.activeGroups,
    targets: s.targets,
    lastError: s.lastError,
    standby: s.standby,
  });
  return [s.tenantId, s.id, s.startedAt, s.endedAt, s.updatedAt, s.lastSeq, body];
}

function fromDb(row: DbRow): StoredSession {
  const body = JSON.parse(row.body) as Pick<
    StoredSession,
    "groups" | "activeGroups" | "targets" | "lastError" | "standby"
  >;
  return {
    tenantId: row.tenant_id,
    id: row.id,
    startedAt: Number(row.started_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    updatedAt: Number(row.updated_at),
    lastSeq: Number(row.last_seq),
    groups: body.groups ?? [],
    activeGroups: body.activeGroups ?? [],
    targets: body.targets ?? [],
    lastError: body.lastError ?? null,
    ...(body.standby ? { standby: body.standby } : {}),
  };
}

function checkSession(s: StoredSession, index: number): void {
  checkTenantId(s.tenantId);
  if (typeof s.id !== "string" || s.id === "") {
    throw new AppError(
      "invalid_argument",
      `Invalid argument "sessions[${index}].id": must not be empty`,
    );
  }
  for (const key of ["startedAt", "updatedAt", "lastSeq"] as const) {
    if (!Number.isSafeInteger(s[key]) || s[key] < 0) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "sessions[${index}].${key}": must be a whole number of at least 0`,
      );
    }
  }
}

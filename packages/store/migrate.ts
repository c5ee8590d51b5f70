import { AppError } from "@spiritstream/contracts";
import type { Db, Migration } from "./db.ts";

/** Advisory lock keys: one bigint for creating the table, (namespace, hash(service)) per service. */
const TABLE_LOCK = 0x5353_4d49_4752; // "SSMIGR"
const SERVICE_LOCK_NAMESPACE = 0x5353_4d47; // "SSMG"

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  service TEXT NOT NULL,
  id TEXT NOT NULL,
  applied_at BIGINT NOT NULL,
  PRIMARY KEY (service, id)
)`;

/**
 * Applies the service's pending migrations in order, each in its own transaction, recording them
 * in `schema_migrations`; returns the ids it applied. Idempotent, and safe when several replicas
 * start at once (PostgreSQL: an advisory lock per service; ids are re-checked under the lock).
 */
export async function migrate(
  db: Db,
  service: string,
  migrations: readonly Migration[],
): Promise<string[]> {
  checkMigrations(service, migrations);
  await db.transaction(async (tx) => {
    // Concurrent CREATE TABLE IF NOT EXISTS can still collide in PostgreSQL's catalog.
    if (tx.dialect === "postgres") await tx.query("SELECT pg_advisory_xact_lock($1)", [TABLE_LOCK]);
    await tx.exec(CREATE_TABLE);
  });
  const known = await appliedIds(db, service);
  const applied: string[] = [];
  for (const migration of migrations) {
    if (known.has(migration.id)) continue;
    const ran = await db.transaction(async (tx) => {
      if (tx.dialect === "postgres") {
        await tx.query("SELECT pg_advisory_xact_lock($1, $2)", [
          SERVICE_LOCK_NAMESPACE,
          hash32(service),
        ]);
      }
      // Another replica may have applied it while we waited for the lock (SQLite: BEGIN IMMEDIATE).
      if ((await appliedIds(tx, service)).has(migration.id)) return false;
      const sql = typeof migration.sql === "string" ? migration.sql : migration.sql[tx.dialect];
      try {
        await tx.exec(sql);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw new AppError("internal", `Migration "${service}/${migration.id}" failed: ${reason}`, {
          cause: error,
        });
      }
      await tx.exec("INSERT INTO schema_migrations (service, id, applied_at) VALUES ($1, $2, $3)", [
        service,
        migration.id,
        Date.now(),
      ]);
      return true;
    });
    if (ran) applied.push(migration.id);
  }
  return applied;
}

async function appliedIds(db: Db, service: string): Promise<Set<string>> {
  const rows = await db.query<{ id: string }>(
    "SELECT id FROM schema_migrations WHERE service = $1",
    [service],
  );
  return new Set(rows.map((row) => row.id));
}

function checkMigrations(service: string, migrations: readonly Migration[]): void {
  if (service.trim() === "") {
    throw new AppError("invalid_argument", 'Invalid argument "service": must not be empty');
  }
  migrations.forEach((migration, index) => {
    const previous = migrations[index - 1];
    if (migration.id.trim() === "") {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "migrations[${index}].id": must not be empty`,
      );
    }
    if (previous && previous.id >= migration.id) {
      throw new AppError(
        "invalid_argument",
        `Invalid argument "migrations[${index}].id": must sort after "${previous.id}", got "${migration.id}"`,
      );
    }
  });
}

/** FNV-1a of the service name as a signed 32-bit int (an advisory lock key). */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}

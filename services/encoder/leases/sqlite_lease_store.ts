import { AppError } from "@spiritstream/contracts";
import { type Db, migrate, type Migration } from "@spiritstream/store";
import { openSqlite } from "@spiritstream/store/sqlite";
import type { LeaseStore, StoredEntry, StoreWatch } from "./lease_store.ts";

const MIGRATIONS: Migration[] = [{
  id: "001_lease_entries",
  sql: `CREATE TABLE lease_entries (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,
    revision BIGINT NOT NULL
  );
  CREATE TABLE lease_revision (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    revision BIGINT NOT NULL
  );
  INSERT INTO lease_revision (id, revision) VALUES (1, 0);`,
}];

interface Watcher {
  prefix: string;
  onChange(key: string, entry: StoredEntry | null): void;
}

/** A change to tell the watchers about once its transaction committed. */
interface Change {
  key: string;
  entry: StoredEntry | null;
}

/** Options for {@linkcode openSqliteLeaseStore}. */
export interface SqliteLeaseStoreOptions {
  /** How long opening waits for another process to let go of the file. @default 2000 */
  busyTimeoutMs?: number;
}

/**
 * The desktop's durable {@linkcode LeaseStore}: one SQLite file (0600, WAL) holding the desired
 * state, so a host killed mid-stream finds it again on its next start. The file is held in
 * SQLite's exclusive locking mode for as long as the store is open: a second host on the same
 * data dir is refused (it would run the same streams twice, or clear them on its way out),
 * and a crashed host's lock goes with its process. Writes are durable when acknowledged
 * (`synchronous=FULL`, see `openSqlite`). Revisions come from one counter kept in the
 * file, so they keep growing across restarts.
 */
export async function openSqliteLeaseStore(
  path: string,
  options: SqliteLeaseStoreOptions = {},
): Promise<SqliteLeaseStore> {
  let db: Db | null = null;
  try {
    db = openSqlite(path, { busyTimeoutMs: options.busyTimeoutMs ?? 2000 });
    await db.exec("PRAGMA locking_mode = EXCLUSIVE");
    await migrate(db, "encoder", MIGRATIONS);
    // A write takes the exclusive lock now rather than at the first command.
    await db.exec("UPDATE lease_revision SET revision = revision WHERE id = 1");
  } catch (error) {
    await db?.close().catch(() => {});
    if (!/database is locked|SQLITE_BUSY/i.test(String(error))) throw error;
    throw new AppError(
      "failed_precondition",
      `Another SpiritStream host is using ${path}: quit it first (one host per data dir)`,
    );
  }
  return new SqliteLeaseStore(db);
}

/** See {@linkcode openSqliteLeaseStore}. */
export class SqliteLeaseStore implements LeaseStore {
  readonly #db: Db;
  readonly #watchers = new Set<Watcher>();
  /** Writes run one at a time, so watchers hear them in revision order. */
  #tail: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(db: Db) {
    this.#db = db;
  }

  async get(key: string): Promise<StoredEntry | null> {
    const [row] = await this.#db.query<{ value: string; revision: number }>(
      "SELECT value, revision FROM lease_entries WHERE key = $1",
      [key],
    );
    return row ? { value: JSON.parse(row.value), revision: Number(row.revision) } : null;
  }

  create(key: string, value: unknown): Promise<number | null> {
    return this.#write(async (tx) => {
      if (await revisionOf(tx, key) !== null) return { result: null };
      return await write(tx, key, value);
    });
  }

  update(key: string, value: unknown, revision: number): Promise<number | null> {
    return this.#write(async (tx) => {
      if (await revisionOf(tx, key) !== revision) return { result: null };
      return await write(tx, key, value);
    });
  }

  put(key: string, value: unknown): Promise<number> {
    return this.#write((tx) => write(tx, key, value));
  }

  delete(key: string, revision?: number): Promise<boolean> {
    return this.#write(async (tx) => {
      const current = await revisionOf(tx, key);
      if (revision !== undefined && current !== revision) return { result: false };
      if (current === null) return { result: true };
      await tx.exec("DELETE FROM lease_entries WHERE key = $1", [key]);
      await nextRevision(tx);
      return { result: true, changes: [{ key, entry: null }] };
    });
  }

  async keys(prefix: string): Promise<string[]> {
    const head = `${prefix}.`;
    const rows = await this.#db.query<{ key: string }>(
      "SELECT key FROM lease_entries WHERE substr(key, 1, length($1)) = $1 ORDER BY key",
      [head],
    );
    return rows.map((row) => row.key);
  }

  watch(prefix: string, onChange: (key: string, entry: StoredEntry | null) => void): StoreWatch {
    const watcher = { prefix, onChange };
    this.#watchers.add(watcher);
    return {
      ready: Promise.resolve(),
      close: () => {
        this.#watchers.delete(watcher);
        return Promise.resolve();
      },
    };
  }

  /** Deletes every entry (the desktop's clean quit: nothing is resumed on the next start). */
  clear(): Promise<void> {
    return this.#write(async (tx) => {
      const rows = await tx.query<{ key: string }>("SELECT key FROM lease_entries");
      if (rows.length === 0) return { result: undefined };
      await tx.exec("DELETE FROM lease_entries");
      await nextRevision(tx);
      return { result: undefined, changes: rows.map((row) => ({ key: row.key, entry: null })) };
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#watchers.clear();
    await this.#tail.catch(() => {});
    await this.#db.close();
  }

  /** Runs one write transaction after the previous one, then tells the watchers. */
  #write<T>(work: (tx: Db) => Promise<{ result: T; changes?: Change[] }>): Promise<T> {
    const run = this.#tail.then(async () => {
      const { result, changes = [] } = await this.#db.transaction(work);
      for (const change of changes) this.#notify(change);
      return result;
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  #notify({ key, entry }: Change): void {
    for (const watcher of this.#watchers) {
      if (!key.startsWith(`${watcher.prefix}.`)) continue;
      const copy = entry && { value: structuredClone(entry.value), revision: entry.revision };
      queueMicrotask(() => {
        if (this.#watchers.has(watcher)) watcher.onChange(key, copy);
      });
    }
  }
}

async function revisionOf(tx: Db, key: string): Promise<number | null> {
  const [row] = await tx.query<{ revision: number }>(
    "SELECT revision FROM lease_entries WHERE key = $1",
    [key],
  );
  return row ? Number(row.revision) : null;
}

async function nextRevision(tx: Db): Promise<number> {
  const [row] = await tx.query<{ revision: number }>(
    "UPDATE lease_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision",
  );
  return Number(row!.revision);
}

async function write(
  tx: Db,
  key: string,
  value: unknown,
): Promise<{ result: number; changes: Change[] }> {
  const json = JSON.stringify(value ?? null);
  const revision = await nextRevision(tx);
  await tx.exec(
    `INSERT INTO lease_entries (key, value, revision) VALUES ($1, $2, $3)
     ON CONFLICT (key) DO UPDATE SET value = excluded.value, revision = excluded.revision`,
    [key, json, revision],
  );
  return { result: revision, changes: [{ key, entry: { value: JSON.parse(json), revision } }] };
}

import { AsyncLocalStorage } from "node:async_hooks";
import { DatabaseSync, type SQLInputValue, type StatementSync } from "node:sqlite";
import { AppError } from "@spiritstream/contracts";
import { bindParams } from "./bind_params.ts";
import type { Db, Row } from "./db.ts";
import { toSqliteSql } from "./sqlite_sql.ts";

/** Options for {@linkcode openSqlite}. */
export interface SqliteOptions {
  /** How long a write waits for another process's lock before failing. @default 5000 */
  busyTimeoutMs?: number;
}

/**
 * Opens (creating it and its parent dirs if needed) an SQLite file as a {@linkcode Db}: WAL,
 * `synchronous=FULL` so an acknowledged write survives a crash, foreign keys on. The one
 * connection is shared, so transactions (and statements issued while one runs) are queued;
 * open each file once per process.
 */
export function openSqlite(path: string, options: SqliteOptions = {}): Db {
  const { busyTimeoutMs = 5000 } = options;
  const inMemory = path === ":memory:" || path.startsWith("file:");
  const slash = path.lastIndexOf("/");
  if (!inMemory) {
    if (slash > 0) Deno.mkdirSync(path.slice(0, slash), { recursive: true, mode: 0o700 });
    ownerOnly(path);
  }
  const database = new DatabaseSync(path);
  try {
    // busy_timeout first: switching to WAL needs a lock another process may hold.
    database.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(busyTimeoutMs))}`);
    database.exec("PRAGMA journal_mode = WAL");
    database.exec("PRAGMA synchronous = FULL");
    database.exec("PRAGMA foreign_keys = ON");
  } catch (error) {
    database.close();
    throw error;
  }
  const connection = new Connection(database);
  return handle(connection, { lane: new Lane(), depth: 0, finished: false });
}

/**
 * Creates the file 0600 before SQLite does (SQLite gives it 0644 less the umask, and its -wal and
 * -shm files take the database file's mode), and takes group and other access away from an
 * existing one and its -wal, -shm and -journal files. (Windows has no modes: a user's profile
 * folder is private by its ACL.)
 */
function ownerOnly(path: string): void {
  if (Deno.build.os === "windows") return;
  try {
    Deno.openSync(path, { write: true, createNew: true, mode: 0o600 }).close();
    Deno.chmodSync(path, 0o600);
    return;
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  for (const file of [path, `${path}-wal`, `${path}-shm`, `${path}-journal`]) {
    let mode: number;
    try {
      mode = Deno.statSync(file).mode ?? 0;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) continue;
      throw error;
    }
    if (mode & 0o077) Deno.chmodSync(file, mode & 0o700);
  }
}

/** Runs work one piece at a time, in call order. */
class Lane {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(work: () => T | Promise<T>): Promise<T> {
    const result = this.#tail.then(work);
    this.#tail = result.catch(() => {});
    return result;
  }
}

/** The root handle (depth 0) or one transaction level; each level serialises its own work. */
interface Scope {
  lane: Lane;
  depth: number;
  finished: boolean;
}

/** A lane held by a running transaction, visible to the code running inside it. */
interface Hold {
  lane: Lane;
  active: boolean;
}

interface Prepared {
  statement: StatementSync;
  /** Columns declared BOOLEAN, read back as true/false rather than 1/0. */
  booleans: string[];
}

const MAX_CACHED_STATEMENTS = 256;

class Connection {
  readonly #database: DatabaseSync;
  readonly #statements = new Map<string, Prepared>();
  readonly #holds = new AsyncLocalStorage<Hold[]>();
  #closed = false;

  constructor(database: DatabaseSync) {
    this.#database = database;
  }

  /** Queues `work` behind everything already running at `scope`'s level. */
  serial<T>(scope: Scope, work: () => T | Promise<T>): Promise<T> {
    const holds = this.#holds.getStore() ?? [];
    if (holds.some((hold) => hold.lane === scope.lane && hold.active)) {
      // The caller is inside a transaction that holds this lane: waiting would never end.
      return Promise.reject(
        new Error("Db used inside its own transaction: use the tx handle passed to transaction()"),
      );
    }
    return scope.lane.run(() => {
      if (scope.finished) throw new Error("Transaction already finished: its tx handle is stale");
      return work();
    });
  }

  all(sql: string, params: readonly unknown[]): Row[] {
    this.#assertOpen();
    const { text, script } = toSqliteSql(sql);
    if (script) throw new Error("query() takes one statement: run scripts with exec()");
    const { statement, booleans } = this.#prepare(text);
    const rows = statement.all(...bind(params)) as Row[];
    return rows.map((row) => {
      const plain: Row = { ...row };
      for (const name of booleans) {
        const value = plain[name];
        if (typeof value === "number" || typeof value === "bigint") plain[name] = value !== 0;
      }
      return plain;
    });
  }

  run(sql: string, params: readonly unknown[]): number {
    this.#assertOpen();
    const { text, script } = toSqliteSql(sql);
    if (/^\s*(create|alter|drop)\b/i.test(text) || script) this.#statements.clear();
    if (!script) {
      const result = this.#prepare(text).statement.run(...bind(params));
      return Number(result.changes);
    }
    if (params.length > 0) throw new Error("exec() takes no params with several statements");
    const before = this.#totalChanges();
    this.#database.exec(text);
    return this.#totalChanges() - before;
  }

  async transaction<T>(parent: Scope, fn: (tx: Db) => Promise<T>): Promise<T> {
    this.#assertOpen();
    const depth = parent.depth + 1;
    const savepoint = `spiritstream_${depth}`;
    this.#database.exec(depth === 1 ? "BEGIN IMMEDIATE" : `SAVEPOINT ${savepoint}`);
    const scope: Scope = { lane: new Lane(), depth, finished: false };
    const hold: Hold = { lane: parent.lane, active: true };
    try {
      const holds = [...(this.#holds.getStore() ?? []), hold];
      const result = await this.#holds.run(holds, () => fn(handle(this, scope)));
      await scope.lane.run(() => {}); // statements fired without await finish inside
      scope.finished = true;
      this.#database.exec(depth === 1 ? "COMMIT" : `RELEASE ${savepoint}`);
      return result;
    } catch (error) {
      scope.finished = true;
      try {
        this.#database.exec(
          depth === 1 ? "ROLLBACK" : `ROLLBACK TO ${savepoint}; RELEASE ${savepoint}`,
        );
      } catch {
        // SQLite already rolled back (e.g. after an I/O error); the original error matters.
      }
      throw error;
    } finally {
      hold.active = false;
    }
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#statements.clear();
    this.#database.close();
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("Database is closed");
  }

  #prepare(text: string): Prepared {
    let prepared = this.#statements.get(text);
    if (!prepared) {
      const statement = this.#database.prepare(text);
      const booleans = statement.columns()
        .filter((column) => column.type !== null && /^bool/i.test(column.type))
        .map((column) => column.name);
      prepared = { statement, booleans };
      if (this.#statements.size >= MAX_CACHED_STATEMENTS) {
        this.#statements.delete(this.#statements.keys().next().value!);
      }
      this.#statements.set(text, prepared);
    }
    return prepared;
  }

  #totalChanges(): number {
    const row = this.#database.prepare("SELECT total_changes() AS n").get() as { n: number };
    return Number(row.n);
  }
}

function handle(connection: Connection, scope: Scope): Db {
  return {
    dialect: "sqlite",
    query<T extends Row = Row>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
      return connection.serial(scope, () => connection.all(sql, params) as T[]).catch(diskFull);
    },
    exec(sql: string, params: readonly unknown[] = []): Promise<number> {
      return connection.serial(scope, () => connection.run(sql, params)).catch(diskFull);
    },
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      return connection.serial(scope, () => connection.transaction(scope, fn)).catch(diskFull);
    },
    async ping(): Promise<void> {
      await connection.serial(scope, () => connection.all("SELECT 1", []));
    },
    close(): Promise<void> {
      if (scope.depth > 0) {
        return Promise.reject(new Error("close() belongs to the Db, not to a tx handle"));
      }
      return connection.serial(scope, () => connection.close());
    },
  };
}

/** SQLITE_FULL (or ENOSPC under it) becomes a clear, retryable error instead of "Internal error". */
function diskFull(error: unknown): never {
  const { errcode, message } = (error ?? {}) as { errcode?: unknown; message?: unknown };
  const full = (typeof errcode === "number" && (errcode & 0xff) === 13) ||
    /database or disk is full|no space left on device/i.test(String(message ?? ""));
  if (!full) throw error;
  throw new AppError(
    "unavailable",
    "Cannot save: the disk holding the data folder is full. Free some space and try again",
    { cause: error },
  );
}

function bind(params: readonly unknown[]): SQLInputValue[] {
  return bindParams(params, "sqlite") as SQLInputValue[];
}

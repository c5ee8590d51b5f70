/** A row as returned by a query: column name to value. */
export type Row = Record<string, unknown>;

/** Which SQL engine a Db speaks; migrations may differ per dialect. */
export type Dialect = "sqlite" | "postgres";

/**
 * The store port: a small SQL surface both SQLite (desktop) and PostgreSQL (server) implement.
 * SQL uses `$1, $2…` placeholders in both dialects. Params may be strings, numbers (integers
 * within 2^53), booleans, null, bigints and bytes; BIGINT columns read back as numbers (bigint
 * beyond 2^53 on PostgreSQL) and BOOLEAN columns as booleans in both dialects.
 */
export interface Db {
  readonly dialect: Dialect;
  /** Runs a statement and returns its rows. */
  query<T extends Row = Row>(sql: string, params?: readonly unknown[]): Promise<T[]>;
  /**
   * Runs a statement and returns how many rows it changed. Without params it may also run a
   * script of several `;`-separated statements (migrations), whose count is unspecified.
   */
  exec(sql: string, params?: readonly unknown[]): Promise<number>;
  /**
   * Runs `fn` in one transaction: committed when it resolves, rolled back (and rethrown) when it
   * throws. Inside `fn` use `tx`, not the outer handle; `tx.transaction` nests as a savepoint.
   */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
  /** Checks the store answers (for `/ready`). */
  ping(): Promise<void>;
  /** Closes the connection(s) after work already queued; the handle is unusable afterwards. */
  close(): Promise<void>;
}

/** One schema step of one service. */
export interface Migration {
  /** Unique and ordered within the service, e.g. `001_settings`. */
  id: string;
  /** SQL for both dialects, or one per dialect. */
  sql: string | Record<Dialect, string>;
}

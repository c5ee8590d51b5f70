import postgres from "postgres";
import { AppError } from "@spiritstream/contracts";
import { bindParams } from "./bind_params.ts";
import type { Db, Row } from "./db.ts";

/** Options for {@linkcode openPostgres}. */
export interface PostgresOptions {
  /** Pool size. @default 10 */
  max?: number;
  /** How long opening a connection may take before the call fails as unavailable. @default 10 */
  connectTimeoutSeconds?: number;
}

/**
 * Opens a pooled PostgreSQL {@linkcode Db} (connections are made on first use). Connection
 * failures surface as `AppError("unavailable", "Database unavailable")`; the URL and its password
 * never appear in error messages.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): Db {
  const { max = 10, connectTimeoutSeconds = 10 } = options;
  let sql: postgres.Sql;
  try {
    sql = postgres(url, {
      max,
      connect_timeout: connectTimeoutSeconds,
      onnotice: () => {}, // postgres.js would print NOTICEs to the console
      types: { bigint: INT8 },
    });
  } catch {
    // The parser's error quotes the URL, password included: drop it.
    throw new AppError("invalid_argument", 'Invalid argument "url": must be a postgres:// URL');
  }
  return handle(sql, { depth: 0, finished: false });
}

/** BIGINT (int8) as a number while it is exact, else as a bigint; postgres.js gives strings. */
const INT8 = {
  to: 20,
  from: [20],
  serialize: (value: number | bigint) => String(value),
  parse: (text: string) => {
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : BigInt(text);
  },
};

interface Scope {
  depth: number;
  finished: boolean;
}

function handle(sql: postgres.Sql | postgres.TransactionSql, scope: Scope): Db {
  function run(text: string, params: readonly unknown[]) {
    if (scope.finished) throw new Error("Transaction already finished: its tx handle is stale");
    // Without params postgres.js uses the simple protocol, which also runs multi-statement scripts.
    return sql.unsafe(text, bindParams(params, "postgres") as postgres.ParameterOrJSON<never>[]);
  }
  async function nested<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
    const inner = async (tx: postgres.TransactionSql) => {
      const txScope: Scope = { depth: scope.depth + 1, finished: false };
      try {
        return await fn(handle(tx, txScope));
      } finally {
        txScope.finished = true;
      }
    };
    const result = scope.depth === 0
      ? await (sql as postgres.Sql).begin(inner)
      : await (sql as postgres.TransactionSql).savepoint(inner);
    return result as T;
  }
  return {
    dialect: "postgres",
    query<T extends Row = Row>(text: string, params: readonly unknown[] = []): Promise<T[]> {
      return guard(async () => [...await run(text, params)] as unknown as T[]);
    },
    exec(text: string, params: readonly unknown[] = []): Promise<number> {
      return guard(async () => countOf(await run(text, params)));
    },
    transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T> {
      return guard(() => nested(fn));
    },
    async ping(): Promise<void> {
      await guard(() => run("SELECT 1", []));
    },
    async close(): Promise<void> {
      if (scope.depth > 0) throw new Error("close() belongs to the Db, not to a tx handle");
      await (sql as postgres.Sql).end({ timeout: 5 });
    },
  };
}

/** A script may return one result per statement that has rows; sum what postgres.js reports. */
function countOf(result: postgres.RowList<postgres.Row[]>): number {
  const parts = (result as unknown[]).every(isRowList) && result.length > 0
    ? (result as unknown as postgres.RowList<postgres.Row[]>[])
    : [result];
  return parts.reduce((sum, part) => sum + (part.count ?? 0), 0);
}

function isRowList(value: unknown): value is postgres.RowList<postgres.Row[]> {
  return Array.isArray(value) && "command" in value;
}

/** Network and server-state failures, by Node errno, postgres.js code or SQLSTATE. */
const UNAVAILABLE_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "57P01", // admin_shutdown
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now
  "53300", // too_many_connections
  "28000", // invalid_authorization_specification
  "28P01", // invalid_password
  "3D000", // invalid_catalog_name: the database does not exist
]);

function isUnavailable(error: unknown): boolean {
  if (error instanceof AppError || !(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== "string") return false;
  return UNAVAILABLE_CODES.has(code) || code.startsWith("08"); // 08xxx: connection_exception
}

async function guard<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUnavailable(error)) {
      throw new AppError("unavailable", "Database unavailable", { cause: error });
    }
    throw error;
  }
}

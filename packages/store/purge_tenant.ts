import type { Db } from "./db.ts";

/** A table holding per-tenant rows, and the column naming the tenant. */
export interface TenantTable {
  table: string;
  /** @default "tenant_id" */
  column?: string;
}

/**
 * Deletes every row of a tenant from the given tables in one transaction, in the order given
 * (children before parents), and answers how many rows each lost. Each service passes its own
 * tables: services never touch each other's.
 */
export async function purgeTenantRows(
  db: Db,
  tables: readonly TenantTable[],
  tenantId: string,
): Promise<Record<string, number>> {
  return await db.transaction(async (tx) => {
    const removed: Record<string, number> = {};
    for (const { table, column = "tenant_id" } of tables) {
      if (!/^[a-z_][a-z0-9_]*$/.test(table) || !/^[a-z_][a-z0-9_]*$/.test(column)) {
        throw new Error(`not a table or column name: ${table}.${column}`);
      }
      removed[table] = await tx.exec(`DELETE FROM ${table} WHERE ${column} = $1`, [tenantId]);
    }
    return removed;
  });
}

/**
 * The tables of a database that have a `tenant_id` column (any schema's `information_schema`
 * on PostgreSQL, `sqlite_master` on SQLite): what a service's purge list must cover.
 */
export async function tablesWithTenantColumn(db: Db): Promise<string[]> {
  if (db.dialect === "postgres") {
    const rows = await db.query<{ table_name: string }>(
      `SELECT DISTINCT table_name FROM information_schema.columns
WHERE column_name = 'tenant_id' AND table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY table_name`,
    );
    return rows.map((row) => String(row.table_name));
  }
  const tables = await db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name",
  );
  const found: string[] = [];
  for (const { name } of tables) {
    const columns = await db.query<{ name: string }>(
      `SELECT name FROM pragma_table_info($1)`,
      [String(name)],
    );
    if (columns.some((column) => column.name === "tenant_id")) found.push(String(name));
  }
  return found;
}

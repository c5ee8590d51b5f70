/**
 * The store port: a small SQL surface ({@linkcode Db}) with SQLite (`@spiritstream/store/sqlite`)
 * and PostgreSQL (`@spiritstream/store/postgres`) adapters, plus per-service migrations.
 * @module
 */
export type { Db, Dialect, Migration, Row } from "./db.ts";
export { migrate } from "./migrate.ts";
export { purgeTenantRows, tablesWithTenantColumn, type TenantTable } from "./purge_tenant.ts";

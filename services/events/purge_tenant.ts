import type { TenantTable } from "@spiritstream/store";

/**
 * Every events table with per-tenant rows (`events_cursor` is the consumer's, not a tenant's).
 * `purge_tenant_test.ts` checks this list covers every table the migrations make.
 */
export const EVENTS_TENANT_TABLES: readonly TenantTable[] = [
  { table: "events_sessions" },
  { table: "events_log" },
];

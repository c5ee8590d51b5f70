import type { TenantTable } from "@spiritstream/store";

/**
 * Every profiles table with per-tenant rows, children first. `data_keys` holds the tenant's
 * sealed data keys: once gone, nothing of the tenant's sealed stream keys can be opened again.
 * `purge_tenant_test.ts` checks this list covers every table the migrations make.
 */
export const PROFILES_TENANT_TABLES: readonly TenantTable[] = [
  { table: "alert_sends" },
  { table: "oauth_flows" },
  { table: "oauth_refresh_leases" },
  { table: "active_profiles" },
  { table: "profiles" },
  { table: "settings" },
  { table: "data_keys" },
];

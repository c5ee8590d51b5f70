import assert from "node:assert/strict";
import { tablesWithTenantColumn } from "@spiritstream/store";
import { openMigratedSqlite } from "@spiritstream/testing";
import { PROFILES_MIGRATIONS } from "./migrations.ts";
import { PROFILES_TENANT_TABLES } from "./purge_tenant.ts";

Deno.test("PROFILES_TENANT_TABLES covers every profiles table with a tenant_id column", async () => {
  const { db, cleanup } = await openMigratedSqlite("profiles", PROFILES_MIGRATIONS);
  try {
    const listed = PROFILES_TENANT_TABLES.map((entry) => entry.table);
    const found = await tablesWithTenantColumn(db);
    assert.ok(found.includes("data_keys"));
    for (const table of found) assert.ok(listed.includes(table), table);
  } finally {
    await cleanup();
  }
});

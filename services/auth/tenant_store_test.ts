import assert from "node:assert/strict";
import { tablesWithTenantColumn } from "@spiritstream/store";
import { openMigratedSqlite } from "@spiritstream/testing";
import { AUTH_MIGRATIONS } from "./migrations.ts";
import { AUTH_TENANT_TABLES } from "./tenant_store.ts";

Deno.test("AUTH_TENANT_TABLES covers every auth table with a tenant_id column", async () => {
  const { db, cleanup } = await openMigratedSqlite("auth", AUTH_MIGRATIONS);
  try {
    const listed = AUTH_TENANT_TABLES.map((entry) => entry.table);
    const found = await tablesWithTenantColumn(db);
    assert.ok(found.includes("auth_invites"));
    for (const table of found) assert.ok(listed.includes(table), table);
  } finally {
    await cleanup();
  }
});

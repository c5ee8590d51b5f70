import assert from "node:assert/strict";
import { type Db, migrate } from "@spiritstream/store";
import { openMigratedSqlite, startMigratedPostgres } from "@spiritstream/testing";
import { createAuthStore } from "./auth_store.ts";
import { AUTH_MIGRATIONS } from "./migrations.ts";

const BEFORE_TENANT_EMAIL = AUTH_MIGRATIONS.filter((m) => m.id < "003_tenant_email");

/** A database at the schema before per-tenant emails, with a user, a session, a refresh token. */
async function seedOldSchema(db: Db): Promise<void> {
  await db.exec("INSERT INTO auth_tenants (id, name, created_at) VALUES ('local', 'L', 1)");
  await db.exec("INSERT INTO auth_tenants (id, name, created_at) VALUES ('tb', 'B', 1)");
  await db.exec(
    `INSERT INTO auth_users (id, tenant_id, email, password_hash, role, disabled, created_at)
VALUES ('u1', 'local', 'a@x.io', '$h', 'admin', FALSE, 5)`,
  );
  await db.exec(
    `INSERT INTO auth_sessions (hash, tenant_id, user_id, created_at, expires_at)
VALUES ('s1', 'local', 'u1', 1, 9999999999999)`,
  );
  await db.exec(
    `INSERT INTO auth_refresh_tokens (hash, family_id, tenant_id, user_id, created_at, expires_at)
VALUES ('r1', 'f1', 'local', 'u1', 1, 9999999999999)`,
  );
}

async function checkUpgrade(db: Db): Promise<void> {
  await seedOldSchema(db);
  assert.deepEqual(await migrate(db, "auth", AUTH_MIGRATIONS), [
    "003_tenant_email",
    "004_tenant_sso",
    "101_tenant_lifecycle",
    "102_domain_claims",
  ]);
  const store = createAuthStore(db);
  assert.equal((await store.userByEmail("local", "a@x.io"))?.id, "u1", "users are kept");
  assert.equal((await store.sessionByHash("s1"))?.userId, "u1", "sessions are kept");
  assert.equal((await store.refreshByHash("r1"))?.familyId, "f1", "refresh tokens are kept");
  const twin = {
    id: "u2",
    tenantId: "tb",
    email: "a@x.io",
    passwordHash: "$h",
    role: "viewer" as const,
    disabled: false,
    createdAt: 6,
    lastLoginAt: null,
  };
  assert.equal(await store.createUser(twin), true, "the email may now exist in another tenant");
  assert.equal(await store.createUser({ ...twin, id: "u3" }), false, "not twice in one tenant");
  assert.equal(await store.deleteUser("local", "u1"), true);
  assert.equal(await store.sessionByHash("s1"), null, "foreign keys still cascade to sessions");
}

Deno.test("AUTH_MIGRATIONS 003 on SQLite keeps rows and makes emails unique per tenant", async () => {
  const { db, cleanup } = await openMigratedSqlite("auth", BEFORE_TENANT_EMAIL);
  try {
    await checkUpgrade(db);
  } finally {
    await cleanup();
  }
});

Deno.test("AUTH_MIGRATIONS 003 on PostgreSQL keeps rows and makes emails unique per tenant", async () => {
  const { db, cleanup } = await startMigratedPostgres("auth", BEFORE_TENANT_EMAIL);
  try {
    await checkUpgrade(db);
  } finally {
    await cleanup();
  }
});

import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";
import { openMigratedSqlite, startMigratedPostgres } from "@spiritstream/testing";
import { AUTH_MIGRATIONS } from "./migrations.ts";
import { defaultSignIn, SignInStore, type StoredOidc } from "./sign_in_store.ts";

const OIDC: StoredOidc = {
  displayName: "Acme ID",
  issuer: "https://id.acme.test",
  clientId: "spiritstream",
  sealedClientSecret: "sealed:v1:xyz",
  scopes: "openid email",
  emailClaim: "email",
  groupsClaim: "groups",
  groupRoles: [{ group: "streamers", role: "operator" }],
  defaultRole: null,
  jit: true,
  requireVerifiedEmail: true,
};

async function signInContract(db: Db): Promise<void> {
  for (const id of ["ta", "tb"]) {
    await db.exec("INSERT INTO auth_tenants (id, name, created_at) VALUES ($1, $1, 1)", [id]);
  }
  const store = new SignInStore(db);
  assert.deepEqual(await store.get("ta"), defaultSignIn("ta"), "defaults before any setting");
  const acme = {
    tenantId: "ta",
    slug: "acme",
    domains: ["acme.test", "acme.io"],
    pendingDomains: [],
    passwordLogin: false,
    oidc: OIDC,
    updatedAt: 5,
  };
  await store.set(acme, "u-boss");
  assert.deepEqual(await store.get("ta"), {
    ...acme,
    domains: ["acme.io", "acme.test"],
    pendingDomains: ["acme.io", "acme.test"],
  });
  assert.equal(await store.tenantBySlug("ACME"), "ta");
  assert.equal(await store.tenantByDomain("acme.io"), null, "listed is not approved");
  // Tenant B lists the same domain while A's claim waits: both wait, the host operator picks.
  await store.set({ ...defaultSignIn("tb"), domains: ["acme.io"], updatedAt: 6 });
  assert.deepEqual((await store.claims()).map((c) => [c.tenantId, c.domain, c.requestedBy]), [
    ["ta", "acme.io", "u-boss"],
    ["ta", "acme.test", "u-boss"],
    ["tb", "acme.io", null],
  ]);
  await store.decideClaim("ta", "acme.io", true);
  await store.decideClaim("ta", "acme.test", true);
  assert.equal(await store.tenantByDomain("acme.io"), "ta");
  assert.deepEqual((await store.get("ta")).pendingDomains, []);
  await assert.rejects(
    store.decideClaim("tb", "acme.io", true),
    (e) => e instanceof AppError && e.code === "conflict" && /"domain"/.test(e.message),
  );
  assert.deepEqual(
    (await store.get("tb")).pendingDomains,
    ["acme.io"],
    "a refused approval keeps the claim",
  );
  await store.decideClaim("tb", "acme.io", false);
  assert.deepEqual((await store.get("tb")).domains, [], "a rejected claim goes");
  await assert.rejects(
    store.decideClaim("tb", "acme.io", false),
    (e) => e instanceof AppError && e.code === "not_found" && /"domain"/.test(e.message),
  );
  await assert.rejects(
    store.set({ ...defaultSignIn("tb"), slug: "acme" }),
    (e) => e instanceof AppError && e.code === "conflict" && /"slug"/.test(e.message),
  );
  await assert.rejects(
    store.set({ ...defaultSignIn("tb"), domains: ["acme.io"] }),
    (e) => e instanceof AppError && e.code === "conflict" && /acme\.io/.test(e.message),
  );
  await store.set({ ...acme, domains: ["acme.test"], updatedAt: 6 });
  assert.equal(await store.tenantByDomain("acme.test"), "ta", "an approved domain stays approved");
  assert.equal(await store.tenantByDomain("acme.io"), null, "a dropped domain is released");
  await store.set({ ...defaultSignIn("tb"), slug: "beta", domains: ["acme.io"], updatedAt: 7 });
  assert.equal(await store.tenantByDomain("acme.io"), null);
  await store.decideClaim("tb", "acme.io", true);
  assert.equal(await store.tenantByDomain("acme.io"), "tb");

  const state = {
    hash: "h1",
    tenantId: "ta",
    nonce: "n",
    codeVerifier: "v",
    redirectUri: "https://x/auth/sso/callback",
    expiresAt: 100,
  };
  await store.addState(state);
  await store.addState({ ...state, hash: "h2", expiresAt: 10 });
  assert.deepEqual(await store.takeState("h1"), state);
  assert.equal(await store.takeState("h1"), null, "a state works once");
  assert.equal(await store.deleteExpiredStates(50), 1);
  assert.equal(await store.takeState("h2"), null);
  await db.exec("DELETE FROM auth_tenants WHERE id = 'ta'");
  assert.equal(await store.tenantBySlug("acme"), null, "a deleted tenant's settings go with it");
}

Deno.test("SignInStore on SQLite: settings, unique slug, domains only once approved, one-use states", async () => {
  const { db, cleanup } = await openMigratedSqlite("auth", AUTH_MIGRATIONS);
  try {
    await signInContract(db);
  } finally {
    await cleanup();
  }
});

Deno.test("SignInStore on PostgreSQL: settings, unique slug, domains only once approved, one-use states", async () => {
  const { db, cleanup } = await startMigratedPostgres("auth", AUTH_MIGRATIONS);
  try {
    await signInContract(db);
  } finally {
    await cleanup();
  }
});

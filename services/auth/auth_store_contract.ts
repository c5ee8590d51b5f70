import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import type { AuthStore, UserRecord } from "./auth_store.ts";

/** What {@linkcode authStoreContract} needs: a store over a freshly migrated, empty Db. */
export type CreateAuthStore = () => Promise<{ store: AuthStore; cleanup(): Promise<void> }>;

function user(
  id: string,
  tenantId: string,
  email: string,
  role: UserRecord["role"] = "admin",
): UserRecord {
  return {
    id,
    tenantId,
    email,
    passwordHash: `$argon2id$fake$${id}`,
    role,
    disabled: false,
    createdAt: 1_000 + id.length,
    lastLoginAt: null,
  };
}

/** Registers one `Deno.test` with a step per behaviour every auth store adapter must show. */
export function authStoreContract(name: string, create: CreateAuthStore): void {
  Deno.test(`${name} satisfies the AuthStore contract`, async (t) => {
    const { store, cleanup } = await create();
    try {
      await t.step("tenants are created once", async () => {
        assert.equal(await store.createTenant({ id: "ta", name: "A", createdAt: 1 }), true);
        assert.equal(await store.createTenant({ id: "ta", name: "A again", createdAt: 2 }), false);
        assert.equal(await store.createTenant({ id: "tb", name: "B", createdAt: 3 }), true);
        await assert.rejects(
          store.createTenant({ id: "", name: "empty", createdAt: 4 }),
          (e) => e instanceof AppError && /"tenantId"/.test(e.message),
        );
      });

      await t.step("users: create, find, list per tenant, email unique per tenant", async () => {
        assert.equal(await store.countUsers(), 0);
        assert.equal(await store.createUser(user("u1", "ta", "a@x.io")), true);
        assert.equal(await store.createUser(user("u2", "ta", "b@x.io", "viewer")), true);
        assert.equal(await store.createUser(user("u3", "tb", "c@x.io")), true);
        assert.equal(await store.createUser(user("u4", "ta", "a@x.io")), false, "taken in ta");
        assert.equal(await store.countUsers(), 3);
        assert.deepEqual(await store.userById("ta", "u1"), user("u1", "ta", "a@x.io"));
        assert.equal(await store.userById("tb", "u1"), null, "another tenant's user is invisible");
        assert.equal((await store.userByEmail("tb", "c@x.io"))?.id, "u3");
        assert.equal(await store.userByEmail("ta", "c@x.io"), null, "not in that tenant");
        assert.equal(await store.userByEmail("ta", "nobody@x.io"), null);
        assert.deepEqual((await store.listUsers("ta")).map((u) => u.id).sort(), ["u1", "u2"]);
        assert.deepEqual((await store.listUsers("tb")).map((u) => u.id), ["u3"]);
      });

      await t.step("users: update, admins count, login time, scoped delete", async () => {
        assert.equal(await store.countActiveAdmins("ta"), 1);
        const updated = await store.updateUser("ta", "u2", { role: "admin", disabled: true });
        assert.equal(updated?.role, "admin");
        assert.equal(updated?.disabled, true);
        assert.equal(await store.countActiveAdmins("ta"), 1, "disabled admins do not count");
        assert.equal(await store.updateUser("tb", "u2", { role: "viewer" }), null);
        assert.equal(
          (await store.userById("ta", "u2"))?.role,
          "admin",
          "other tenant cannot change it",
        );
        await store.updateUser("ta", "u2", { passwordHash: "$new" });
        assert.equal((await store.userById("ta", "u2"))?.passwordHash, "$new");
        await store.recordLogin("u1", 5_000);
        assert.equal((await store.userById("ta", "u1"))?.lastLoginAt, 5_000);
        assert.equal(await store.deleteUser("tb", "u2"), false, "other tenant cannot delete it");
        assert.equal(await store.deleteUser("ta", "u2"), true);
        assert.equal(await store.userById("ta", "u2"), null);
      });

      await t.step("sessions: create, find, delete, expire, end per user", async () => {
        const base = { tenantId: "ta", createdAt: 10, ip: "127.0.0.1" };
        await store.createSession({ ...base, hash: "s1", userId: "u1", expiresAt: 100 });
        await store.createSession({ ...base, hash: "s2", userId: null, expiresAt: 200 });
        await store.createSession({ ...base, hash: "s3", userId: "u1", expiresAt: 300 });
        assert.deepEqual(await store.sessionByHash("s2"), {
          ...base,
          hash: "s2",
          userId: null,
          expiresAt: 200,
        });
        assert.equal(await store.deleteSession("s2"), true);
        assert.equal(await store.deleteSession("s2"), false);
        assert.equal(await store.sessionByHash("s2"), null);
        assert.equal(await store.deleteExpired(150), 1);
        assert.equal(await store.sessionByHash("s1"), null);
        await store.endUserSessions("u1");
        assert.equal(await store.sessionByHash("s3"), null);
      });

      await t.step("API tokens: create, list per tenant, revoke once, touch", async () => {
        const base = {
          name: "ci",
          role: "viewer" as const,
          prefix: "sst_abcdef",
          createdBy: "u1",
          createdAt: 20,
          expiresAt: null,
          lastUsedAt: null,
          revokedAt: null,
        };
        await store.createApiToken({ ...base, id: "t1", tenantId: "ta", hash: "h1" });
        await store.createApiToken({
          ...base,
          id: "t2",
          tenantId: "tb",
          hash: "h2",
          createdBy: "u3",
        });
        assert.equal((await store.apiTokenByHash("h1"))?.id, "t1");
        assert.deepEqual((await store.listApiTokens("ta")).map((x) => x.id), ["t1"]);
        assert.equal(
          await store.revokeApiToken("tb", "t1", 30),
          null,
          "other tenant cannot revoke",
        );
        assert.equal(await store.revokeApiToken("ta", "t1", 30), "h1");
        assert.equal(await store.revokeApiToken("ta", "t1", 31), null, "only once");
        assert.equal((await store.apiTokenByHash("h1"))?.revokedAt, 30);
        assert.deepEqual(await store.listApiTokens("ta"), []);
        await store.touchApiToken("t2", 40);
        assert.equal((await store.apiTokenByHash("h2"))?.lastUsedAt, 40);
      });

      await t.step("refresh tokens: use once, revoke a family", async () => {
        const base = { familyId: "f1", tenantId: "ta", userId: "u1", createdAt: 1, usedAt: null };
        await store.createRefreshToken({ ...base, hash: "r1", expiresAt: 10_000 });
        await store.createRefreshToken({ ...base, hash: "r2", expiresAt: 10_000 });
        assert.equal(await store.markRefreshUsed("r1", 5), true);
        assert.equal(await store.markRefreshUsed("r1", 6), false, "a second use is refused");
        assert.equal((await store.refreshByHash("r1"))?.usedAt, 5);
        assert.equal(await store.revokeRefreshFamily("f1"), 2);
        assert.equal(await store.refreshByHash("r2"), null);
      });

      await t.step("audit: append, page newest first, scoped by tenant", async () => {
        const ids: number[] = [];
        for (let i = 0; i < 5; i++) {
          ids.push(
            await store.appendAudit({
              time: 100 + i,
              tenantId: i === 2 ? "tb" : "ta",
              userId: "u1",
              ip: "::1",
              action: `action_${i}`,
              outcome: i === 4 ? "error" : "ok",
              detail: i === 4 ? "it failed" : null,
              requestId: `req-${i}`,
            }),
          );
        }
        assert.ok(ids.every((id, i) => i === 0 || id > ids[i - 1]!), "ids grow");
        const page = await store.listAudit("ta", { limit: 2 });
        assert.deepEqual(page.map((e) => e.action), ["action_4", "action_3"]);
        assert.deepEqual(page[0], {
          id: ids[4],
          time: 104,
          tenantId: "ta",
          userId: "u1",
          ip: "::1",
          action: "action_4",
          outcome: "error",
          detail: "it failed",
          requestId: "req-4",
        });
        const next = await store.listAudit("ta", { limit: 10, before: page[1]!.id });
        assert.deepEqual(next.map((e) => e.action), ["action_1", "action_0"]);
        assert.deepEqual((await store.listAudit("tb", { limit: 10 })).map((e) => e.action), [
          "action_2",
        ]);
      });

      await t.step("setup tokens: add, check, clear", async () => {
        await store.addSetupToken("st1", 1);
        await store.addSetupToken("st1", 2);
        assert.equal(await store.setupTokenExists("st1"), true);
        assert.equal(await store.setupTokenExists("st2"), false);
        await store.clearSetupTokens();
        assert.equal(await store.setupTokenExists("st1"), false);
      });

      await t.step("signing key: the first one stored wins", async () => {
        assert.equal(await store.signingKey(), null);
        const key = { kid: "k1", privateJwk: '{"d":"x"}', publicJwk: '{"x":"y"}', createdAt: 1 };
        const results = await Promise.all([
          store.addSigningKey(key),
          store.addSigningKey({ ...key, kid: "k2" }),
        ]);
        assert.deepEqual(results.filter(Boolean).length, 1);
        const stored = await store.signingKey();
        assert.ok(stored?.kid === "k1" || stored?.kid === "k2");
        assert.equal(await store.addSigningKey({ ...key, kid: "k3" }), false);
        await store.setSigningKeyPrivate(stored!.kid, "sealed:v1:abc");
        assert.equal((await store.signingKey())?.privateJwk, "sealed:v1:abc");
        assert.equal((await store.signingKey())?.publicJwk, stored!.publicJwk);
        const fresh = { kid: "k9", privateJwk: '{"d":"z"}', publicJwk: '{"x":"w"}', createdAt: 2 };
        assert.equal(await store.replaceSigningKey(stored!.kid, fresh), true);
        assert.deepEqual(await store.signingKey(), fresh);
        assert.equal(await store.replaceSigningKey(stored!.kid, { ...fresh, kid: "k10" }), false);
        assert.equal((await store.signingKey())?.kid, "k9", "the first replacement wins");
      });

      await t.step("users: the same email in two tenants, each found in its own", async () => {
        await store.createTenant({ id: "tc", name: "C", createdAt: 1 });
        await store.createTenant({ id: "td", name: "D", createdAt: 1 });
        assert.equal(await store.createUser(user("u-c", "tc", "same@x.io")), true);
        assert.equal(await store.createUser(user("u-dd", "td", "same@x.io", "viewer")), true);
        assert.equal(await store.createUser(user("u-c2", "tc", "same@x.io")), false);
        assert.equal((await store.userByEmail("tc", "same@x.io"))?.id, "u-c");
        assert.equal((await store.userByEmail("td", "same@x.io"))?.role, "viewer");
        assert.deepEqual((await store.usersByEmail("same@x.io")).map((u) => u.id), [
          "u-c",
          "u-dd",
        ]);
      });

      await t.step("unicode and quotes survive", async () => {
        await store.createTenant({ id: "t-ü 🎥", name: "“Ünï” 'q' $1", createdAt: 1 });
        await store.createUser(user("u-ü", "t-ü 🎥", "ü@x.io"));
        assert.equal((await store.usersByEmail("ü@x.io"))[0]?.tenantId, "t-ü 🎥");
      });
    } finally {
      await cleanup();
    }
  });
}

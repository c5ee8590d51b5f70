import assert from "node:assert/strict";
import { AppError } from "@spiritstream/contracts";
import type { Db } from "@spiritstream/store";
import { createDataKeyStore } from "./data_key_store.ts";
import { createProfileStore, type ProfileWrite } from "./profile_store.ts";

/** What {@linkcode profileStoreContract} needs: a freshly migrated, empty Db. */
export type CreateProfileDb = () => Promise<{ db: Db; cleanup(): Promise<void> }>;

function write(id: string, name: string, extra: Partial<ProfileWrite> = {}): ProfileWrite {
  return { id, name, isProtected: false, body: `{"id":"${id}"}`, keyIds: ["dk-1"], ...extra };
}

/** Registers one `Deno.test` with a step per behaviour every profile store adapter must show. */
export function profileStoreContract(name: string, create: CreateProfileDb): void {
  Deno.test(`${name} satisfies the ProfileStore contract`, async (t) => {
    const { db, cleanup } = await create();
    const store = createProfileStore(db);
    try {
      await t.step("put() inserts, byId/byName read back, list is in order", async () => {
        await store.put("t1", write("a", "Alpha"));
        await store.put("t1", write("b", "Beta", { isProtected: true, keyIds: ["dk-1", "dk-2"] }));
        const beta = await store.byName("t1", "Beta");
        assert.equal(beta?.id, "b");
        assert.equal(beta?.isProtected, true);
        assert.deepEqual(beta?.keyIds, ["dk-1", "dk-2"]);
        assert.equal((await store.byId("t1", "a"))?.name, "Alpha");
        assert.deepEqual((await store.list("t1")).map((r) => [r.name, r.orderIndex]), [
          ["Alpha", 10],
          ["Beta", 20],
        ]);
        assert.equal(await store.byName("t1", "Gamma"), null);
      });

      await t.step("put() with the same id replaces the row; a rename moves it", async () => {
        const before = (await store.byId("t1", "a"))!;
        const result = await store.put("t1", write("a", "Alpha Two", { body: '{"v":2}' }));
        assert.deepEqual(result, { previousName: "Alpha" });
        const rows = await store.list("t1");
        assert.deepEqual(rows.map((r) => r.name), ["Alpha Two", "Beta"]);
        const after = rows[0]!;
        assert.equal(after.body, '{"v":2}');
        assert.equal(after.orderIndex, before.orderIndex, "a rename keeps its place");
        assert.equal(after.createdAt, before.createdAt);
        assert.deepEqual(await store.put("t1", write("a", "Alpha Two")), { previousName: null });
      });

      await t.step("put() refuses a name another profile has, changing nothing", async () => {
        await assert.rejects(
          store.put("t1", write("c", "Beta")),
          (e) =>
            e instanceof AppError && e.code === "conflict" && /"profile\.name"/.test(e.message),
        );
        await assert.rejects(store.put("t1", write("a", "Beta")), AppError);
        assert.deepEqual((await store.list("t1")).map((r) => [r.id, r.name]), [
          ["a", "Alpha Two"],
          ["b", "Beta"],
        ]);
      });

      await t.step("tenants are isolated (same ids and names in another tenant)", async () => {
        await store.put("t2", write("a", "Beta"));
        assert.equal((await store.byName("t2", "Beta"))?.id, "a");
        assert.equal((await store.byName("t1", "Beta"))?.id, "b");
        assert.deepEqual((await store.list("t2")).map((r) => r.orderIndex), [10]);
        assert.equal(await store.remove("t2", "b"), false);
      });

      await t.step("order indexes can be set and cleared; unordered rows sort last", async () => {
        await store.setOrderIndex("t1", "b", 5);
        await store.put("t1", write("z", "Zulu"));
        await store.setOrderIndex("t1", "z", null);
        assert.deepEqual((await store.list("t1")).map((r) => r.name), [
          "Beta",
          "Alpha Two",
          "Zulu",
        ]);
      });

      await t.step("the active profile is remembered while it exists", async () => {
        assert.equal(await store.activeProfileId("t1"), null);
        await store.setActiveProfile("t1", "b");
        await store.setActiveProfile("t1", "a");
        assert.equal(await store.activeProfileId("t1"), "a");
        assert.equal(await store.activeProfileId("t2"), null);
        await store.remove("t1", "a");
        assert.equal(await store.activeProfileId("t1"), null, "a deleted profile is not active");
      });

      await t.step(
        "removeAll() deletes one tenant's profiles and returns their names",
        async () => {
          assert.deepEqual(await store.removeAll("t1"), ["Beta", "Zulu"]);
          assert.deepEqual(await store.list("t1"), []);
          assert.equal((await store.list("t2")).length, 1);
        },
      );

      await t.step("a transaction that throws leaves no row behind", async () => {
        await assert.rejects(db.transaction(async (tx) => {
          await createProfileStore(tx).put("t3", write("x", "Rolled Back"));
          throw new Error("boom");
        }));
        assert.deepEqual(await store.list("t3"), []);
      });

      await t.step("unicode names and bodies survive", async () => {
        const body = JSON.stringify({ name: "Ünïcödé 🎥 配信", q: "'\"$1?1\\" });
        await store.put("t4", write("u", "Ünïcödé 🎥 配信", { body, keyIds: [] }));
        const row = await store.byName("t4", "Ünïcödé 🎥 配信");
        assert.equal(row?.body, body);
        assert.deepEqual(row?.keyIds, []);
      });

      await t.step("data keys: one active per tenant, statuses, rewrap and removal", async () => {
        const keys = createDataKeyStore(db);
        const row = {
          tenantId: "t1",
          keyId: "dk-a",
          rootKeyId: "m-1",
          wrapped: "AAAA",
          status: "active" as const,
          createdAt: 1,
        };
        await keys.insert(row);
        await assert.rejects(keys.insert({ ...row, keyId: "dk-b", createdAt: 2 }));
        await keys.setStatus("t1", "dk-a", "retired");
        await keys.insert({ ...row, keyId: "dk-b", createdAt: 2 });
        await keys.insert({ ...row, tenantId: "t2", keyId: "dk-c", createdAt: 3 });
        await keys.rewrap({ tenantId: "t1", keyId: "dk-a", rootKeyId: "m-2", wrapped: "BBBB" });
        assert.deepEqual(
          (await keys.list("t1")).map((k) => [k.keyId, k.status, k.rootKeyId, k.wrapped]),
          [
            ["dk-a", "retired", "m-2", "BBBB"],
            ["dk-b", "active", "m-1", "AAAA"],
          ],
        );
        assert.deepEqual((await keys.list()).map((k) => k.keyId), ["dk-a", "dk-b", "dk-c"]);
        await keys.remove("t1", "dk-a");
        assert.deepEqual((await keys.list("t1")).map((k) => k.keyId), ["dk-b"]);
      });

      await t.step("an empty tenant id is refused", async () => {
        await assert.rejects(
          store.list(""),
          (e) => e instanceof AppError && /"tenantId"/.test(e.message),
        );
        await assert.rejects(store.put("", write("a", "A")), AppError);
      });
    } finally {
      await cleanup();
    }
  });
}

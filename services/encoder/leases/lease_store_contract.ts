import assert from "node:assert/strict";
import { waitFor } from "@spiritstream/testing";
import { acquireLease, releaseLease, renewLease } from "./lease.ts";
import type { LeaseStore, StoredEntry } from "./lease_store.ts";
import { lastToken, storeKey } from "./store_key.ts";

/** Two handles on one backing store, as two workers would have. */
export interface LeaseStorePair {
  a: LeaseStore;
  b: LeaseStore;
  close(): Promise<void>;
}

/** Registers the {@linkcode LeaseStore} contract tests for one adapter. */
export function leaseStoreContract(name: string, open: () => Promise<LeaseStorePair>): void {
  function test(what: string, fn: (pair: LeaseStorePair) => Promise<void>): void {
    Deno.test(`${name}: ${what}`, async () => {
      const pair = await open();
      try {
        await fn(pair);
      } finally {
        await pair.close();
      }
    });
  }

  test("create writes only an absent key and get reads it back", async ({ a, b }) => {
    const key = storeKey("desired", "t1");
    assert.equal(await a.get(key), null);
    const revision = await a.create(key, { n: 1 });
    assert.ok(revision !== null && revision > 0);
    assert.equal(await b.create(key, { n: 2 }), null);
    assert.deepEqual(await b.get(key), { value: { n: 1 }, revision });
  });

  test("update compares the revision; put does not", async ({ a, b }) => {
    const key = storeKey("status", "t1");
    const first = (await a.create(key, "one"))!;
    const second = await b.update(key, "two", first);
    assert.ok(second !== null && second > first);
    assert.equal(await a.update(key, "stale", first), null);
    assert.equal((await a.get(key))?.value, "two");
    const third = await a.put(key, "three");
    assert.ok(third > second!);
    assert.deepEqual(await b.get(key), { value: "three", revision: third });
  });

  test("delete honours the revision and a deleted key can be created again", async ({ a, b }) => {
    const key = storeKey("lease", "t1");
    const revision = (await a.create(key, 1))!;
    const moved = (await b.update(key, 2, revision))!;
    assert.equal(await a.delete(key, revision), false);
    assert.equal((await a.get(key))?.value, 2);
    assert.equal(await a.delete(key, moved), true);
    assert.equal(await b.get(key), null);
    assert.equal(await b.update(key, 3, moved), null);
    assert.ok((await b.create(key, 4)) !== null);
    assert.equal(await a.delete(key), true);
    assert.equal(await a.get(key), null);
  });

  test("keys lists the present keys under one prefix only", async ({ a, b }) => {
    await a.create(storeKey("desired", "t1"), 1);
    await a.create(storeKey("desired", "t.2"), 1);
    await a.create(storeKey("desired", "gone"), 1);
    await a.delete(storeKey("desired", "gone"));
    await a.create(storeKey("lease", "t1"), 1);
    const keys = (await b.keys("desired")).sort();
    assert.deepEqual(keys.map(lastToken).sort(), ["t.2", "t1"]);
    assert.deepEqual(await b.keys("nothing"), []);
  });

  test("watch delivers writes and deletes under its prefix", async ({ a, b }) => {
    const seen: [string, StoredEntry | null][] = [];
    const watch = b.watch("desired", (key, entry) => void seen.push([key, entry]));
    await watch.ready;
    try {
      const key = storeKey("desired", "t1");
      const revision = (await a.create(key, { v: 1 }))!;
      await a.put(storeKey("status", "t1"), "ignored");
      await a.update(key, { v: 2 }, revision);
      await a.delete(key);
      await waitFor(() => seen.length >= 3, { what: "three watch events" });
      assert.deepEqual(seen.map(([k]) => k), [key, key, key]);
      assert.deepEqual(seen[0]![1]?.value, { v: 1 });
      assert.deepEqual(seen[1]![1]?.value, { v: 2 });
      assert.equal(seen[2]![1], null);
    } finally {
      await watch.close();
    }
  });

  test("of two workers racing for a free lease exactly one wins", async ({ a, b }) => {
    const key = storeKey("lease", "race");
    const options = { ttlMs: 6000 };
    const results = await Promise.all([
      acquireLease(a, key, { ...options, owner: "worker-a" }),
      acquireLease(b, key, { ...options, owner: "worker-b" }),
    ]);
    assert.equal(results.filter((held) => held !== null).length, 1);
  });

  test("an expired lease is taken over and its old owner can no longer renew", async ({ a, b }) => {
    const key = storeKey("lease", "t1");
    let now = 1_000_000;
    const clock = { now: () => now, ttlMs: 6000 };
    const held = (await acquireLease(a, key, { ...clock, owner: "worker-a" }))!;
    assert.ok(held);
    assert.equal(await acquireLease(b, key, { ...clock, owner: "worker-b" }), null);
    const renewed = (await renewLease(a, held, { ...clock, owner: "worker-a" }))!;
    assert.ok(renewed.revision > held.revision);
    now += 7000;
    const taken = await acquireLease(b, key, { ...clock, owner: "worker-b" });
    assert.ok(taken);
    assert.equal(await renewLease(a, renewed, { ...clock, owner: "worker-a" }), null);
    await releaseLease(a, renewed); // a stale release must not free b's lease
    assert.equal(((await b.get(key))?.value as { owner: string }).owner, "worker-b");
    await releaseLease(b, taken);
    assert.equal(await a.get(key), null);
  });
}

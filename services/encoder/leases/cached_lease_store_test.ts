import assert from "node:assert/strict";
import { cacheLeaseStore } from "./cached_lease_store.ts";
import type { LeaseStore } from "./lease_store.ts";
import { leaseStoreContract } from "./lease_store_contract.ts";
import { createMemoryLeaseStore } from "./memory_lease_store.ts";

leaseStoreContract("cacheLeaseStore(memory)", async () => {
  const store = await cacheLeaseStore(createMemoryLeaseStore(), []);
  return { a: store, b: store, close: () => store.close() };
});

/** The inner store, counting its reads. */
function counted(inner: LeaseStore): LeaseStore & { reads: number } {
  const store = {
    ...inner,
    reads: 0,
    get(key: string) {
      store.reads++;
      return inner.get(key);
    },
    keys(prefix: string) {
      store.reads++;
      return inner.keys(prefix);
    },
  };
  return store;
}

Deno.test("cacheLeaseStore() reads what was stored once, at open, then answers from memory", async () => {
  const inner = createMemoryLeaseStore();
  await inner.put("desired.local", { groups: ["g1"] });
  await inner.put("targets.local", { disabled: [] });
  const source = counted(inner);
  const store = await cacheLeaseStore(source, ["desired", "targets"]);
  const atOpen = source.reads;
  for (let i = 0; i < 10; i++) {
    assert.deepEqual((await store.get("desired.local"))?.value, { groups: ["g1"] });
    assert.deepEqual(await store.keys("desired"), ["desired.local"]);
  }
  assert.equal(source.reads, atOpen, "no read reaches the file after open");
  const revision = await store.update("desired.local", { groups: [] }, 999);
  assert.equal(revision, null, "a stale revision is refused by the inner store");
  const entry = await store.get("desired.local");
  await store.update("desired.local", { groups: [] }, entry!.revision);
  assert.deepEqual((await inner.get("desired.local"))?.value, { groups: [] }, "written through");
  assert.deepEqual((await store.get("desired.local"))?.value, { groups: [] });
  await store.delete("desired.local");
  assert.equal(await inner.get("desired.local"), null);
  assert.equal(await store.get("desired.local"), null);
  store.forgetCopy();
  assert.equal(await store.get("targets.local"), null, "the copy is gone after a clear");
  await store.close();
});
